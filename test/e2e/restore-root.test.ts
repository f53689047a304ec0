/**
 * `hotsnap restore … --to /` without writing to the real `/`: the restore runs in-process against
 * the emulator with `isRoot` saying yes for a sandbox directory, so the sandbox stands for `/` and
 * holds "live" files. Everything else (tarsnap calls, checks, file system) is real.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreCommand } from '../../src/commands/restore.js';
import { createContext, type Context } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { createWorld, FIXTURES, type World } from './harness.js';

describe('hotsnap restore --to /', () => {
  let world: World;
  let db: string;
  let archive: string;
  let logged = '';
  let context: Context;

  beforeAll(async () => {
    world = createWorld('restore-root');
    db = join(world.dir, 'srv/app/app.db');
    mkdirSync(join(world.dir, 'srv/app'), { recursive: true });
    await execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', db, '--size-mb', '1']);
    writeFileSync(join(world.dir, 'srv/app/readme.txt'), 'hello\n');
    world.writeConfig({
      profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'srv/app')], retention: { keep_last: 5 } } },
    });
    const run = await world.hotsnap(['run']);
    expect(run.exitCode).toBe(0);
    archive = /archive (\S+)/.exec(String(run.stdout))![1]!;
    process.env.TARSNAP_EMULATOR_DIR = world.emulatorDir;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged += chunk.toString();
        callback();
      },
    });
    context = { ...createContext({ config: world.configFile }), logger: createLogger({ destination, level: 'info' }) };
  });
  afterAll(() => world?.cleanup());

  /** A sandbox standing for `/`, with the live app's files at the database's place. */
  function sandboxWithLiveApp(): string {
    const root = mkdtempSync(join(world.dir, 'root-'));
    const live = join(root, db);
    mkdirSync(join(live, '..'), { recursive: true });
    writeFileSync(live, 'the damaged live database');
    writeFileSync(`${live}-wal`, 'frames of the old file');
    writeFileSync(`${live}-shm`, 'index of the old file');
    return root;
  }

  it('with --force over a live -shm: warns loudly, keeps .hotsnap out of /, removes the old -wal/-shm and verifies the database', async () => {
    const root = sandboxWithLiveApp();
    const privateDir = mkdtempSync(join(world.dir, 'manifest-'));
    const callsBefore = world.calls().length;
    const result = await restoreCommand(
      context,
      'latest',
      [],
      { to: root, force: true },
      { isRoot: () => true, makePrivateDir: () => privateDir },
    );
    const live = join(root, db);

    expect(result.exitCode).toBe(0);
    const stdout = result.stdout!;
    expect(stdout).toContain(`restored ${archive} into ${root}: 2 files\n`);
    expect(stdout).toContain(
      `WARNING: restoring over the live database ${live}: STOP the application that uses it first;`,
    );
    expect(stdout).toContain(`Its ${live}-shm exists: the application may be running right now.\n`);
    expect(stdout).toContain(`manifest: ${privateDir}/.hotsnap/manifest.json\n`);
    expect(stdout).toContain(
      `  ${db}: verified ok (SHA-256 matches the manifest, integrity_check ok); removed stale ${live}-wal, ${live}-shm\n`,
    );
    expect(logged).toMatch(/WARN .*restoring over the live database/);

    // Nothing of hotsnap's own lands in "/"; the manifest is kept where the summary says.
    expect(readdirSync(root)).toEqual([world.dir.split('/')[1]]);
    expect(existsSync(join(root, '.hotsnap'))).toBe(false);
    expect(JSON.parse(readFileSync(join(privateDir, '.hotsnap/manifest.json'), 'utf8')).archive).toBe(archive);
    expect(readFileSync(join(root, world.dir, 'srv/app/readme.txt'), 'utf8')).toBe('hello\n');

    // -t, then the manifest alone into the private dir, then the rest named by its top-level entry.
    const calls = world.calls().slice(callsBefore);
    expect(calls.map((call) => call.mode)).toEqual(['--list-archives', '-t', '-x', '-x']);
    const [, , manifestCall, restoreCall] = calls;
    expect(manifestCall!.argv.slice(-3)).toEqual(['-C', privateDir, '.hotsnap/manifest.json']);
    expect(manifestCall!.argv.slice(0, 2)).toEqual(['-x', '-q']);
    expect(restoreCall!.argv.slice(-3)).toEqual(['-C', root, world.dir.split('/')[1]]);
  });

  it('a stopped application (no -shm beside its database) needs no --force', async () => {
    const root = sandboxWithLiveApp();
    rmSync(join(root, `${db}-shm`));
    const privateDir = mkdtempSync(join(world.dir, 'manifest-'));
    const result = await restoreCommand(
      context,
      'latest',
      [],
      { to: root, json: true },
      { isRoot: () => true, makePrivateDir: () => privateDir },
    );
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout!).databases).toEqual([
      expect.objectContaining({ source: db, status: 'ok', removed: [`${join(root, db)}-wal`] }),
    ]);
  });

  it('named members only: the same, for just those', async () => {
    const root = sandboxWithLiveApp();
    const privateDir = mkdtempSync(join(world.dir, 'manifest-'));
    const result = await restoreCommand(
      context,
      archive,
      [db],
      { to: root, json: true, force: true },
      { isRoot: () => true, makePrivateDir: () => privateDir },
    );
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(result.stdout!);
    expect(summary).toMatchObject({
      archive,
      target: root,
      files: 1,
      manifest: join(privateDir, '.hotsnap/manifest.json'),
      ok: true,
    });
    expect(summary.warnings).toHaveLength(1);
    expect(summary.databases).toEqual([
      expect.objectContaining({
        source: db,
        status: 'ok',
        removed: [`${join(root, db)}-wal`, `${join(root, db)}-shm`],
      }),
    ]);
    expect(existsSync(join(root, world.dir, 'srv/app/readme.txt'))).toBe(false);
    expect(existsSync(join(root, '.hotsnap'))).toBe(false);
  });
});
