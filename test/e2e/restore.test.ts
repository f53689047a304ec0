/**
 * `hotsnap restore` end to end: the built CLI against the emulator. A backup of a live blog is
 * restored and compared file by file with the tree as it was at backup time; databases by the
 * manifest's SHA-256 (computed here independently) and by the fixture's invariants.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreCommand } from '../../src/commands/restore.js';
import { createContext } from '../../src/context.js';
import { UsageError } from '../../src/errors.js';
import { writeAwkwardFiles } from '../support/awkward-names.js';
import { createWorld, FIXTURES, type World } from './harness.js';
import { flipByteOfDatabase, startWriter } from './restore-support.js';

type Entry = { kind: 'file'; bytes: Buffer } | { kind: 'link'; target: string };

/** Every regular file and symlink under DIR, keyed by its path relative to STRIP (with a leading /). */
function snapshot(dir: string, strip = ''): Map<string, Entry> {
  const found = new Map<string, Entry>();
  const walk = (path: string) => {
    const stats = lstatSync(path);
    const key = path.slice(strip.length) || '/';
    if (stats.isSymbolicLink()) found.set(key, { kind: 'link', target: readlinkSync(path) });
    else if (stats.isFile()) found.set(key, { kind: 'file', bytes: readFileSync(path) });
    else if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('hotsnap restore', () => {
  let world: World;
  let db: string;
  let home: string;
  let daily: string;
  let notes: string;
  /** The tree at backup time: every file and link of the configured paths except the live database. */
  let atBackup: Map<string, Entry>;

  beforeAll(async () => {
    world = createWorld('restore');
    db = join(world.dir, 'srv/ghost/content/data/ghost.db');
    home = join(world.dir, 'home/alice');
    mkdirSync(join(db, '..'), { recursive: true });
    await execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', db, '--size-mb', '3']);
    writeFileSync(join(world.dir, 'srv/ghost/content/theme.css'), 'body { color: #222 }\n');
    mkdirSync(join(home, 'notes/empty'), { recursive: true });
    writeAwkwardFiles(home);
    writeFileSync(join(home, 'binary.bin'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)));
    symlinkSync('notes/with space.txt', join(home, 'link'));
    world.writeConfig({
      profiles: {
        daily: { sqlite: [db], paths: [home, join(world.dir, 'srv/ghost')], retention: { keep_last: 5 } },
        notes: { paths: [join(home, 'notes')], retention: { keep_last: 5 } },
      },
    });

    const writer = await startWriter(db);
    world.setNow('2030-01-01T00:00:00Z');
    const first = await world.hotsnap(['run', 'daily', '--no-prune']);
    await writer.stop();
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.exitCode).toBe(0);
    daily = /archive (\S+)/.exec(String(first.stdout))![1]!;
    expect(daily).toBe('blog-daily-2030-01-01_00-00-00');
    world.setNow('2030-01-02T00:00:00Z');
    const second = await world.hotsnap(['run', 'notes', '--no-prune']);
    expect(second.exitCode).toBe(0);
    notes = /archive (\S+)/.exec(String(second.stdout))![1]!;
    expect(notes).toBe('blog-notes-2030-01-02_00-00-00');

    atBackup = new Map([...snapshot(home), ...snapshot(join(world.dir, 'srv/ghost'))]);
    for (const key of [...atBackup.keys()]) if (key.startsWith(db)) atBackup.delete(key);
  });
  afterAll(() => world?.cleanup());

  it("restores every file byte for byte and a database with the manifest's SHA-256 that keeps its invariants", async () => {
    const target = join(world.dir, 'full');
    mkdirSync(target);
    // Leftovers of an older database at the same place: SQLite would replay them into the restored one.
    mkdirSync(join(target, db, '..'), { recursive: true });
    writeFileSync(`${join(target, db)}-wal`, 'stale');
    writeFileSync(`${join(target, db)}-shm`, 'stale');

    const result = await world.hotsnap(['restore', daily, '--to', target]);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(0);
    const stdout = String(result.stdout);
    expect(stdout).toContain(`restored ${daily} into ${target}: ${atBackup.size + 1} files\n`);
    expect(stdout).toContain(`manifest: ${target}/.hotsnap/manifest.json\n`);
    expect(stdout).toContain(
      `  ${db}: verified ok (SHA-256 matches the manifest, integrity_check ok); removed stale ${join(target, db)}-wal, ${join(target, db)}-shm\n`,
    );
    expect(stdout).toMatch(/\nall 1 database verified$/);

    const restored = snapshot(target, target);
    const manifest = JSON.parse(readFileSync(join(target, '.hotsnap/manifest.json'), 'utf8'));
    const restoredDb = restored.get(db) as { kind: 'file'; bytes: Buffer };
    expect(sha256(restoredDb.bytes)).toBe(manifest.databases[0].sha256);
    restored.delete(db);
    restored.delete('/.hotsnap/manifest.json');
    expect([...restored.keys()].sort()).toEqual([...atBackup.keys()].sort());
    for (const [path, entry] of atBackup) expect(restored.get(path), path).toEqual(entry);
    expect(lstatSync(join(target, home, 'notes/empty')).isDirectory()).toBe(true);
    expect(existsSync(`${join(target, db)}-wal`)).toBe(false);

    const check = await execa('node', [join(FIXTURES, 'sqlite/check.js'), join(target, db)], { reject: false });
    expect(JSON.parse(String(check.stdout))).toMatchObject({ ok: true });
  });

  it('latest is the newest complete archive of any profile; latest:PROFILE of that profile', async () => {
    const any = join(world.dir, 'latest');
    const ofDaily = join(world.dir, 'latest-daily');
    mkdirSync(any);
    mkdirSync(ofDaily);
    const latest = await world.hotsnap(['restore', 'latest', '--to', any, '--json']);
    expect(latest.exitCode).toBe(0);
    expect(JSON.parse(String(latest.stdout))).toEqual({
      archive: notes,
      target: any,
      files: 3,
      manifest: join(any, '.hotsnap/manifest.json'),
      databases: [],
      repositories: [],
      warnings: [],
      ok: true,
    });
    expect(readFileSync(join(any, home, 'notes/with space.txt'), 'utf8')).toBe('spaces survive\n');
    expect(existsSync(join(any, home, '-dash.txt'))).toBe(false);

    const result = await world.hotsnap(['restore', 'latest:daily', '--to', ofDaily, '--json']);
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(String(result.stdout));
    expect(summary.archive).toBe(daily);
    expect(summary.databases).toEqual([
      expect.objectContaining({ source: db, status: 'ok', restored_to: join(ofDaily, db) }),
    ]);
    expect(summary.databases[0].sha256).toBe(summary.databases[0].expected_sha256);
  });

  it('restores only the named members (absolute paths or member names), and checks the databases among them', async () => {
    const target = join(world.dir, 'partial');
    mkdirSync(target);
    const result = await world.hotsnap(['restore', 'latest:daily', '--to', target, join(home, 'notes'), db.slice(1)]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toContain(`into ${target}: 4 files\n`);
    expect(String(result.stdout)).toContain(`  ${db}: verified ok`);
    const restored = [...snapshot(target, target).keys()].sort();
    expect(restored).toEqual(
      [
        db,
        '/.hotsnap/manifest.json',
        ...[...atBackup.keys()].filter((path) => path.startsWith(`${home}/notes/`)),
      ].sort(),
    );
  });

  it('restores members named with unicode, a newline or a tab (tarsnap escapes them when it lists the archive)', async () => {
    const target = join(world.dir, 'partial-awkward');
    mkdirSync(target);
    const wanted = ['notes/ünïcödé.txt', 'notes/new\nline.txt', 'tab\tname.txt'].map((name) => join(home, name));
    const result = await world.hotsnap(['restore', 'latest:daily', '--to', target, ...wanted]);
    expect(result.stderr).not.toMatch(/not in archive/);
    expect(result.exitCode).toBe(0);
    for (const path of wanted) expect(readFileSync(join(target, path), 'utf8')).toMatch(/survive/);
  });

  it('without a database among the named members, checks none and says so', async () => {
    const target = join(world.dir, 'partial-2');
    mkdirSync(target);
    const result = await world.hotsnap(['restore', daily, '--to', target, `${home}/-dash.txt`]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toBe(
      `restored ${daily} into ${target}: 1 file\nmanifest: ${target}/.hotsnap/manifest.json\nno database of the manifest was restored (nothing to check)`,
    );
    expect(readFileSync(join(target, home, '-dash.txt'), 'utf8')).toBe('leading dashes survive\n');
  });

  it('refuses without --to: exit 2 from the CLI, tarsnap never run', async () => {
    const callsBefore = world.calls().length;
    const result = await world.hotsnap(['restore', 'latest']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/^hotsnap: restore needs --to DIR, the directory to restore into/);
    expect(world.calls().length).toBe(callsBefore);
  });

  it('refuses a target without its parent, a non-directory, a bad PATH or profile as usage errors before tarsnap runs', async () => {
    // In-process (the CLI's mapping of UsageError to exit 2 is shown above): cheaper than a node start each.
    process.env.TARSNAP_EMULATOR_DIR = world.emulatorDir;
    const context = createContext({ config: world.configFile, logLevel: 'silent' });
    const callsBefore = world.calls().length;
    const cases: [string[], string | undefined, RegExp][] = [
      [
        [],
        join(world.dir, 'nowhere', 'deeper'),
        new RegExp(
          `^--to ${join(world.dir, 'nowhere', 'deeper')}: its parent ${join(world.dir, 'nowhere')} does not exist either; create it first \\(mkdir -p `,
        ),
      ],
      [[], join(world.configFile, 'below'), /its parent .* is not a directory/],
      [[], world.configFile, /is not a directory; give a directory to restore into/],
      [['/'], world.dir, /names the whole archive: leave out PATH to restore everything/],
      [['/srv/../etc'], world.dir, /contains "\.\."/],
      [[], '', /restore needs --to DIR/],
    ];
    for (const [paths, to, message] of cases) {
      const attempt = restoreCommand(context, 'latest', paths, { to });
      await expect(attempt).rejects.toBeInstanceOf(UsageError);
      await expect(restoreCommand(context, 'latest', paths, { to })).rejects.toThrow(message);
    }
    await expect(restoreCommand(context, 'latest:weekly', [], { to: world.dir })).rejects.toThrow(
      /unknown profile weekly; the config .* has: daily, notes/,
    );
    expect(world.calls().length).toBe(callsBefore);
    expect(existsSync(join(world.dir, 'nowhere'))).toBe(false);
  });

  it('--to a new directory whose parent exists: created 0700 and said so; removed again when nothing was restored', async () => {
    const target = join(world.dir, 'new-target');
    const result = await world.hotsnap(['restore', 'latest:notes', '--to', target]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toContain(`created ${target} (mode 0700: the restored files may be private)`);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(target, home, 'notes/with space.txt'), 'utf8')).toBe(
      readFileSync(join(home, 'notes/with space.txt'), 'utf8'),
    );
    const unfilled = join(world.dir, 'never-filled');
    const missing = await world.hotsnap(['restore', 'no-such-archive', '--to', unfilled]);
    expect(missing.exitCode).toBe(1);
    expect(existsSync(unfilled)).toBe(false);
  });

  it('a member the archive lacks: exit 2 before extracting anything', async () => {
    const target = join(world.dir, 'lacks');
    mkdirSync(target);
    const result = await world.hotsnap(['restore', daily, '--to', target, '/etc/passwd', join(home, 'notes')]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(
      `not in archive ${daily}: /etc/passwd; see what it holds with: tarsnap -t --keyfile`,
    );
    expect(readdirSync(target)).toEqual([]);
    expect(world.calls().at(-1)!.mode).toBe('-t');
  });

  it("an archive that does not exist: exit 1 with tarsnap's reason", async () => {
    const result = await world.hotsnap(['restore', 'no-such-archive', '--to', world.dir]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/Archive does not exist: no-such-archive/);
  });

  it('a database whose bytes changed in storage: exit 1, MISMATCH naming it', async () => {
    const target = join(world.dir, 'tampered');
    mkdirSync(target);
    await flipByteOfDatabase(world, daily, db);
    const result = await world.hotsnap(['restore', daily, '--to', target]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toContain(`  ${db}: MISMATCH: SHA-256 mismatch (manifest `);
    expect(String(result.stdout)).toMatch(/\n1 of 1 databases FAILED verification$/);
  });
});
