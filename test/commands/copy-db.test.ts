import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../fixtures/sqlite/check.js';
import { HotCopyError } from '../../src/adapters/sqlite/errors.js';
import type { HotCopyOptions } from '../../src/adapters/sqlite/hot-copy.js';
import type { ManifestEntry } from '../../src/core/manifest.js';
import { copyDb, formatCopyDbSummary } from '../../src/commands/copy-db.js';
import { ExitCode } from '../../src/errors.js';
import { listDir, makeDb, makeTempDir } from '../adapters/sqlite/support.js';
import { usageError } from '../support/usage-error.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.reverse()) step();
  cleanup = [];
});

async function fixture(): Promise<{ dir: string; source: string; out: string }> {
  const { dir, remove } = makeTempDir();
  cleanup.push(remove);
  const source = join(dir, 'ghost.db');
  await makeDb(source, 1, 'wal');
  const out = join(dir, 'out');
  mkdirSync(out);
  return { dir, source, out };
}

const ENTRY: ManifestEntry = {
  source: '/srv/ghost.db',
  size: 512 * 1024 * 1024,
  page_size: 4096,
  page_count: 131072,
  journal_mode: 'wal',
  sha256: 'ab'.repeat(32),
  method: 'wal-fast',
  copy_ms: 180.4,
  verify_ms: 1234,
  writer_block_ms: 0,
  verify: 'quick',
};

describe('copy-db', () => {
  it('copies to a file and prints a summary; --json prints the manifest entry', async () => {
    const { source, out } = await fixture();
    const result = await copyDb({ source, dest: join(out, 'a.db') });
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.dest).toBe(join(out, 'a.db'));
    expect(result.stdout).toBe(formatCopyDbSummary(result.entry, result.dest));
    expect(checkDatabase(result.dest).ok).toBe(true);
    const json = await copyDb({ source, dest: join(out, 'b.db'), json: true, verify: 'full' });
    expect(JSON.parse(json.stdout!)).toEqual({ ...json.entry });
    expect(json.entry).toMatchObject({ verify: 'full', method: 'wal-fast', journal_mode: 'wal' });
  });

  it('into an existing directory: DEST/<source name>', async () => {
    const { source, out } = await fixture();
    const result = await copyDb({ source, dest: out });
    expect(result.dest).toBe(join(out, 'ghost.db'));
    expect(listDir(out)).toEqual(['ghost.db']);
  });

  it('refuses to overwrite DEST without --force, and replaces it with --force (removing its stale -wal/-shm)', async () => {
    const { source, out } = await fixture();
    const dest = join(out, 'ghost.db');
    writeFileSync(dest, 'old');
    expect(await usageError(copyDb({ source, dest }))).toBe(`${dest} exists; pass --force to replace it`);
    expect(readFileSync(dest, 'utf8')).toBe('old');
    writeFileSync(`${dest}-wal`, 'stale frames');
    writeFileSync(`${dest}-shm`, 'stale index');
    await copyDb({ source, dest, force: true });
    expect(listDir(out)).toEqual(['ghost.db']);
    expect(checkDatabase(dest).ok).toBe(true);
  });

  it('refuses a destination with a stale -wal beside it (SQLite would replay it into the copy)', async () => {
    const { source, out } = await fixture();
    const dest = join(out, 'ghost.db');
    writeFileSync(`${dest}-wal`, 'stale frames');
    expect(await usageError(copyDb({ source, dest }))).toMatch(
      /ghost\.db-wal exists beside .*ghost\.db: SQLite would replay a stale WAL or journal into the new copy; remove it or pass --force/,
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('refuses to copy a database onto itself or its WAL', async () => {
    const { source, dir } = await fixture();
    expect(await usageError(copyDb({ source, dest: source }))).toMatch(/is the database itself/);
    expect(await usageError(copyDb({ source, dest: dir }))).toMatch(/is the database itself/);
    expect(await usageError(copyDb({ source, dest: `${source}-wal`, force: true }))).toMatch(/is the database itself/);
  });

  it.each([
    [{ verify: 'fast' }, '--verify must be one of quick, full, none, not "fast"'],
    [{ method: 'vacuum' }, '--method must be one of auto, fast, backup-api, not "vacuum"'],
    [{ busyTimeout: 'soon' }, /^--busy-timeout: invalid time span "soon"/],
    [{ copyTimeout: '0' }, '--copy-timeout: must be more than zero'],
  ])('bad flag %j: usage error, nothing attempted', async (flags, message) => {
    let called = false;
    const promise = copyDb(
      { source: '/nonexistent.db', dest: '/tmp/x.db', ...flags },
      { hotCopy: async () => ((called = true), ENTRY) },
    );
    const text = await usageError(promise);
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(called).toBe(false);
  });

  it('passes durable, no-clobber unless --force, and parsed time spans to the engine', async () => {
    const seen: HotCopyOptions[] = [];
    const fake = async (_source: string, _dest: string, options: HotCopyOptions) => (seen.push(options), ENTRY);
    await copyDb(
      {
        source: '/srv/ghost.db',
        dest: '/tmp/hotsnap-copy-db-nowhere.db',
        busyTimeout: '30s',
        copyTimeout: '1h',
        method: 'backup-api',
      },
      { hotCopy: fake },
    );
    await copyDb(
      { source: '/srv/ghost.db', dest: '/tmp/hotsnap-copy-db-nowhere.db', force: true, progress: false },
      { hotCopy: fake },
    );
    expect(seen.map(({ logger: _logger, ...rest }) => rest)).toEqual([
      {
        method: 'backup-api',
        verify: undefined,
        busyTimeoutMs: 30_000,
        copyTimeoutMs: 3_600_000,
        durable: true,
        overwrite: false,
        progress: true,
      },
      {
        method: undefined,
        verify: undefined,
        busyTimeoutMs: undefined,
        copyTimeoutMs: undefined,
        durable: true,
        overwrite: true,
        progress: false,
      },
    ]);
  });

  it("a failed copy surfaces as the engine's HotCopyError (exit 1)", async () => {
    const { dir, out } = await fixture();
    const error = await copyDb({ source: join(dir, 'missing.db'), dest: out }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HotCopyError);
    expect((error as HotCopyError).exitCode).toBe(ExitCode.failed);
  });

  it('formats the summary', () => {
    expect(formatCopyDbSummary(ENTRY, '/backup/ghost.db')).toBe(
      `copied /srv/ghost.db → /backup/ghost.db: 536.9 MB, wal-fast, quick_check ok in 1.2s; source held 180ms, writers blocked 0ms\nsha256 ${'ab'.repeat(32)}\n`,
    );
  });
});
