/**
 * The engine's contract on real databases with real other processes: what the copy is, what the
 * source is left as, and who waits for whom while hotsnap holds its pin or lock.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../../fixtures/sqlite/check.js';
import { HotCopyError } from '../../../src/adapters/sqlite/errors.js';
import { hotCopy } from '../../../src/adapters/sqlite/hot-copy.js';
import type { ProgressReporter } from '../../../src/adapters/progress.js';
import { listDir, makeDb, makeTempDir, startControlledWriter, type ControlledWriter } from './support.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function fixture(
  journal: 'wal' | 'delete',
  sizeMb = 2,
): Promise<{ dir: string; source: string; destDir: string; dest: string }> {
  const { dir, remove } = makeTempDir();
  cleanup.push(remove);
  const source = join(dir, 'ghost.db');
  await makeDb(source, sizeMb, journal);
  const destDir = join(dir, 'out');
  mkdirSync(destDir);
  return { dir, source, destDir, dest: join(destDir, 'copy.db') };
}

async function writerOn(source: string, busyTimeoutMs = 30_000): Promise<ControlledWriter> {
  const writer = await startControlledWriter(source, 3, busyTimeoutMs);
  cleanup.push(() => writer.stop());
  return writer;
}

describe('hot copy of a WAL database', () => {
  it("is one self-contained file with the source's mode and the WAL folded in; the live main file and WAL are left byte for byte", async () => {
    const { dir, source, destDir, dest } = await fixture('wal');
    const writer = await writerOn(source);
    expect(await writer.send('commit 30')).toBe('ok 30');
    // The application dies with 30 commits only in the WAL; hotsnap's connection is then the
    // last one, and closing it must not checkpoint or delete that WAL.
    await writer.crash();
    const mainBefore = sha256(source);
    const walBefore = sha256(`${source}-wal`);
    expect(statSync(`${source}-wal`).size).toBeGreaterThan(0);

    const entry = await hotCopy(source, dest, {}, { now: () => new Date('2030-01-02T03:04:05Z') });

    expect(sha256(source)).toBe(mainBefore);
    expect(sha256(`${source}-wal`)).toBe(walBefore);
    expect(listDir(dir)).toEqual(['ghost.db', 'ghost.db-shm', 'ghost.db-wal', 'out']);
    expect(listDir(destDir)).toEqual(['copy.db']);
    const sourceStats = statSync(source);
    expect(statSync(dest).mode & 0o777).toBe(sourceStats.mode & 0o777);
    expect(entry).toMatchObject({
      uid: sourceStats.uid,
      gid: sourceStats.gid,
      mode: `0${(sourceStats.mode & 0o777).toString(8)}`,
      source,
      method: 'wal-fast',
      journal_mode: 'wal',
      writer_block_ms: 0,
      verify: 'quick',
      page_size: 4096,
      size: statSync(dest).size,
      sha256: sha256(dest),
      copied_at: '2030-01-02T03:04:05.000Z',
    });
    expect(entry.page_count * entry.page_size).toBe(entry.size);
    const check = checkDatabase(dest);
    expect(check).toMatchObject({ ok: true, seq: 30 });
  });

  it('through a symlink: copies the WAL beside the real file (where SQLite keeps it), names the link', async () => {
    const { dir, source, dest } = await fixture('wal');
    const writer = await writerOn(source);
    expect(await writer.send('commit 12')).toBe('ok 12');
    const linkDir = join(dir, 'app');
    mkdirSync(linkDir);
    const link = join(linkDir, 'current.db');
    symlinkSync(source, link);
    const entry = await hotCopy(link, dest);
    expect(entry.source).toBe(link);
    expect(checkDatabase(dest)).toMatchObject({ ok: true, seq: 12 });
    expect(listDir(linkDir)).toEqual(['current.db']);
  });

  it('wal-fast: a writer that refuses to wait (busy_timeout 0) commits while hotsnap is pinned', async () => {
    const { source, dest } = await fixture('wal');
    const writer = await writerOn(source, 0);
    const answers: string[] = [];
    const entry = await hotCopy(
      source,
      dest,
      {},
      {
        hooks: {
          afterPin: async () => void answers.push(await writer.send('commit 1')),
          afterMainCopy: async () => void answers.push(await writer.send('commit 1')),
        },
      },
    );
    expect(answers).toEqual(['ok 1', 'ok 2']);
    expect(entry.method).toBe('wal-fast');
    // Commits after the pin may or may not be in a wal-fast copy; everything before it is.
    expect(checkDatabase(dest)).toMatchObject({ ok: true });
  });

  it('backup-api: writers commit during the copy, and the copy is exactly the pinned snapshot', async () => {
    const { source, dest } = await fixture('wal');
    const writer = await writerOn(source, 0);
    expect(await writer.send('commit 5')).toBe('ok 5');
    const answers: string[] = [];
    const entry = await hotCopy(
      source,
      dest,
      { method: 'backup-api' },
      { hooks: { afterPin: async () => void answers.push(await writer.send('commit 3')) } },
    );
    expect(answers).toEqual(['ok 8']);
    expect(entry).toMatchObject({ method: 'backup-api', writer_block_ms: 0 });
    expect(checkDatabase(dest)).toMatchObject({ ok: true, seq: 5 });
  });
});

describe('hot copy of a rollback-journal database', () => {
  it('rollback-cp: writers wait, readers do not; writer_block_ms is the lock time; no journal is created', async () => {
    const { dir, source, dest } = await fixture('delete');
    const writer = await writerOn(source, 0);
    expect(await writer.send('commit 4')).toBe('ok 4');
    const mainBefore = sha256(source);
    const answers: string[] = [];
    const entry = await hotCopy(
      source,
      dest,
      {},
      {
        hooks: {
          afterPin: async () => {
            answers.push(await writer.send('commit 1'));
            answers.push(await writer.send('read'));
          },
        },
      },
    );
    expect(answers).toEqual(['busy 4', 'read ok']);
    expect(entry.method).toBe('rollback-cp');
    expect(entry.journal_mode).toBe('delete');
    expect(entry.writer_block_ms).toBe(entry.copy_ms);
    expect(sha256(source)).toBe(mainBefore);
    expect(listDir(dir)).toEqual(['ghost.db', 'out']);
    expect(checkDatabase(dest)).toMatchObject({ ok: true, seq: 4 });
    // The lock is gone afterwards.
    expect(await writer.send('commit 1')).toBe('ok 5');
  });

  it("rollback-cp: a writer WAITING for hotsnap's lock does not lock readers out (RESERVED, not SHARED + PENDING)", async () => {
    const { source, dest } = await fixture('delete');
    const waiter = await writerOn(source, 30_000);
    const probe = await writerOn(source, 0);
    let waited: Promise<string> | undefined;
    let read = '';
    await hotCopy(
      source,
      dest,
      {},
      {
        hooks: {
          afterPin: async () => {
            waited = waiter.send('commit 1');
            // Give the waiter time to reach its lock wait; with a SHARED lock it would now hold PENDING.
            await new Promise((settle) => setTimeout(settle, 300));
            read = await probe.send('read');
          },
        },
      },
    );
    expect(read).toBe('read ok');
    expect(await waited).toBe('ok 1');
  });

  it('backup-api: the pin is a SHARED lock, so writers cannot commit for the whole copy', async () => {
    const { source, dest } = await fixture('delete');
    const writer = await writerOn(source, 0);
    const answers: string[] = [];
    const entry = await hotCopy(
      source,
      dest,
      { method: 'backup-api' },
      { hooks: { afterPin: async () => void answers.push(await writer.send('commit 1')) } },
    );
    expect(answers).toEqual(['busy 0']);
    expect(entry.method).toBe('backup-api');
    expect(entry.writer_block_ms).toBe(entry.copy_ms);
    expect(checkDatabase(dest)).toMatchObject({ ok: true, seq: 0 });
  });

  it('method "fast" picks rollback-cp for a rollback database', async () => {
    const { source, dest } = await fixture('delete', 1);
    expect((await hotCopy(source, dest, { method: 'fast' })).method).toBe('rollback-cp');
  });
});

describe('hot copy options', () => {
  it('verify full runs integrity_check; verify none runs no check', async () => {
    const { source, destDir } = await fixture('wal', 1);
    const full = await hotCopy(source, join(destDir, 'a.db'), { verify: 'full' });
    const none = await hotCopy(source, join(destDir, 'b.db'), { verify: 'none', durable: true });
    expect(full.verify).toBe('full');
    expect(none).toMatchObject({ verify: 'none', verify_ms: 0 });
    expect(full.sha256).toBe(none.sha256);
  });

  it('overwrite false refuses a destination that exists and leaves it alone; the default replaces it', async () => {
    const { source, destDir, dest } = await fixture('wal', 1);
    writeFileSync(dest, 'precious');
    const error = await hotCopy(source, dest, { overwrite: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HotCopyError);
    expect((error as Error).message).toMatch(/appeared while copying; nothing was overwritten/);
    expect(readFileSync(dest, 'utf8')).toBe('precious');
    expect(listDir(destDir)).toEqual(['copy.db']);
    await hotCopy(source, dest);
    expect(checkDatabase(dest).ok).toBe(true);
  });

  it('auto falls back to the backup API when cp is not installed; fast says what is missing', async () => {
    const { dir, source, destDir } = await fixture('wal', 1);
    const emptyBin = join(dir, 'bin');
    mkdirSync(emptyBin);
    const path = process.env.PATH;
    process.env.PATH = emptyBin;
    try {
      const entry = await hotCopy(source, join(destDir, 'auto.db'));
      expect(entry.method).toBe('backup-api');
      const error = (await hotCopy(source, join(destDir, 'fast.db'), { method: 'fast' }).catch(
        (caught: unknown) => caught,
      )) as HotCopyError;
      expect(error.reason).toBe('tool-missing');
      expect(error.message).toMatch(/cp is not installed/);
    } finally {
      process.env.PATH = path;
    }
    expect(listDir(destDir)).toEqual(['auto.db']);
  });

  it('copy_timeout: abandons the copy, names the limit, releases the lock, leaves nothing', async () => {
    const { source, destDir, dest } = await fixture('delete', 1);
    const writer = await writerOn(source, 0);
    const error = (await hotCopy(
      source,
      dest,
      { copyTimeoutMs: 150 },
      { hooks: { afterMainCopy: () => new Promise((done) => setTimeout(done, 300)) } },
    ).catch((caught: unknown) => caught)) as HotCopyError;
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(
      /the copy did not finish within hot_copy\.copy_timeout \(150ms\) while finishing the copy; it was abandoned and nothing was left behind/,
    );
    expect(listDir(destDir)).toEqual([]);
    expect(await writer.send('commit 1')).toBe('ok 1');
  });

  it('an AbortSignal stops the copy and leaves nothing', async () => {
    const { source, destDir, dest } = await fixture('wal', 1);
    const controller = new AbortController();
    const error = (await hotCopy(
      source,
      dest,
      { signal: controller.signal },
      { hooks: { afterPin: () => controller.abort() } },
    ).catch((caught: unknown) => caught)) as HotCopyError;
    expect(error.reason).toBe('aborted');
    expect(listDir(destDir)).toEqual([]);
  });

  it('progress: reports the checking phase and stops the bar', async () => {
    const { source, dest } = await fixture('wal', 1);
    const events: string[] = [];
    const reporter: ProgressReporter = {
      phase: (label) => void events.push(`phase ${label}`),
      update: () => undefined,
      stop: () => void events.push('stop'),
    };
    await hotCopy(source, dest, { progress: true }, { createProgress: () => reporter });
    expect(events).toEqual(['phase checking', 'stop']);
  });
});
