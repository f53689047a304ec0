/**
 * better-sqlite3's backup API and its traps, on real databases: the silent "0 pages, no file"
 * outcome, restarts when another process writes (and none when pinned), and the deadline.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../../fixtures/sqlite/check.js';
import { runBackup } from '../../../src/adapters/sqlite/backup-api.js';
import type { CopyContext } from '../../../src/adapters/sqlite/copy-context.js';
import { HotCopyError } from '../../../src/adapters/sqlite/errors.js';
import { externalTools } from '../../../src/adapters/sqlite/external.js';
import { pinSnapshot, unpinSnapshot } from '../../../src/adapters/sqlite/wal-fast.js';
import { silentLogger } from '../../../src/log.js';
import { FIXTURES, holdLock, makeDb, makeTempDir } from './support.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function contextFor(source: string, tmpFile: string, overrides: Partial<CopyContext> = {}): CopyContext {
  return {
    source,
    realPath: source,
    tmpFile,
    journalMode: 'wal',
    busyTimeoutMs: 1000,
    copyTimeoutMs: 60_000,
    deadline: performance.now() + 60_000,
    tools: externalTools,
    logger: silentLogger,
    hooks: {},
    now: () => new Date(),
    unsafeSkipWalHeaderCheck: false,
    ...overrides,
  };
}

async function fixture(journal: 'wal' | 'delete', sizeMb = 1): Promise<{ source: string; dest: string }> {
  const { dir, remove } = makeTempDir();
  cleanup.push(remove);
  const source = join(dir, 'ghost.db');
  await makeDb(source, sizeMb, journal);
  return { source, dest: join(dir, 'copy.db') };
}

function open(source: string, options: Database.Options = {}): Database.Database {
  const db = new Database(source, { fileMustExist: true, ...options });
  cleanup.push(() => void db.close());
  return db;
}

async function backupError(promise: Promise<unknown>): Promise<HotCopyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HotCopyError);
  return error as HotCopyError;
}

describe('runBackup', () => {
  it('turns the silent failure (source connection inside a write transaction) into a clear error', async () => {
    const { source, dest } = await fixture('delete');
    const db = open(source);
    db.exec('BEGIN IMMEDIATE');
    // Straight to better-sqlite3 first: it really does resolve "successfully" with nothing copied.
    expect(await db.backup(dest)).toEqual({ totalPages: 0, remainingPages: 0 });
    expect(existsSync(dest)).toBe(false);
    const error = await backupError(runBackup(db, dest, contextFor(source, dest)));
    expect(error.reason).toBe('backup-empty');
    expect(error.message).toMatch(/the SQLite backup API copied 0 pages and wrote no file/);
    expect(existsSync(dest)).toBe(false);
    db.exec('ROLLBACK');
  });

  it('turns a BUSY first step (another process holds EXCLUSIVE) into the same clear error', async () => {
    const { source, dest } = await fixture('delete');
    const holder = await holdLock(source, 'BEGIN EXCLUSIVE');
    cleanup.push(() => holder.release());
    const db = open(source, { readonly: true, timeout: 100 });
    const error = await backupError(runBackup(db, dest, contextFor(source, dest)));
    expect(error.reason).toBe('backup-empty');
    expect(existsSync(dest)).toBe(false);
  });

  it('enforces the deadline from the progress callback and removes the partial file', async () => {
    const { source, dest } = await fixture('wal', 4);
    const db = open(source, { readonly: true });
    const error = await backupError(
      runBackup(db, dest, contextFor(source, dest, { deadline: performance.now() - 1, copyTimeoutMs: 5 })),
    );
    expect(error.reason).toBe('timeout');
    expect(existsSync(dest)).toBe(false);
  });

  it('stops on an aborted signal', async () => {
    const { source, dest } = await fixture('wal', 4);
    const db = open(source, { readonly: true });
    const controller = new AbortController();
    controller.abort();
    const error = await backupError(runBackup(db, dest, contextFor(source, dest, { signal: controller.signal })));
    expect(error.reason).toBe('aborted');
    expect(existsSync(dest)).toBe(false);
  });

  for (const pinned of [false, true]) {
    it(`${pinned ? 'pinned: no restart' : 'unpinned: restarts from page 1'} when another process commits between steps`, async () => {
      const { source, dest } = await fixture('wal', 10);
      const db = open(source, { readonly: true });
      if (pinned) pinSnapshot(db);
      let calls = 0;
      const outcome = await runBackup(db, dest, {
        ...contextFor(source, dest),
        onProgress: () => {
          // After the first real step: a commit by a separate process (the live application).
          if (++calls === 2) execFileSync('node', [join(FIXTURES, 'writer.js'), '--db', source, '--max-commits', '1']);
        },
      });
      if (pinned) unpinSnapshot(db);
      expect(outcome.restarts).toBe(pinned ? 0 : 1);
      // Pinned: exactly the snapshot before the commit. Unpinned: restarted, so it has the commit.
      expect(checkDatabase(dest)).toMatchObject({ ok: true, seq: pinned ? 0 : 1 });
    });
  }
});
