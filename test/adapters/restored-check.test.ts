/**
 * Checking restored databases with real SQLite files: SHA-256 against the manifest, integrity_check,
 * stale side files removed before SQLite could replay them into the restored copy.
 */
import Database from 'better-sqlite3';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkRestoredDatabase,
  checkRestoredTree,
  missingPaths,
  readManifest,
} from '../../src/adapters/restored-check.js';
import { sha256File } from '../../src/adapters/sqlite/manifest.js';
import { UserError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { ArchiveManifest } from '../../src/core/manifest.js';

let dir: string;
let root: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-restored-check-'));
  root = join(dir, 'restore');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Creates a small database (rows plus an index) at PATH; returns it closed. */
function makeDatabase(path: string, journal: 'wal' | 'delete' = 'wal', rows = 2000): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma(`journal_mode = ${journal}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX t_body ON t(body)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`row ${i} ${'x'.repeat(100)}`);
  })();
  db.close();
}

/** Restores SOURCE's bytes at its place under the restore root (as tarsnap -x would); returns that path. */
function restoreCopy(source: string): string {
  const target = join(root, source);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  return target;
}

function manifestOf(
  databases: { source: string; sha256: string }[],
  failed: { source: string; error: string }[] = [],
): ArchiveManifest {
  return {
    format: 1,
    hotsnap_version: '0.1.0',
    profile: 'daily',
    hostname: 'blog',
    archive: 'blog-daily-1',
    created: '2026-01-01T00:00:00.000Z',
    databases: databases.map((db) => ({
      ...db,
      size: 0,
      page_size: 4096,
      page_count: 0,
      journal_mode: 'wal',
      method: 'wal-fast',
      copy_ms: 0,
      verify_ms: 0,
      writer_block_ms: 0,
      verify: 'quick',
    })),
    failed_databases: failed,
    paths: [],
    exclude: [],
  };
}

describe('checkRestoredDatabase', () => {
  it('a faithful copy: ok, with the hash it computed', async () => {
    const source = join(dir, 'srv/app.db');
    makeDatabase(source);
    const restored = restoreCopy(source);
    const sha256 = await sha256File(source);
    const check = await checkRestoredDatabase(root, { source, sha256 }, silentLogger);
    expect(check).toEqual({
      source,
      restored_to: restored,
      status: 'ok',
      expected_sha256: sha256,
      sha256,
      integrity: [],
    });
    // Opening it for the check leaves no side files behind (closing folds and removes them).
    expect(existsSync(`${restored}-wal`)).toBe(false);
    expect(existsSync(`${restored}-shm`)).toBe(false);
  });

  it('one byte changed: SHA-256 mismatch, whatever integrity_check says', async () => {
    const source = join(dir, 'srv/app.db');
    makeDatabase(source);
    const sha256 = await sha256File(source);
    const restored = restoreCopy(source);
    const bytes = readFileSync(restored);
    // A byte inside the row data of a table page, far from any header.
    const offset = bytes.indexOf(Buffer.from('row 1000 '));
    expect(offset).toBeGreaterThan(0);
    bytes[offset + 4] = bytes[offset + 4]! ^ 0x01;
    writeFileSync(restored, bytes);
    const check = await checkRestoredDatabase(root, { source, sha256 }, silentLogger);
    expect(check.status).toBe('mismatch');
    expect(check.sha256).not.toBe(sha256);
    expect(check.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the bytes that were backed up, but damaged: integrity failed', async () => {
    const source = join(dir, 'srv/app.db');
    makeDatabase(source, 'delete');
    const bytes = readFileSync(source);
    const pageSize = bytes.readUInt16BE(16);
    // Zero a page in the middle: a b-tree page of the table or its index.
    const page = Math.floor(bytes.length / pageSize / 2);
    bytes.fill(0, page * pageSize, (page + 1) * pageSize);
    writeFileSync(source, bytes);
    const sha256 = await sha256File(source);
    restoreCopy(source);
    const check = await checkRestoredDatabase(root, { source, sha256 }, silentLogger);
    expect(check.status).toBe('integrity-failed');
    expect(check.sha256).toBe(sha256);
    expect(check.integrity!.length).toBeGreaterThan(0);
  });

  it("not a database at all: integrity failed with SQLite's reason", async () => {
    const source = join(dir, 'srv/app.db');
    mkdirSync(dirname(source), { recursive: true });
    writeFileSync(
      source,
      'this is not a database, it is a text file of more than one hundred bytes .........................\n',
    );
    const sha256 = await sha256File(source);
    restoreCopy(source);
    const check = await checkRestoredDatabase(root, { source, sha256 }, silentLogger);
    expect(check.status).toBe('integrity-failed');
    expect(check.integrity!.join(' ')).toMatch(/not a database/);
  });

  it('removes a stale -wal (and -shm) beside the restored copy before SQLite can replay it', async () => {
    const source = join(dir, 'srv/app.db');
    makeDatabase(source);
    const sha256 = await sha256File(source);
    const restored = restoreCopy(source);
    // The live application kept writing after the backup: its WAL holds frames the copy lacks.
    const live = new Database(source);
    live.pragma('wal_autocheckpoint = 0');
    live.exec("DELETE FROM t WHERE id > 10; INSERT INTO t (body) VALUES ('after the backup')");
    copyFileSync(`${source}-wal`, `${restored}-wal`);
    copyFileSync(`${source}-shm`, `${restored}-shm`);
    live.close();

    const check = await checkRestoredDatabase(root, { source, sha256 }, silentLogger);
    expect(check.status).toBe('ok');
    expect(check.removed).toEqual([`${restored}-wal`, `${restored}-shm`]);
    const db = new Database(restored, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2000);
    db.close();
    expect(await sha256File(restored)).toBe(sha256);
  });

  it('a database the extraction did not produce is missing', async () => {
    const check = await checkRestoredDatabase(root, { source: '/srv/gone.db', sha256: 'a'.repeat(64) }, silentLogger);
    expect(check).toMatchObject({ status: 'missing', restored_to: join(root, 'srv/gone.db'), detail: 'no such file' });
  });

  it.each([
    ['a ".." segment', '/srv/../srv/app.db'],
    ['a "." segment', '/srv/./app.db'],
    ['a double slash', '/srv//app.db'],
    ['a trailing slash', '/srv/app.db/'],
  ])('a manifest path with %s is unsafe: nothing removed, nothing opened', async (_what, source) => {
    makeDatabase(join(root, 'srv/app.db'));
    writeFileSync(join(root, 'srv/app.db-wal'), 'stale');
    const check = await checkRestoredDatabase(root, { source, sha256: 'a'.repeat(64) }, silentLogger);
    expect(check.status).toBe('unsafe');
    expect(
      check.detail?.startsWith(
        `the archive is unsafe: its manifest names ${JSON.stringify(source)}, not a plain absolute path`,
      ),
    ).toBe(true);
    expect(existsSync(join(root, 'srv/app.db-wal'))).toBe(true);
  });

  it('a file where a directory of the path belongs is unsafe', async () => {
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'srv'), 'not a directory');
    const check = await checkRestoredDatabase(root, { source: '/srv/app.db', sha256: 'a'.repeat(64) }, silentLogger);
    expect(check).toMatchObject({
      status: 'unsafe',
      detail: expect.stringMatching(/^the archive is unsafe: \/srv in the restored tree is not a directory/),
    });
  });

  it('a symlinked -shm is unsafe, and no side file is removed (the stale -wal stays too)', async () => {
    const restored = join(root, 'srv/app.db');
    makeDatabase(restored);
    const outside = join(dir, 'outside-shm');
    writeFileSync(outside, 'a live index');
    writeFileSync(`${restored}-wal`, 'stale');
    symlinkSync(outside, `${restored}-shm`);
    const check = await checkRestoredDatabase(root, { source: '/srv/app.db', sha256: 'a'.repeat(64) }, silentLogger);
    expect(check).toMatchObject({
      status: 'unsafe',
      detail: expect.stringContaining(`/srv/app.db-shm in the restored tree is a symlink to ${outside}`),
    });
    expect(existsSync(`${restored}-wal`)).toBe(true);
    expect(lstatSync(`${restored}-shm`).isSymbolicLink()).toBe(true);
    expect(readFileSync(outside, 'utf8')).toBe('a live index');
  });

  it('a directory in place of a side file is unsafe, not a crash', async () => {
    const restored = join(root, 'srv/app.db');
    makeDatabase(restored);
    mkdirSync(`${restored}-journal`);
    const check = await checkRestoredDatabase(root, { source: '/srv/app.db', sha256: 'a'.repeat(64) }, silentLogger);
    expect(check).toMatchObject({
      status: 'unsafe',
      detail: expect.stringContaining('/srv/app.db-journal in the restored tree is not a regular file'),
    });
  });

  it('a directory where the database should be is missing, not a crash', async () => {
    mkdirSync(join(root, 'srv/dir.db'), { recursive: true });
    const check = await checkRestoredDatabase(root, { source: '/srv/dir.db', sha256: 'a'.repeat(64) }, silentLogger);
    expect(check).toMatchObject({ status: 'missing', detail: 'not a regular file' });
  });
});

describe('checkRestoredTree', () => {
  it('checks the selected databases and reports failed hot copies as not in the archive', async () => {
    const a = join(dir, 'srv/a.db');
    const b = join(dir, 'var/b.db');
    makeDatabase(a);
    makeDatabase(b, 'delete', 10);
    restoreCopy(a);
    restoreCopy(b);
    const manifest = manifestOf(
      [
        { source: a, sha256: await sha256File(a) },
        { source: b, sha256: await sha256File(b) },
      ],
      [{ source: join(dir, 'srv/locked.db'), error: 'database is locked' }],
    );
    const all = await checkRestoredTree(root, manifest, [], silentLogger);
    expect(all.map((check) => [check.source, check.status])).toEqual([
      [a, 'ok'],
      [b, 'ok'],
      [join(dir, 'srv/locked.db'), 'not-in-archive'],
    ]);
    expect(all[2]!.detail).toBe('its hot copy failed at backup time: database is locked');
    const onlyVar = await checkRestoredTree(root, manifest, [join(dir, 'var').slice(1)], silentLogger);
    expect(onlyVar.map((check) => check.source)).toEqual([b]);
  });
});

describe('readManifest', () => {
  it('reads a manifest', () => {
    const file = join(dir, 'manifest.json');
    writeFileSync(file, JSON.stringify(manifestOf([{ source: '/srv/a.db', sha256: 'a'.repeat(64) }])));
    expect(readManifest(file).databases[0]!.source).toBe('/srv/a.db');
  });

  it.each([
    ['not JSON', '{', /cannot read the archive's manifest/],
    ['another format', JSON.stringify({ format: 3, databases: [] }), /not a hotsnap manifest of format 1 or 2/],
    [
      'a relative source',
      JSON.stringify({ format: 1, databases: [{ source: 'srv/a.db', sha256: 'x' }] }),
      /not a hotsnap manifest/,
    ],
    ['no hash', JSON.stringify({ format: 1, databases: [{ source: '/srv/a.db' }] }), /not a hotsnap manifest/],
  ])('refuses %s with a UserError naming the file', (_what, text, message) => {
    const file = join(dir, 'manifest.json');
    writeFileSync(file, text);
    expect(() => readManifest(file)).toThrow(UserError);
    expect(() => readManifest(file)).toThrow(message);
    expect(() => readManifest(file)).toThrow(file);
  });

  it('a missing manifest is a UserError', () => {
    expect(() => readManifest(join(dir, 'nope.json'))).toThrow(UserError);
  });
});

describe('missingPaths', () => {
  it('returns the paths with nothing restored at their place', () => {
    mkdirSync(join(root, 'home/alice'), { recursive: true });
    writeFileSync(join(root, 'etc-file'), '');
    expect(missingPaths(root, ['/home/alice', '/etc-file', '/home/bob', '/srv'])).toEqual(['/home/bob', '/srv']);
  });

  it('never looks through a symlink above the path; a symlink at the path itself is present', () => {
    const outside = join(dir, 'outside');
    mkdirSync(join(outside, 'uploads'), { recursive: true });
    mkdirSync(root, { recursive: true });
    symlinkSync(outside, join(root, 'srv'));
    symlinkSync('/nonexistent', join(root, 'link'));
    expect(missingPaths(root, ['/srv/uploads', '/srv', '/link'])).toEqual(['/srv/uploads']);
  });
});
