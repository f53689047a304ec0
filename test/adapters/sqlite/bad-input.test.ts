/**
 * Every bad input gets a clear error that says what to do, and leaves nothing behind.
 */
import { randomFillSync } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HotCopyError } from '../../../src/adapters/sqlite/errors.js';
import { hotCopy, type HotCopyOptions } from '../../../src/adapters/sqlite/hot-copy.js';
import {
  corruptMiddlePage,
  holdLock,
  hotCopyInChild,
  listDir,
  makeDb,
  makeTempDir,
  unprivilegedChildSkip,
} from './support.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function setup(): { dir: string; source: string; destDir: string; dest: string } {
  const { dir, remove } = makeTempDir();
  cleanup.push(remove);
  const destDir = join(dir, 'dest');
  mkdirSync(destDir);
  return { dir, source: join(dir, 'ghost.db'), destDir, dest: join(destDir, 'ghost.db') };
}

/** Runs the engine expecting a HotCopyError; returns it. */
async function failure(source: string, dest: string, options: HotCopyOptions = {}, deps = {}): Promise<HotCopyError> {
  const error = await hotCopy(source, dest, options, deps).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HotCopyError);
  return error as HotCopyError;
}

describe('hot copy of bad input', () => {
  it('missing source: says to check the path', async () => {
    const { source, destDir, dest } = setup();
    const error = await failure(source, dest);
    expect(error.reason).toBe('missing');
    expect(error.message).toBe(
      `${source}: does not exist; check the path in the sqlite: list (has the application created its database yet?)`,
    );
    expect(listDir(destDir)).toEqual([]);
  });

  it('a text file: not a SQLite database', async () => {
    const { source, destDir, dest } = setup();
    writeFileSync(source, 'user=ghost\npassword=secret\n'.repeat(200));
    const error = await failure(source, dest);
    expect(error.reason).toBe('not-sqlite');
    expect(error.message).toMatch(/is not a SQLite database \(no "SQLite format 3" header\); check the path/);
    expect(listDir(destDir)).toEqual([]);
  });

  it('an empty file: almost surely the wrong path', async () => {
    const { source, destDir, dest } = setup();
    writeFileSync(source, '');
    const error = await failure(source, dest);
    expect(error.reason).toBe('empty');
    expect(listDir(destDir)).toEqual([]);
  });

  it('an encrypted database (page-aligned random bytes, as SQLCipher/SEE write): says so plainly', async () => {
    const { source, destDir, dest } = setup();
    writeFileSync(source, randomFillSync(Buffer.alloc(16 * 4096)));
    const error = await failure(source, dest);
    expect(error.reason).toBe('encrypted');
    expect(error.message).toMatch(
      /looks encrypted \(SQLCipher or SEE.*cannot hot-copy an encrypted database without its key/,
    );
    expect(listDir(destDir)).toEqual([]);
  });

  for (const verify of ['quick', 'full'] as const) {
    it(`a corrupt database: the ${verify} check on the copy fails, nothing is kept`, async () => {
      const { dir, source, destDir, dest } = setup();
      await makeDb(source, 2, 'delete');
      corruptMiddlePage(source);
      const error = await failure(source, dest, { verify });
      expect(error.reason).toBe('corrupt');
      expect(error.message).toMatch(
        new RegExp(
          `the copy failed PRAGMA ${verify === 'full' ? 'integrity_check' : 'quick_check'} \\(\\d+ problems?: (Tree|Page|database disk image)`,
        ),
      );
      expect(error.message).toMatch(
        /the database itself is damaged: stop the application, run sqlite3 .* "PRAGMA integrity_check"/,
      );
      expect(listDir(destDir)).toEqual([]);
      expect(listDir(dir)).toEqual(['dest', 'ghost.db']);
    });
  }

  it('destination directory missing: says to create it', async () => {
    const { dir, source } = setup();
    await makeDb(source, 1, 'wal');
    const missing = join(dir, 'no/such/dir');
    const error = await failure(source, join(missing, 'ghost.db'));
    expect(error.reason).toBe('dest-dir');
    expect(error.message).toContain(`create it (mkdir -p ${missing})`);
  });

  it('not enough free space: checked before anything is written', async () => {
    const { source, destDir, dest } = setup();
    await makeDb(source, 2, 'wal');
    let asked = '';
    const error = await failure(
      source,
      dest,
      {},
      {
        freeSpace: async (dir: string) => {
          asked = dir;
          return 5 * 1024 * 1024;
        },
      },
    );
    expect(asked).toBe(destDir);
    expect(error.reason).toBe('space');
    expect(error.message).toMatch(
      /not enough free space in .*dest: the copy needs about [\d.]+ MB \(database 2\.\d MB \+ WAL 0 B \+ margin\), only 5\.2 MB are available/,
    );
    expect(listDir(destDir)).toEqual([]);
  });

  it('rollback mode, write lock held past busy_timeout: names the lock and the timeout', async () => {
    const { source, destDir, dest } = setup();
    await makeDb(source, 1, 'delete');
    const holder = await holdLock(source, 'BEGIN IMMEDIATE');
    cleanup.push(() => holder.release());
    const error = await failure(source, dest, { busyTimeoutMs: 300 });
    expect(error.reason).toBe('busy');
    expect(error.message).toBe(
      `${source}: another connection held a write lock for more than 300ms (busy_timeout); try again when it is idle, or raise hot_copy.busy_timeout`,
    );
    expect(listDir(destDir)).toEqual([]);
  });

  it('WAL mode, database held exclusively (locking_mode=EXCLUSIVE) past busy_timeout', async () => {
    const { source, destDir, dest } = setup();
    await makeDb(source, 1, 'wal');
    const holder = await holdLock(source, 'PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;');
    cleanup.push(() => holder.release());
    const error = await failure(source, dest, { busyTimeoutMs: 200 });
    expect(error.reason).toBe('busy');
    expect(error.message).toMatch(
      /another connection held the database exclusively for more than 200ms \(busy_timeout\): an application using PRAGMA locking_mode=EXCLUSIVE/,
    );
    expect(listDir(destDir)).toEqual([]);
  });

  it('backup-api in rollback mode: a writer holding EXCLUSIVE past busy_timeout', async () => {
    const { source, destDir, dest } = setup();
    await makeDb(source, 1, 'delete');
    const holder = await holdLock(source, 'BEGIN EXCLUSIVE');
    cleanup.push(() => holder.release());
    const error = await failure(source, dest, { busyTimeoutMs: 200, method: 'backup-api' });
    expect(error.reason).toBe('busy');
    expect(listDir(destDir)).toEqual([]);
  });
});

if (unprivilegedChildSkip)
  console.warn(`test/adapters/sqlite/bad-input.test.ts: the permission cases are skipped: ${unprivilegedChildSkip}`);

describe.skipIf(unprivilegedChildSkip)('hot copy without permission (run as nobody when the tests run as root)', () => {
  function setupShared(): { dir: string; source: string; destDir: string; dest: string } {
    const paths = setup();
    // The unprivileged child must reach the files and write the destination.
    chmodSync(paths.dir, 0o755);
    chmodSync(paths.destDir, 0o777);
    return paths;
  }

  it('an unreadable database: names the user to run as', async () => {
    const { source, destDir, dest } = setupShared();
    await makeDb(source, 1, 'delete');
    chmodSync(source, 0o000);
    const outcome = await hotCopyInChild({ source, dest }, true);
    expect(outcome).toMatchObject({ ok: false, reason: 'permission' });
    expect(outcome.message).toMatch(/user \S+ cannot read it \(owner \S+, mode 0000\); run hotsnap as \S+/);
    expect(listDir(destDir)).toEqual([]);
  });

  it('a WAL database whose directory and -shm the user cannot write: explains the -shm rule', async () => {
    const { dir, source, destDir, dest } = setupShared();
    await makeDb(source, 1, 'wal');
    chmodSync(source, 0o444);
    chmodSync(dir, 0o555);
    cleanup.push(() => chmodSync(dir, 0o755));
    const outcome = await hotCopyInChild({ source, dest }, true);
    expect(outcome).toMatchObject({ ok: false, reason: 'permission' });
    expect(outcome.message).toMatch(/reading a WAL database needs write access to .*ghost\.db-shm or to /);
    expect(listDir(destDir)).toEqual([]);
  });

  it('a rollback database the user may read but not write: BEGIN IMMEDIATE needs write permission', async () => {
    const { source, destDir, dest } = setupShared();
    await makeDb(source, 1, 'delete');
    chmodSync(source, 0o444);
    const outcome = await hotCopyInChild({ source, dest }, true);
    expect(outcome).toMatchObject({ ok: false, reason: 'permission' });
    expect(outcome.message).toMatch(
      /cannot lock it for writing: a rollback-journal database is copied under BEGIN IMMEDIATE, which needs write permission \(hotsnap never writes to it/,
    );
    expect(listDir(destDir)).toEqual([]);
  });
});
