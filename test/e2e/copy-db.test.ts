/**
 * End to end: the built CLI (`node bin/hotsnap.js copy-db …`, built by `npm test`'s pretest)
 * against real databases with a live writer and checkpointer in other processes.
 */
import { execa } from 'execa';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../fixtures/sqlite/check.js';
import { listDir, makeDb, makeTempDir, ROOT, startCheckpointer, startWriter } from '../adapters/sqlite/support.js';

// HOTSNAP_E2E_BIN runs the same tests against another build (e.g. an installed package).
const BIN = process.env.HOTSNAP_E2E_BIN ?? join(ROOT, 'bin/hotsnap.js');

// The test clock (HOTSNAP_TEST_NOW): the manifest entry's copied_at is exact.
const NOW = '2026-03-01T03:00:00.000Z';

function hotsnap(args: string[]) {
  // stripFinalNewline off: the exact bytes the user sees.
  return execa('node', [BIN, ...args], {
    cwd: ROOT,
    reject: false,
    stripFinalNewline: false,
    env: { HOTSNAP_CONFIG: '/nonexistent/hotsnap.yaml', HOTSNAP_TEST_NOW: NOW },
  });
}

describe('hotsnap copy-db (built CLI)', () => {
  let dir = '';
  let wal = '';
  let rollback = '';
  let out = '';
  let remove = (): void => undefined;

  beforeAll(async () => {
    ({ dir, remove } = makeTempDir('hotsnap-e2e-'));
    wal = join(dir, 'ghost.db');
    rollback = join(dir, 'rollback.db');
    out = join(dir, 'out');
    mkdirSync(out);
    await Promise.all([makeDb(wal, 4, 'wal'), makeDb(rollback, 4, 'delete')]);
  });
  afterAll(() => remove());

  it('copies a live WAL database: exit 0, the manifest entry as JSON, a consistent copy with every earlier commit', async () => {
    const writer = await startWriter(wal, 2);
    const checkpointer = await startCheckpointer(wal);
    try {
      await writer.waitForCommits(20);
      const committed = writer.lastCommitted();
      const dest = join(out, 'wal-copy.db');
      const result = await hotsnap(['copy-db', wal, dest, '--json']);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const entry = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(entry).toMatchObject({
        source: wal,
        method: 'wal-fast',
        journal_mode: 'wal',
        writer_block_ms: 0,
        verify: 'quick',
        copied_at: NOW,
      });
      const check = checkDatabase(dest);
      expect(check.ok).toBe(true);
      expect(check.seq).toBeGreaterThanOrEqual(committed);
    } finally {
      await checkpointer.stop();
      await writer.stop();
    }
  });

  it('copies a rollback-journal database into a directory with a one-line summary', async () => {
    const dir2 = join(out, 'rollback');
    mkdirSync(dir2);
    const result = await hotsnap(['copy-db', rollback, dir2, '--verify', 'full']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^copied ${rollback} → ${join(dir2, 'rollback.db')}: \\d+\\.\\d [kMG]B, rollback-cp, integrity_check ok in .*; source held .*, writers blocked .*\\nowner \\S+:\\S+ 0[0-7]{3}\\nsha256 [0-9a-f]{64}\\n$`,
      ),
    );
    expect(checkDatabase(join(dir2, 'rollback.db')).ok).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "as root: DEST gets the database's owner, group and mode, and the summary says so",
    async () => {
      const owned = join(dir, 'owned.db');
      await makeDb(owned, 1, 'wal');
      chownSync(owned, 65534, 65534);
      chmodSync(owned, 0o640);
      const dest = join(out, 'owned-copy.db');
      const result = await hotsnap(['copy-db', owned, dest]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('\nowner nobody:nogroup 0640\nsha256 ');
      const stats = statSync(dest);
      expect({ uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o777 }).toEqual({
        uid: 65534,
        gid: 65534,
        mode: 0o640,
      });
    },
  );

  it('a missing database: exit 1, one clear line on stderr, nothing written', async () => {
    const missing = join(dir, 'missing.db');
    const result = await hotsnap(['copy-db', missing, join(out, 'missing-copy.db')]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `hotsnap: ${missing}: does not exist; check the path in the sqlite: list (has the application created its database yet?)\n`,
    );
    expect(existsSync(join(out, 'missing-copy.db'))).toBe(false);
  });

  it('an existing DEST without --force: exit 2, DEST untouched', async () => {
    const dest = join(out, 'taken.db');
    writeFileSync(dest, 'keep me');
    const result = await hotsnap(['copy-db', wal, dest]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`hotsnap: ${dest} exists; pass --force to replace it\n`);
    const forced = await hotsnap(['copy-db', wal, dest, '--force']);
    expect(forced.exitCode).toBe(0);
    expect(checkDatabase(dest).ok).toBe(true);
  });

  it('SIGTERM mid-copy: exit 143, no temp file, no partial DEST', async () => {
    const big = join(dir, 'big.db');
    await makeDb(big, 96, 'wal');
    const target = join(out, 'killed');
    mkdirSync(target);
    // The backup API copies page by page: a window of a few hundred ms to land the signal in.
    const child = execa('node', [BIN, 'copy-db', big, join(target, 'big.db'), '--method', 'backup-api'], {
      cwd: ROOT,
      reject: false,
      stripFinalNewline: false,
      env: { HOTSNAP_TEST_NOW: NOW },
    });
    while (!readdirSync(target).some((name) => name.includes('.hotsnap-'))) {
      if (child.exitCode !== null) throw new Error('copy-db finished before it could be interrupted');
      await new Promise((tick) => setTimeout(tick, 2));
    }
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(result.stderr).toContain('hotsnap: stopped by SIGTERM; temporary files removed');
    // Normally the signal lands mid-copy and nothing is left. On a starved machine it can land
    // after the rename: then DEST must be complete. Never a temp dir, never a partial DEST.
    // (test/adapters/sqlite/interrupt.test.ts stops a copy at a fixed point, deterministically.)
    const left = listDir(target);
    expect(left.filter((name) => name !== 'big.db')).toEqual([]);
    if (left.includes('big.db')) expect(checkDatabase(join(target, 'big.db')).ok).toBe(true);
  });
});
