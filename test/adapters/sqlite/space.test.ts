import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HotCopyError } from '../../../src/adapters/sqlite/errors.js';
import { explainDiskFull, freeBytes, requiredBytes } from '../../../src/adapters/sqlite/space.js';

const MIB = 1024 * 1024;

describe('requiredBytes', () => {
  it.each([
    [0, 0, 16 * MIB],
    [100 * MIB, 4 * MIB, 120 * MIB],
    [1000 * MIB, 0, 1100 * MIB],
    [1000 * MIB, 100 * MIB, 1210 * MIB],
  ])('database %d + WAL %d → %d', (database, wal, expected) => {
    expect(requiredBytes(database, wal)).toBe(expected);
  });
});

describe('freeBytes', () => {
  it('reports the free space of a real directory', async () => {
    const free = await freeBytes(tmpdir());
    expect(Number.isInteger(free)).toBe(true);
    expect(free).toBeGreaterThan(0);
  });
});

describe('explainDiskFull', () => {
  const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });
  const probe = (bytes: number) => async () => bytes;

  it('SQLITE_FULL (even wrapped in a HotCopyError) names the full disk and its free space', async () => {
    const wrapped = new HotCopyError(
      '/srv/a.db',
      'copy-failed',
      'the SQLite backup API failed: database or disk is full',
      { cause: sqliteError('SQLITE_FULL', 'database or disk is full') },
    );
    const explained = await explainDiskFull(wrapped, '/srv/a.db', '/stage', 'copying the database', probe(4096));
    expect(explained).toBeInstanceOf(HotCopyError);
    expect(explained).toMatchObject({
      reason: 'space',
      message:
        '/srv/a.db: the disk holding /stage is full (4.1 kB free) while copying the database: free space there, or copy to another file system (staging_dir; copy-db: DEST)',
    });
  });

  it('an I/O error is a full disk only when (almost) nothing is free; otherwise it is left as it is', async () => {
    const ioError = sqliteError('SQLITE_IOERR_SHMSIZE', 'disk I/O error');
    expect(await explainDiskFull(ioError, '/srv/a.db', '/stage', 'checking the copy', probe(0))).toMatchObject({
      reason: 'space',
    });
    expect(await explainDiskFull(ioError, '/srv/a.db', '/stage', 'checking the copy', probe(500 * MIB))).toBe(ioError);
  });

  it('other errors, and a failing probe, leave the error as it is', async () => {
    const busy = sqliteError('SQLITE_BUSY', 'database is locked');
    expect(await explainDiskFull(busy, '/srv/a.db', '/stage', 'copying the database', probe(0))).toBe(busy);
    const full = sqliteError('SQLITE_FULL', 'database or disk is full');
    expect(
      await explainDiskFull(full, '/srv/a.db', '/stage', 'copying the database', () =>
        Promise.reject(new Error('gone')),
      ),
    ).toBe(full);
  });
});
