/**
 * Issue 8, case 1: the leftover sweep must never delete what isn't ours. staging_dir here is
 * sticky and world-writable like /tmp; "another user" is nobody (directories chowned to it), and
 * each case runs the built CLI against the tarsnap emulator. Build first (`npm run build`).
 */
import { execa } from 'execa';
import {
  chmodSync,
  existsSync,
  lchownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, FIXTURES, ROOT, type World } from '../e2e/harness.js';

const nobody = Number(/^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))?.[1] ?? Number.NaN);
const noSecondUser =
  process.getuid?.() !== 0
    ? 'not running as root, cannot chown to another user'
    : Number.isNaN(nobody)
      ? 'no user nobody'
      : undefined;
if (noSecondUser) console.warn(`skipping the staging-sweep cases that need a second user: ${noSecondUser}`);

let world: World;
let privateDir: string;
beforeEach(async () => {
  world = createWorld('sweep');
  privateDir = join(world.stagingDir, 'hotsnap');
  chmodSync(world.stagingDir, 0o1777);
  const db = join(world.dir, 'data/app.db');
  mkdirSync(join(world.dir, 'data'), { recursive: true });
  await execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', db, '--size-mb', '1']);
  world.writeConfig({ profiles: { daily: { sqlite: [db], retention: { keep_last: 5 } } } });
});
// rm -rf, not rmSync: it removes the trees nested past PATH_MAX that rmSync cannot.
afterEach(async () => {
  await execa('rm', ['-rf', world.dir]);
});

async function deadPid(): Promise<number> {
  return Number((await execa('node', ['-e', 'console.log(process.pid)'])).stdout);
}

async function archives(): Promise<string[]> {
  return String((await world.tarsnap(['--list-archives', '--keyfile', world.keyfile])).stdout)
    .split('\n')
    .filter(Boolean);
}

/** Given a path, makes a directory that looks like a crashed run's stage: a dead-PID .owner and a file. */
async function fakeStage(path: string): Promise<void> {
  mkdirSync(join(path, 'var/db'), { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  writeFileSync(join(path, '.owner'), JSON.stringify({ pid: await deadPid(), started: '2026-01-01T00:00:00Z' }));
  writeFileSync(join(path, 'var/db/app.db'), "someone else's file");
}

function chownTree(path: string, uid: number): void {
  lchownSync(path, uid, uid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid);
    else lchownSync(child, uid, uid);
  }
}

/** Nests 2100 directories `d` below dir (past PATH_MAX), in a child that walks down by relative chdir. */
async function nestPastPathMax(dir: string): Promise<void> {
  const script =
    "const fs = require('node:fs'); process.chdir(process.argv[1]); " +
    "const chunk = Array(100).fill('d').join('/'); " +
    'for (let i = 0; i < 21; i++) { fs.mkdirSync(chunk, { recursive: true }); process.chdir(chunk); }';
  await execa('node', ['-e', script, dir]);
}

describe('the leftover sweep', () => {
  it.skipIf(noSecondUser)("leaves another user's look-alike stages alone, in a dry run and a real run", async () => {
    const planted = join(world.stagingDir, 'hotsnap-daily-Planted');
    await fakeStage(planted);
    chownTree(planted, nobody);
    const ownerless = join(world.stagingDir, 'hotsnap-daily-NoOwner');
    mkdirSync(ownerless, { mode: 0o700 });
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(ownerless, old, old);
    lchownSync(ownerless, nobody, nobody);

    const dryRun = await world.hotsnap(['run', '--dry-run']);
    expect(dryRun.exitCode).toBe(0);
    const run = await world.hotsnap(['run']);
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(planted, 'var/db/app.db'), 'utf8')).toBe("someone else's file");
    expect(existsSync(join(planted, '.owner'))).toBe(true);
    expect(existsSync(ownerless)).toBe(true);
    expect(`${dryRun.stderr}${run.stderr}`).not.toContain('removed a staging directory');
  });

  it.skipIf(noSecondUser)(
    'follows no symlink: neither a planted hotsnap-* link nor a link inside a planted stage leads it elsewhere',
    async () => {
      const victim = join(world.dir, 'victim');
      await fakeStage(victim);
      writeFileSync(join(victim, 'precious'), "root's file");
      const link = join(world.stagingDir, 'hotsnap-daily-Link');
      symlinkSync(victim, link);
      lchownSync(link, nobody, nobody);
      const planted = join(world.stagingDir, 'hotsnap-daily-Nest');
      await fakeStage(planted);
      symlinkSync(victim, join(planted, 'escape'));
      chownTree(planted, nobody);

      const run = await world.hotsnap(['run']);
      expect(run.exitCode).toBe(0);
      expect(readdirSync(victim).sort()).toEqual(['.owner', 'precious', 'var']);
      expect(readFileSync(join(victim, 'precious'), 'utf8')).toBe("root's file");
      expect(existsSync(join(victim, 'var/db/app.db'))).toBe(true);
      expect(readdirSync(world.stagingDir).sort()).toEqual(['hotsnap', 'hotsnap-daily-Link', 'hotsnap-daily-Nest']);
      expect(existsSync(join(planted, 'escape'))).toBe(true);
    },
  );

  it('a tree nested past PATH_MAX does not stop the backup: the old-style one is left alone, ours is a warning', async () => {
    const oldStyle = join(world.stagingDir, 'hotsnap-daily-Deep01');
    await fakeStage(oldStyle);
    await nestPastPathMax(oldStyle);
    mkdirSync(privateDir, { mode: 0o700 });
    chmodSync(privateDir, 0o700);
    const ours = join(privateDir, 'daily-Deep02');
    await fakeStage(ours);
    await nestPastPathMax(ours);

    const run = await world.hotsnap(['run']);
    expect(run.stderr).not.toContain('internal error');
    expect(run.exitCode).toBe(0);
    expect(await archives()).toHaveLength(1);
    expect(run.stderr).toContain(`cannot remove a staging directory left by a crashed run`);
    expect(run.stderr).toContain(`remove it by hand: rm -r ${ours}`);
    expect(run.stderr).toContain(`left alone: a staging directory of an older hotsnap in ${world.stagingDir}`);
    expect(existsSync(join(oldStyle, '.owner'))).toBe(true);
  });

  it.skipIf(noSecondUser)(
    'a staging_dir/hotsnap planted by another user fails the run with the fix, and nothing in it is deleted',
    async () => {
      mkdirSync(privateDir, { mode: 0o700 });
      const theirs = join(privateDir, 'daily-Theirs');
      await fakeStage(theirs);
      chownTree(privateDir, nobody);

      const run = await world.hotsnap(['run']);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain(
        `error: ${privateDir} is owned by uid ${nobody} (nobody), not by you: another user may have planted it; remove it (rm -r ${privateDir}) or set staging_dir to a directory only you can write`,
      );
      expect(readFileSync(join(theirs, 'var/db/app.db'), 'utf8')).toBe("someone else's file");
      expect(readdirSync(privateDir)).toEqual(['daily-Theirs']);
      expect(await archives()).toEqual([]);

      const check = await world.hotsnap(['check', '--json']);
      expect(JSON.parse(String(check.stdout))).toContainEqual({
        check: 'staging_dir',
        status: 'problem',
        message: `${privateDir} is owned by uid ${nobody} (nobody), not by you: another user may have planted it`,
        fix: `remove it (rm -r ${privateDir}) or set staging_dir to a directory only you can write`,
      });
    },
  );

  it.skipIf(noSecondUser)(
    "a staging_dir/hotsnap that is another user's symlink fails the run, and nothing is staged where it points",
    async () => {
      const elsewhere = join(world.dir, 'elsewhere');
      mkdirSync(elsewhere, { mode: 0o700 });
      symlinkSync(elsewhere, privateDir);
      lchownSync(privateDir, nobody, nobody);

      const run = await world.hotsnap(['run']);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain(
        `error: ${privateDir} is a symbolic link, not hotsnap's private staging directory: another user may have planted it; remove it (rm ${privateDir})`,
      );
      expect(readdirSync(elsewhere)).toEqual([]);
    },
  );

  it("still removes our own crashed run's stage (its process is gone)", async () => {
    // A run killed with SIGKILL: no signal handler ran, so its stage (and .owner marker) stays.
    const script = `
      import { createStagingDir } from ${JSON.stringify(join(ROOT, 'src/adapters/staging.ts'))};
      import { mkdirSync, writeFileSync } from 'node:fs';
      const stage = createStagingDir(${JSON.stringify(world.stagingDir)}, 'daily');
      mkdirSync(stage.placeFor('/srv'), { recursive: true });
      writeFileSync(stage.placeFor('/srv/app.db'), 'copy');
      console.log(stage.path);
      process.kill(process.pid, 'SIGKILL');
    `;
    const crashed = await execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], {
      reject: false,
      cwd: ROOT,
    });
    expect(crashed.signal).toBe('SIGKILL');
    const stage = String(crashed.stdout).trim();
    expect(existsSync(join(stage, 'srv/app.db'))).toBe(true);

    const run = await world.hotsnap(['run']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('removed a staging directory left by a run that crashed');
    expect(existsSync(stage)).toBe(false);
  });
});
