/**
 * The unlucky operator (issue 8, cases 4, 5 and 6): a clock that runs behind, a full state_dir or
 * staging_dir, and a database that fails its hot copy for a week. Each ends with nothing lost, a
 * one-line reason and the right exit code; hooks and pings still hear about it.
 */
import { execa } from 'execa';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, FIXTURES, stagingLeftovers, type World } from '../e2e/harness.js';

const DAY = 86_400_000;

/** Lists the archive names the emulator holds, sorted. */
async function archiveNames(world: World): Promise<string[]> {
  const listed = await world.tarsnap(['--list-archives', '--keyfile', world.keyfile]);
  return String(listed.stdout).split('\n').filter(Boolean).sort();
}

function makeDb(path: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  return execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', path, '--size-mb', '1', '--journal', 'wal']);
}

describe('case 4: a clock that runs behind never prunes the archive just made', () => {
  let world: World;
  beforeAll(async () => {
    world = createWorld('clock');
    mkdirSync(join(world.dir, 'data'));
    writeFileSync(join(world.dir, 'data/file.txt'), 'x\n');
    world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } } });
    await world.fsck();
  });
  afterAll(() => world.cleanup());

  it('warns that the clock is wrong, prunes nothing, keeps the new archive and fails the run', async () => {
    for (const day of [1, 2, 3]) {
      world.setNow(new Date(Date.parse('2026-03-01T03:00:00Z') + day * DAY));
      expect((await world.hotsnap(['run'])).exitCode).toBe(0);
    }
    // The machine's clock now runs a day behind the last run.
    world.setNow('2026-03-03T03:00:00Z');
    const result = await world.hotsnap(['run']);
    expect(await archiveNames(world)).toEqual([
      'blog-daily-2026-03-02_03-00-00',
      'blog-daily-2026-03-03_03-00-00',
      'blog-daily-2026-03-03_03-00-00.2',
      'blog-daily-2026-03-04_03-00-00',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^daily: FAILED {2}archive blog-daily-2026-03-03_03-00-00\.2 .*backup ok, prune failed/m,
    );
    expect(result.stderr).toMatch(
      /archive blog-daily-2026-03-04_03-00-00 is dated 2026-03-04T03:00:00\.000Z, after this machine's clock .*the clock is wrong/,
    );
  });

  it('a standalone prune refuses too, even with --force', async () => {
    const result = await world.hotsnap(['prune', '--force']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/the clock is wrong/);
    expect(await archiveNames(world)).toHaveLength(4);
  });
});

describe('case 6: an archive stored without a failed database never passes for a complete backup', () => {
  let world: World;
  let db: string;
  beforeAll(async () => {
    world = createWorld('incomplete');
    db = join(world.dir, 'srv/app.db');
    await makeDb(db);
    world.writeConfig({ profiles: { daily: { sqlite: [db], paths: [], retention: { keep_daily: 2 } } } });
    await world.fsck();
  });
  afterAll(() => world.cleanup());

  it('names it .incomplete; list flags it; latest, retention and prune skip it until a complete one is newer', async () => {
    world.setNow('2026-03-01T03:00:00Z');
    expect((await world.hotsnap(['run'])).exitCode).toBe(0);
    // For days the database is not a database (an application bug, a bad migration…).
    rmSync(db);
    writeFileSync(db, 'this is not an SQLite database, it is long enough to have a header though\n'.repeat(20));
    for (let day = 2; day <= 4; day++) {
      world.setNow(`2026-03-0${day}T03:00:00Z`);
      const run = await world.hotsnap(['run']);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(
        new RegExp(
          `^daily: FAILED .*archive blog-daily-2026-03-0${day}_03-00-00\\.incomplete was stored without it, marked incomplete`,
          'm',
        ),
      );
    }
    const list = await world.hotsnap(['list']);
    expect(list.stdout).toMatch(/^daily: 1 archive, 3 incomplete$/m);
    expect(list.stdout).toMatch(/blog-daily-2026-03-04_03-00-00\.incomplete {2}\[INCOMPLETE/);
    const json = JSON.parse(String((await world.hotsnap(['list', '--json'])).stdout)) as {
      name: string;
      incomplete: boolean;
    }[];
    expect(json.filter((row) => row.incomplete)).toHaveLength(3);

    // keep_daily: 2 would keep the two newest days: with incompletes counted, the only archive
    // holding the database would go.
    const prune = await world.hotsnap(['prune']);
    expect(prune.exitCode).toBe(0);
    expect(await archiveNames(world)).toContain('blog-daily-2026-03-01_03-00-00');
    expect(await archiveNames(world)).toHaveLength(4);

    const target = join(world.dir, 'restored');
    mkdirSync(target);
    const restore = await world.hotsnap(['restore', 'latest', '--to', target]);
    expect(restore.exitCode).toBe(0);
    expect(`${restore.stdout}${restore.stderr}`).toContain('blog-daily-2026-03-01_03-00-00');

    // The database is back: the next complete archive supersedes the incomplete ones.
    rmSync(db);
    await makeDb(db);
    world.setNow('2026-03-05T03:00:00Z');
    expect((await world.hotsnap(['run'])).exitCode).toBe(0);
    expect(await archiveNames(world)).toEqual(['blog-daily-2026-03-01_03-00-00', 'blog-daily-2026-03-05_03-00-00']);
  });
});

/** Mounts a tmpfs of `kib` KiB at dir; false (with the reason printed) where mounting is impossible. */
async function mountTmpfs(dir: string, kib: number): Promise<boolean> {
  mkdirSync(dir, { recursive: true });
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { reject: false });
  if (mounted.exitCode !== 0)
    console.log(`skipped: cannot mount a tmpfs to fill (${mounted.stderr.trim() || 'not root'})`);
  return mounted.exitCode === 0;
}

/** Fills the file system at dir, leaving `keepKib` KiB free. */
async function fill(dir: string, keepKib: number) {
  const df = await execa('df', ['-k', '--output=avail', dir]);
  const free = Number(df.stdout.trim().split('\n').pop());
  writeFileSync(join(dir, 'filler'), Buffer.alloc(Math.max(0, free - keepKib) * 1024));
}

describe('case 5: full disks are failures with a reason, never internal errors', () => {
  let world: World;
  let server: Server;
  let pingBase: string;
  const hits: string[] = [];
  const mounts: string[] = [];
  beforeAll(async () => {
    world = createWorld('full');
    mkdirSync(join(world.dir, 'data'));
    writeFileSync(join(world.dir, 'data/file.txt'), 'x\n');
    server = createServer((request, response) => {
      hits.push(`${request.method} ${(request.url ?? '').split('?')[0]}`);
      request.resume();
      request.on('end', () => response.end('OK'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pingBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
    await world.fsck();
  });
  afterEach(async () => {
    for (const dir of mounts.splice(0)) await execa('umount', [dir], { reject: false });
    hits.length = 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    world.cleanup();
  });

  const hook = (file: string) => ['sh', '-c', `echo "$HOTSNAP_EVENT $HOTSNAP_STATUS" >> ${join(world.dir, file)}`];

  it('a full state_dir: every profile still runs, each fails with the reason; hooks and pings fire; nothing is left', async (context) => {
    const stateDir = join(world.dir, 'full-state');
    if (!(await mountTmpfs(stateDir, 64))) return context.skip();
    mounts.push(stateDir);
    await fill(stateDir, 0);
    world.writeConfig({
      state_dir: stateDir,
      hooks: { on_error: hook('state-hooks.log'), finally: hook('state-hooks.log') },
      profiles: {
        daily: { paths: [join(world.dir, 'data')], ping: `${pingBase}/daily` },
        weekly: { paths: [join(world.dir, 'data')], ping: `${pingBase}/weekly` },
      },
    });
    const result = await world.hotsnap(['run']);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(1);
    const lines = String(result.stdout).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const [index, profile] of ['daily', 'weekly'].entries()) {
      expect(lines[index]).toMatch(
        new RegExp(
          `^${profile}: FAILED {2}archive blog-${profile}-.*backup ok, but cannot write state file .*no space left on the device`,
        ),
      );
    }
    expect(hits).toEqual([
      'GET /ping/daily/start',
      'POST /ping/daily/fail',
      'GET /ping/weekly/start',
      'POST /ping/weekly/fail',
    ]);
    expect(readdirSync(join(stateDir, 'profiles')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(stagingLeftovers(world)).toEqual([]);
    const hooks = (await execa('cat', [join(world.dir, 'state-hooks.log')])).stdout;
    expect(hooks).toBe('on_error failed\nfinally failed');
  });

  it('a staging_dir that fills up while the manifest is written: that profile fails with the reason, the next one runs', async (context) => {
    const stagingDir = join(world.dir, 'full-staging');
    if (!(await mountTmpfs(stagingDir, 64))) return context.skip();
    mounts.push(stagingDir);
    // One page free: the stage's owner marker takes it, the manifest finds the disk full.
    await fill(stagingDir, 4);
    world.writeConfig({
      staging_dir: stagingDir,
      // A throwaway stage, whose owner marker takes the one free page (a kept one writes no marker).
      defaults: { keep_snapshot: false },
      hooks: { on_error: hook('staging-hooks.log') },
      profiles: {
        daily: { paths: [join(world.dir, 'data')], ping: `${pingBase}/daily` },
        weekly: { paths: [join(world.dir, 'data')] },
      },
    });
    const result = await world.hotsnap(['run']);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^daily: FAILED .*cannot write the archive's manifest in staging_dir .*no space left on the device/m,
    );
    expect(result.stdout).toMatch(/^weekly: FAILED .*no space left on the device/m);
    expect(hits).toEqual(['GET /ping/daily/start', 'POST /ping/daily/fail']);
    expect(readdirSync(stagingDir).filter((name) => name !== 'filler' && name !== 'hotsnap')).toEqual([]);
    expect(readdirSync(join(stagingDir, 'hotsnap'))).toEqual([]);
    expect((await execa('cat', [join(world.dir, 'staging-hooks.log')])).stdout).toBe('on_error failed');
  });
});
