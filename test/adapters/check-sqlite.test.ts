/**
 * The database probe of `hotsnap check` against real SQLite files: what it reports, and that it
 * leaves the database exactly as it was (bytes, journal mode, no -wal/-shm/-journal created).
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../src/adapters/check-sqlite.js';
import { estimateRollbackStallMs } from '../../src/core/check-report.js';
import { listDir, makeDb, makeTempDir } from './sqlite/support.js';

const { dir: root, remove } = makeTempDir('hotsnap-check-sqlite-');
afterAll(remove);
const settings = { method: 'auto', busy_timeout_ms: 2000 } as const;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('checkDatabase', () => {
  it('missing: a problem naming the profile', () => {
    const db = join(root, 'missing.db');
    expect(checkDatabase(db, ['daily'], settings)).toEqual({
      item: {
        check: 'sqlite',
        status: 'problem',
        message: `database ${db} (profile daily) does not exist`,
        fix: 'correct or remove it in the sqlite list of profile daily',
      },
      bytes: 0,
      walBytes: 0,
    });
  });

  it('a directory, an empty file, a text file, random bytes: each a problem saying what it is', () => {
    const dir = join(root, 'a-dir.db');
    mkdirSync(dir);
    const empty = join(root, 'empty.db');
    writeFileSync(empty, '');
    const text = join(root, 'notes.db');
    writeFileSync(text, 'just some notes, not a database\n'.repeat(100));
    const encrypted = join(root, 'cipher.db');
    writeFileSync(encrypted, randomBytes(8192));
    expect(checkDatabase(dir, ['daily'], settings).item).toMatchObject({
      status: 'problem',
      message: `${dir} (profile daily) is not a file`,
    });
    expect(checkDatabase(empty, ['daily'], settings).item).toMatchObject({
      status: 'problem',
      message: expect.stringContaining('is empty (0 bytes)'),
    });
    expect(checkDatabase(text, ['daily'], settings).item).toMatchObject({
      status: 'problem',
      message: expect.stringContaining('is not a SQLite database'),
    });
    expect(checkDatabase(encrypted, ['daily'], settings).item).toMatchObject({
      status: 'problem',
      message: expect.stringContaining('looks encrypted'),
    });
  });

  it('WAL mode: ok, sizes for the staging estimate, database untouched (the WAL is not checkpointed away)', async () => {
    const db = join(root, 'wal.db');
    await makeDb(db, 2, 'wal');
    // Leave committed frames in the WAL, as a live application does.
    const writer = new Database(db);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE IF NOT EXISTS check_probe (x); INSERT INTO check_probe VALUES (1)');
    const before = { main: sha(db), wal: sha(`${db}-wal`), entries: listDir(root) };
    const findings = checkDatabase(db, ['daily', 'weekly'], settings);
    expect(findings.item).toMatchObject({
      check: 'sqlite',
      status: 'ok',
      message: expect.stringMatching(
        /^.*wal\.db: WAL mode, [\d.]+ MB \+ [\d.]+ kB WAL: copied from a pinned snapshot without blocking/,
      ),
    });
    expect(findings.bytes).toBe(statSync(db).size);
    expect(findings.walBytes).toBe(statSync(`${db}-wal`).size);
    expect(findings.walBytes).toBeGreaterThan(0);
    expect({ main: sha(db), wal: sha(`${db}-wal`), entries: listDir(root) }).toEqual(before);
    writer.close();
  });

  it('an idle WAL database (no -shm: nobody has it open): not opened, so no -wal/-shm is left behind', async () => {
    const dir = join(root, 'idle');
    mkdirSync(dir);
    const db = join(dir, 'idle.db');
    await makeDb(db, 1, 'wal');
    expect(listDir(dir)).toEqual(['idle.db']);
    const before = sha(db);
    const findings = checkDatabase(db, ['daily'], settings);
    expect(findings.item).toMatchObject({ status: 'ok', message: expect.stringContaining('WAL mode, 1.') });
    expect(findings.item.message).toContain('(not in use now: read its header only, so no -wal/-shm is left behind)');
    expect(findings).toMatchObject({ bytes: statSync(db).size, walBytes: 0 });
    expect(listDir(dir)).toEqual(['idle.db']);
    expect(sha(db)).toBe(before);
  });

  it('rollback mode: a warning with the writer pause estimated from the size, the database untouched', async () => {
    const db = join(root, 'rollback.db');
    await makeDb(db, 3, 'delete');
    const before = { main: sha(db), entries: listDir(root) };
    const findings = checkDatabase(db, ['daily'], settings);
    const bytes = statSync(db).size;
    expect(findings).toMatchObject({ bytes, walBytes: 0 });
    expect(findings.item.status).toBe('warn');
    expect(findings.item.message).toContain(`rollback journal (delete), `);
    expect(findings.item.message).toContain(
      `writers will pause for about ${estimateRollbackStallMs(bytes)} ms per backup (estimated from the file size at the ~1.5 GB/s`,
    );
    expect(findings.item.fix).toBe(
      `switch to WAL for none: sqlite3 ${db} 'PRAGMA journal_mode=WAL' (it persists; every program using the database must be on this host, not a network file system)`,
    );
    expect({ main: sha(db), entries: listDir(root) }).toEqual(before);
    expect(existsSync(`${db}-journal`)).toBe(false);
    const reader = new Database(db, { readonly: true });
    expect(reader.pragma('journal_mode', { simple: true })).toBe('delete');
    reader.close();
  });

  it('rollback mode with the backup API: readers and writers pause, at its slower speed', async () => {
    const db = join(root, 'rollback-api.db');
    await makeDb(db, 1, 'delete');
    const { item } = checkDatabase(db, ['daily'], { method: 'backup-api', busy_timeout_ms: 2000 });
    expect(item.message).toMatch(
      /readers and writers will pause for about \d+ ms per backup \(estimated from the file size at the ~270 MB\/s the backup API/,
    );
  });

  it('through a symlink: the WAL beside the real file is measured', async () => {
    const dir = join(root, 'linked');
    mkdirSync(dir);
    const real = join(dir, 'real.db');
    await makeDb(real, 1, 'wal');
    const writer = new Database(real);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE IF NOT EXISTS probe (x); INSERT INTO probe VALUES (1)');
    symlinkSync(real, join(dir, 'link.db'));
    const findings = checkDatabase(join(dir, 'link.db'), ['daily'], settings);
    expect(findings.item.status).toBe('ok');
    expect(findings.walBytes).toBe(statSync(`${real}-wal`).size);
    writer.close();
  });

  it('a database locked exclusively past busy_timeout: a problem that says who held what', async () => {
    const db = join(root, 'locked.db');
    await makeDb(db, 1, 'delete');
    const holder = new Database(db);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const { item } = checkDatabase(db, ['daily'], { method: 'auto', busy_timeout_ms: 100 });
      expect(item).toMatchObject({ status: 'problem', message: expect.stringContaining('(busy_timeout)') });
    } finally {
      holder.exec('COMMIT');
      holder.close();
    }
  });
});
