/**
 * Adversarial: an archive is input. Any host with a write key can store one holding
 * `srv -> /some/live/dir` beside a manifest naming `/srv/app.db`; `restore --to T` and the
 * scheduled `verify` must then leave the live database, its -wal and its rows alone, and fail
 * that database as unsafe (exit 1). Also: symlinked database and side files, a hard link, and
 * `restore --to /` over an application that looks alive. Archives are made with the emulator
 * (`tarsnap -c` over a hand-made tree); restores run the built CLI, or in-process where `/` must
 * be a sandbox (restore-root.test.ts does the same).
 */
import Database from 'better-sqlite3';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRestoredDatabase } from '../../src/adapters/restored-check.js';
import { sha256File } from '../../src/adapters/sqlite/manifest.js';
import { restoreCommand } from '../../src/commands/restore.js';
import { createContext, type Context } from '../../src/context.js';
import { UserError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createWorld, type World } from '../e2e/harness.js';

const SIDE = ['', '-wal', '-shm'] as const;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
const ROWS = 50;

/**
 * Given a directory, creates DIR/app.db as a running application has it: WAL mode, its table and
 * rows committed to the -wal only (not checkpointed), the -shm beside it. Returns the database path.
 */
function makeLiveDatabase(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'app.db');
  const app = new Database(db);
  app.pragma('journal_mode = wal');
  app.pragma('wal_autocheckpoint = 0');
  app.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = app.prepare('INSERT INTO t (body) VALUES (?)');
  app.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run(`committed row ${i}`);
  })();
  // Freeze the files as they are while the application runs (closing would checkpoint them away).
  const frozen = SIDE.map((suffix) => readFileSync(db + suffix));
  app.close();
  SIDE.forEach((suffix, index) => writeFileSync(db + suffix, frozen[index]!));
  return db;
}

/** Given a live database, returns its files' bytes (base64) by suffix, to compare before and after. */
function liveFiles(db: string): Record<string, string | null> {
  return Object.fromEntries(
    SIDE.map((suffix) => [suffix, existsSync(db + suffix) ? readFileSync(db + suffix).toString('base64') : null]),
  );
}

/** Given a database, returns how many committed rows it has (opening it: only at the end of a test). */
function rows(db: string): number {
  const connection = new Database(db);
  try {
    return connection.prepare('SELECT count(*) FROM t').pluck().get() as number;
  } finally {
    connection.close();
  }
}

/** Given a path, returns a small closed WAL-mode database there (a faithful restored copy). */
function makeCleanDatabase(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = wal');
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO t (body) VALUES ('restored')");
  db.close();
  return path;
}

function manifest(databases: { source: string; sha256: string }[]): string {
  return `${JSON.stringify({
    format: 1,
    hotsnap_version: '0.1.0',
    profile: 'daily',
    hostname: 'blog',
    archive: 'crafted',
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
    failed_databases: [],
    paths: [],
    exclude: [],
  })}\n`;
}

describe('restore and verify never follow an archive out of the restored tree', () => {
  let world: World;
  const savedEmulatorDir = process.env.TARSNAP_EMULATOR_DIR;

  beforeAll(() => {
    world = createWorld('restore-symlinks');
    mkdirSync(join(world.dir, 'unused'));
    world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'unused')], retention: { keep_last: 5 } } } });
  });
  afterAll(() => {
    world?.cleanup();
    if (savedEmulatorDir === undefined) delete process.env.TARSNAP_EMULATOR_DIR;
    else process.env.TARSNAP_EMULATOR_DIR = savedEmulatorDir;
  });

  /**
   * Given an archive name, a function that fills a fresh tree, and the manifest's databases,
   * stores the tree (its top-level entries plus .hotsnap/manifest.json) as that archive.
   */
  async function craftArchive(
    name: string,
    fill: (tree: string) => void,
    databases: { source: string; sha256: string }[],
  ): Promise<void> {
    const tree = mkdtempSync(join(world.dir, `tree-${name}-`));
    fill(tree);
    mkdirSync(join(tree, '.hotsnap'));
    writeFileSync(join(tree, '.hotsnap/manifest.json'), manifest(databases));
    const create = await world.tarsnap([
      '-c',
      '--no-default-config',
      '--keyfile',
      world.keyfile,
      '--cachedir',
      world.cachedir,
      '-f',
      name,
      '-C',
      tree,
      'srv',
      '.hotsnap',
    ]);
    expect(String(create.stderr)).toBe('');
    expect(create.exitCode).toBe(0);
  }

  function unsafeLine(shown: string, link: string, target: string): string {
    return (
      `  /srv/app.db: UNSAFE, not checked: the archive is unsafe: ${shown} in the restored tree is a symlink to ${link}; ` +
      `hotsnap removed and opened nothing through it, so nothing outside ${target} was touched: ` +
      'do not restore this archive to / (any host with a write key can store such an archive)'
    );
  }

  it("restore --to T: an archive's srv -> /live/dir does not cost the live database its -wal", async () => {
    const live = makeLiveDatabase(join(world.dir, 'live-restore'));
    const before = liveFiles(live);
    await craftArchive('srv-link', (tree) => symlinkSync(join(world.dir, 'live-restore'), join(tree, 'srv')), [
      { source: '/srv/app.db', sha256: 'a'.repeat(64) },
    ]);
    const target = mkdtempSync(join(world.dir, 'target-'));

    const result = await world.hotsnap(['restore', 'srv-link', '--to', target]);
    expect(String(result.stderr)).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toContain(`${unsafeLine('/srv', join(world.dir, 'live-restore'), target)}\n`);
    expect(String(result.stdout).split('\n').at(-1)).toBe('1 of 1 databases FAILED verification');
    expect(liveFiles(live)).toEqual(before);
    expect(rows(live)).toBe(ROWS);
  });

  it('verify: the same archive fails the drill as unsafe, the live database and its rows intact; a path seen through the link is not "present"', async () => {
    const liveDir = join(world.dir, 'live-verify');
    const live = makeLiveDatabase(liveDir);
    mkdirSync(join(liveDir, 'uploads'));
    writeFileSync(join(liveDir, 'uploads/photo.jpg'), 'live upload');
    const before = liveFiles(live);
    // A real archive of profile daily names the newest; then the attacker's archive takes its name.
    const run = await world.hotsnap(['run', 'daily', '--no-prune']);
    expect(run.exitCode).toBe(0);
    const name = /archive (\S+)/.exec(String(run.stdout))![1]!;
    expect(
      (
        await world.tarsnap([
          '-d',
          '--no-default-config',
          '--keyfile',
          world.keyfile,
          '--cachedir',
          world.cachedir,
          '-f',
          name,
        ])
      ).exitCode,
    ).toBe(0);
    await craftArchive(name, (tree) => symlinkSync(liveDir, join(tree, 'srv')), [
      { source: '/srv/app.db', sha256: 'a'.repeat(64) },
    ]);
    world.writeConfig({ profiles: { daily: { paths: ['/srv/uploads'], retention: { keep_last: 5 } } } });

    const result = await world.hotsnap(['verify', 'daily']).finally(() => {
      world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'unused')], retention: { keep_last: 5 } } } });
    });
    expect(String(result.stderr)).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(1);
    const lines = String(result.stdout).split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^daily: FAILED {2}archive ${name} {2}0 of 1 database verified {2}0 of 1 path present .*error: /srv/app.db: the archive is unsafe`,
      ),
    );
    const stage = `${escapeRegExp(world.stagingDir)}/[^ ]*verify-daily-[^/ ]+`;
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${escapeRegExp(unsafeLine('/srv', liveDir, 'STAGE')).replace('STAGE', stage)}$`),
      ),
    );
    expect(lines).toContain('  /srv/uploads: NOT IN ARCHIVE (configured, but the archive does not hold it)');
    expect(liveFiles(live)).toEqual(before);
    expect(rows(live)).toBe(ROWS);
  });

  it('a database file that is a symlink out of the tree is unsafe, never opened', async () => {
    const live = makeLiveDatabase(join(world.dir, 'live-db-link'));
    const before = liveFiles(live);
    await craftArchive(
      'db-link',
      (tree) => {
        mkdirSync(join(tree, 'srv'));
        symlinkSync(live, join(tree, 'srv/app.db'));
      },
      [{ source: '/srv/app.db', sha256: 'a'.repeat(64) }],
    );
    const target = mkdtempSync(join(world.dir, 'target-'));
    const result = await world.hotsnap(['restore', 'db-link', '--to', target]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toContain(`${unsafeLine('/srv/app.db', live, target)}\n`);
    expect(liveFiles(live)).toEqual(before);
    expect(rows(live)).toBe(ROWS);
  });

  it('a -wal side file that is a symlink is unsafe: neither removed nor opened by SQLite', async () => {
    const live = makeLiveDatabase(join(world.dir, 'live-wal-link'));
    const before = liveFiles(live);
    const copy = makeCleanDatabase(join(world.dir, 'clean/app.db'));
    const sha256 = await sha256File(copy);
    await craftArchive(
      'wal-link',
      (tree) => {
        mkdirSync(join(tree, 'srv'));
        writeFileSync(join(tree, 'srv/app.db'), readFileSync(copy));
        symlinkSync(`${live}-wal`, join(tree, 'srv/app.db-wal'));
      },
      [{ source: '/srv/app.db', sha256 }],
    );
    const target = mkdtempSync(join(world.dir, 'target-'));
    const result = await world.hotsnap(['restore', 'wal-link', '--to', target]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toContain(
      `  /srv/app.db: UNSAFE, not checked: the archive is unsafe: /srv/app.db-wal in the restored tree is a symlink to ${live}-wal; ` +
        `hotsnap removed and opened nothing through it, so nothing outside ${target} was touched`,
    );
    expect(readlinkSync(join(target, 'srv/app.db-wal'))).toBe(`${live}-wal`);
    expect(liveFiles(live)).toEqual(before);
    expect(rows(live)).toBe(ROWS);
  });

  it('a restored database that is a hard link to a live file is unsafe, not "verified ok"', async () => {
    const live = makeLiveDatabase(join(world.dir, 'live-hard-link'));
    const before = liveFiles(live);
    // What extracting a hard-link member with a "../" target leaves (1.0.41 does not check it).
    const root = mkdtempSync(join(world.dir, 'target-'));
    mkdirSync(join(root, 'srv'));
    linkSync(live, join(root, 'srv/app.db'));
    const check = await checkRestoredDatabase(
      root,
      { source: '/srv/app.db', sha256: await sha256File(live) },
      silentLogger,
    );
    expect(check).toMatchObject({ source: '/srv/app.db', status: 'unsafe' });
    expect(check.detail).toBe(
      'the archive is unsafe: /srv/app.db in the restored tree is a hard link (2 names; another may be outside the restored tree); ' +
        `hotsnap removed and opened nothing through it, so nothing outside ${root} was touched: ` +
        'do not restore this archive to / (any host with a write key can store such an archive)',
    );
    expect(liveFiles(live)).toEqual(before);
  });

  describe('restore --to / (a sandbox standing for /)', () => {
    let context: Context;
    let sha256: string;

    beforeAll(async () => {
      process.env.TARSNAP_EMULATOR_DIR = world.emulatorDir;
      context = { ...createContext({ config: world.configFile }), logger: silentLogger };
      const copy = makeCleanDatabase(join(world.dir, 'root-clean/app.db'));
      sha256 = await sha256File(copy);
      await craftArchive(
        'root-app',
        (tree) => {
          mkdirSync(join(tree, 'srv'));
          writeFileSync(join(tree, 'srv/app.db'), readFileSync(copy));
        },
        [{ source: '/srv/app.db', sha256 }],
      );
    });

    /** A sandbox standing for `/`, with the application's live files at /srv/app.db. */
    function sandbox(): { root: string; live: string } {
      const root = mkdtempSync(join(world.dir, 'root-'));
      const live = makeLiveDatabase(join(root, 'srv'));
      return { root, live };
    }

    it("refuses while the database's -shm exists (exit 1), before extracting anything", async () => {
      const { root, live } = sandbox();
      const before = liveFiles(live);
      const callsBefore = world.calls().length;
      const privateDir = mkdtempSync(join(world.dir, 'manifest-'));
      const restoring = restoreCommand(
        context,
        'root-app',
        [],
        { to: root },
        { isRoot: () => true, makePrivateDir: () => privateDir },
      );
      await expect(restoring).rejects.toThrow(UserError);
      await expect(restoring).rejects.toMatchObject({
        exitCode: 1,
        message: `not restoring over ${live}: it looks in use by a running application (${live}-shm exists): stop it first (e.g. systemctl stop ghost), then restore again; --force restores anyway (also when a crash left the -shm behind)`,
      });
      expect(
        world
          .calls()
          .slice(callsBefore)
          .map((call) => call.mode),
      ).toEqual(['-t']);
      expect(liveFiles(live)).toEqual(before);
      expect(rows(live)).toBe(ROWS);
    });

    it('restore --help documents --force', async () => {
      const help = await world.hotsnap(['restore', '--help']);
      expect(help.exitCode).toBe(0);
      expect(String(help.stdout)).toMatch(/--force +with --to \/: restore even over a database that looks in use/);
    });

    it('--force restores anyway, warning, and replaces the old -wal/-shm', async () => {
      const { root, live } = sandbox();
      const privateDir = mkdtempSync(join(world.dir, 'manifest-'));
      const result = await restoreCommand(
        context,
        'root-app',
        [],
        { to: root, force: true, json: true },
        { isRoot: () => true, makePrivateDir: () => privateDir },
      );
      expect(result.exitCode).toBe(0);
      const summary = JSON.parse(result.stdout!);
      expect(summary.warnings).toEqual([
        expect.stringContaining(`Its ${live}-shm exists: the application may be running right now.`),
      ]);
      expect(summary.databases).toEqual([
        expect.objectContaining({ source: '/srv/app.db', status: 'ok', removed: [`${live}-wal`, `${live}-shm`] }),
      ]);
      expect(lstatSync(live).isFile()).toBe(true);
      expect(await sha256File(live)).toBe(sha256);
    });
  });
});
