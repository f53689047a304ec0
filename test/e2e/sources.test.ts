/**
 * Sources end to end: Git repositories captured next to a SQLite database, archived at their own
 * paths (the live ones left out of the walk), restored and checked with git fsck; and the kept
 * snapshot: a second run over an unchanged server reads almost nothing (the emulator models
 * tarsnap's chunk cache), one changed row re-reads only that database.
 */
import Database from 'better-sqlite3';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../sources/git/support.js';
import { createWorld, keptSnapshots, stagingLeftovers, type World } from './harness.js';

const HOUR_AGO = new Date(Date.now() - 3_600_000);

/** Sets every file below `dir` an hour back, so tarsnap's same-second rule never makes it look new. */
function age(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), HOUR_AGO, HOUR_AGO);
  }
}

interface CreateCall {
  mode: string;
  bytesRead?: number;
}

describe('sources: Git repositories and the kept snapshot', () => {
  let world: World;
  let bare: string;
  let work: string;
  let db: string;
  let home: string;

  beforeEach(async () => {
    world = createWorld('sources');
    home = join(world.dir, 'home');
    bare = join(world.dir, 'git', 'app.git');
    work = join(home, 'proj');
    mkdirSync(join(world.dir, 'git'), { recursive: true });
    mkdirSync(home);
    await git(world.dir, 'init', '-q', '--bare', '-b', 'main', bare);
    await git(world.dir, 'init', '-q', '-b', 'main', work);
    writeFileSync(join(work, 'README'), 'hello\n');
    await git(work, 'add', 'README');
    await git(work, 'commit', '-q', '-m', 'first');
    await git(work, 'push', '-q', bare, 'main');
    writeFileSync(join(home, 'notes.bin'), Buffer.alloc(512 * 1024, 7));
    db = join(world.dir, 'app.db');
    const database = new Database(db);
    database.pragma('journal_mode = DELETE');
    database.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
    const insert = database.prepare('INSERT INTO t (body) VALUES (?)');
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(1000));
    database.close();
    for (const dir of [home, join(world.dir, 'git')]) age(dir);
    utimesSync(db, HOUR_AGO, HOUR_AGO);
    world.writeConfig({
      profiles: { daily: { sqlite: [db], git: [join(world.dir, 'git'), work], paths: [home] } },
    });
  });
  afterEach(() => world.cleanup());

  const creates = () => (world.calls() as CreateCall[]).filter((call) => call.mode === '-c');

  it('captures each repository at its own path, once, and restores it so that git fsck passes', async () => {
    const result = await world.hotsnap(['run']);
    expect(result.stderr).not.toMatch(/WARN|ERROR/);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/daily: ok .*1 database copied .*2 Git repositories captured/);
    const archive = String(result.stdout).match(/archive (\S+)/)![1]!;
    const members = String((await world.tarsnap(['-t', '--keyfile', world.keyfile, '-f', archive])).stdout).split('\n');
    for (const gitDir of [bare, join(work, '.git')]) {
      expect(members.filter((member) => member === `${gitDir.slice(1)}/HEAD`)).toHaveLength(1);
    }
    const target = join(world.dir, 'restored');
    mkdirSync(target);
    const restore = await world.hotsnap(['restore', archive, '--to', target]);
    expect(restore.exitCode).toBe(0);
    const manifest = JSON.parse(readFileSync(join(target, '.hotsnap/manifest.json'), 'utf8'));
    expect(manifest.format).toBe(2);
    expect(manifest.repositories).toHaveLength(2);
    expect(manifest.repositories.map((entry: { method: string; verified: boolean }) => entry.verified)).toEqual([
      true,
      true,
    ]);
    const head = await git(world.dir, '--git-dir', bare, 'rev-parse', 'main');
    for (const gitDir of [bare, join(work, '.git')]) {
      const restored = join(target, gitDir);
      await expect(git(world.dir, '--git-dir', restored, 'fsck', '--full')).resolves.toBeTypeOf('string');
      expect(await git(world.dir, '--git-dir', restored, 'rev-parse', 'main')).toBe(head);
    }
    expect(manifest.repositories.find((entry: { git_dir: string }) => entry.git_dir === bare)).toMatchObject({
      source: bare,
      bare: true,
      head,
    });
  });

  it('a second run over an unchanged server reads at most 5% of the first; a changed row re-reads that database', async () => {
    expect((await world.hotsnap(['run'])).exitCode).toBe(0);
    expect((await world.hotsnap(['run'])).exitCode).toBe(0);
    const database = new Database(db);
    database.prepare('UPDATE t SET body = ? WHERE id = 1').run('y'.repeat(1000));
    database.close();
    expect((await world.hotsnap(['run'])).exitCode).toBe(0);
    const [first, second, third] = creates().map((call) => call.bytesRead ?? Number.NaN);
    const dbSize = statSync(db).size;
    expect(first).toBeGreaterThan(dbSize + 512 * 1024);
    expect(second).toBeLessThanOrEqual(first! * 0.05);
    expect(third).toBeGreaterThanOrEqual(dbSize);
    expect(third! - dbSize).toBeLessThanOrEqual(first! * 0.05);
    expect(keptSnapshots(world)).toHaveLength(1);
    expect(stagingLeftovers(world)).toEqual([]);
  });

  const shm = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  it.skipIf(!shm)(
    'staging_dir on another file system: objects are copied once, then linked from the kept snapshot',
    async () => {
      const staging = mkdtempSync('/dev/shm/hotsnap-sources-');
      /** The kept snapshot's object files, by name, with what tarsnap's cache compares. */
      const objects = () =>
        readdirSync(staging, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile() && /^[0-9a-f]{38}$/.test(entry.name))
          .map((entry) => {
            const { ino, size, mtimeMs } = statSync(join(entry.parentPath, entry.name));
            return { name: `${basename(entry.parentPath)}/${entry.name}`, ino, size, mtimeMs };
          })
          .sort((a, b) => a.name.localeCompare(b.name));
      try {
        world.writeConfig({ staging_dir: staging, profiles: { daily: { git: [bare], paths: [home] } } });
        const first = await world.hotsnap(['run']);
        expect(first.exitCode).toBe(0);
        expect(first.stderr).toMatch(/objects were copied/);
        const copied = objects();
        expect(copied).toHaveLength(3);
        for (const object of copied) expect(object.ino).not.toBe(statSync(join(bare, 'objects', object.name)).ino);
        expect((await world.hotsnap(['run'])).exitCode).toBe(0);
        // The same inodes, sizes and mtimes at the same paths: what tarsnap's cache needs to skip them.
        expect(objects()).toEqual(copied);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    },
  );

  it('keep_snapshot: false leaves nothing in staging_dir, as before', async () => {
    world.writeConfig({
      profiles: { daily: { sqlite: [db], git: [work], paths: [home], keep_snapshot: false } },
    });
    expect((await world.hotsnap(['run'])).exitCode).toBe(0);
    expect(keptSnapshots(world)).toEqual([]);
    expect(stagingLeftovers(world)).toEqual([]);
  });

  it('a path that holds no repository fails the profile with the reason; the rest is archived, marked incomplete', async () => {
    world.writeConfig({
      profiles: { daily: { sqlite: [db], git: [home, join(world.dir, 'nothing-here')], paths: [home] } },
    });
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/daily: FAILED .*\.incomplete.*1 repository could not be copied/);
  });
});
