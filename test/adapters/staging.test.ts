import { execa } from 'execa';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStagingDir } from '../../src/adapters/staging.js';
import { inspectStaging } from '../../src/adapters/staging-safety.js';
import { removeLeftovers } from '../../src/adapters/staging-sweep.js';

const root = process.getuid?.() === 0;
const nobody = Number(/^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))?.[1] ?? Number.NaN);
const noSecondUser = !root
  ? 'not root: cannot chown to another user'
  : Number.isNaN(nobody)
    ? 'no user nobody'
    : undefined;
if (noSecondUser) console.log(`skipping the tests that need a second user: ${noSecondUser}`);

let parent: string;
let privateDir: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'hotsnap-staging-test-'));
  privateDir = join(parent, 'hotsnap');
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

async function deadPid(): Promise<number> {
  return Number((await execa('node', ['-e', 'console.log(process.pid)'])).stdout);
}

/** A stage as a crashed run of ours leaves it: 0700, with its marker naming a dead process. */
async function crashedStage(name: string): Promise<string> {
  const stage = createStagingDir(parent, name);
  mkdirSync(stage.placeFor('/var/db'), { recursive: true });
  writeFileSync(stage.placeFor('/var/db/app.db'), 'copy of a database');
  writeFileSync(join(stage.path, '.owner'), JSON.stringify({ pid: await deadPid(), started: '2026-01-01T00:00:00Z' }));
  return stage.path;
}

/** Nests 2100 directories `d` below dir (4200 characters, past PATH_MAX), in a child walking down by relative chdir. */
async function nestPastPathMax(dir: string): Promise<void> {
  const script =
    "const fs = require('node:fs'); process.chdir(process.argv[1]); const chunk = Array(100).fill('d').join('/'); for (let i = 0; i < 21; i++) { fs.mkdirSync(chunk, { recursive: true }); process.chdir(chunk); }";
  await execa('node', ['-e', script, dir]);
}

function collectWarnings(): { logger: never; warnings: { fields: unknown; message: string }[] } {
  const warnings: { fields: unknown; message: string }[] = [];
  return {
    logger: { warn: (fields: unknown, message: string) => warnings.push({ fields, message }) } as never,
    warnings,
  };
}

describe('createStagingDir', () => {
  it('creates a private directory named after the profile in staging_dir/hotsnap and places copies at their absolute path', () => {
    const stage = createStagingDir(parent, 'daily');
    expect(stage.path).toMatch(new RegExp(`^${parent}/hotsnap/daily-[A-Za-z0-9]{6}$`));
    expect(statSync(privateDir).mode & 0o7777).toBe(0o700);
    expect(statSync(stage.path).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(join(stage.path, '.owner'), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(stage.placeFor('/var/www/ghost/content/data/ghost.db')).toBe(
      `${stage.path}/var/www/ghost/content/data/ghost.db`,
    );
    expect(() => stage.placeFor('relative.db')).toThrow(/absolute/);
    stage.remove();
    expect(existsSync(stage.path)).toBe(false);
    stage.remove();
  });

  it('makes the private directory 0700 whatever the umask', () => {
    const old = process.umask(0o777);
    try {
      createStagingDir(parent, 'daily').remove();
    } finally {
      process.umask(old);
    }
    expect(statSync(privateDir).mode & 0o7777).toBe(0o700);
  });

  it('says what to do when the parent is missing', () => {
    expect(() => createStagingDir(join(parent, 'nope'), 'daily')).toThrow(
      /does not exist: create it or set staging_dir/,
    );
  });

  it('stages in a sticky world-writable staging_dir (like /tmp)', () => {
    chmodSync(parent, 0o1777);
    const stage = createStagingDir(parent, 'daily');
    expect(existsSync(stage.path)).toBe(true);
    stage.remove();
  });

  it('refuses a staging_dir others can write without the sticky bit, naming the fix', () => {
    chmodSync(parent, 0o777);
    expect(() => createStagingDir(parent, 'daily')).toThrow(
      `staging_dir ${parent} is writable by other users (mode 0777, no sticky bit), who could swap hotsnap's private directory in it; run chmod go-w ${parent} (or chmod +t ${parent}), or set staging_dir to a directory only you can write`,
    );
    expect(existsSync(privateDir)).toBe(false);
  });

  it('refuses a private directory others can read, naming the fix', () => {
    mkdirSync(privateDir);
    chmodSync(privateDir, 0o755);
    expect(() => createStagingDir(parent, 'daily')).toThrow(
      `${privateDir} has mode 0755: other users can read the database copies in it or plant entries; run chmod 700 ${privateDir}`,
    );
    expect(readdirSync(privateDir)).toEqual([]);
  });

  it('refuses a private directory that is a symlink, and creates nothing where it points', () => {
    const elsewhere = join(parent, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, privateDir);
    expect(() => createStagingDir(parent, 'daily')).toThrow(
      `${privateDir} is a symbolic link, not hotsnap's private staging directory: another user may have planted it; remove it (rm ${privateDir}) or set staging_dir to a directory only you can write`,
    );
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it.skipIf(noSecondUser)('refuses a private directory owned by another user', () => {
    mkdirSync(privateDir, { mode: 0o700 });
    chownSync(privateDir, nobody, nobody);
    expect(() => createStagingDir(parent, 'daily')).toThrow(
      `${privateDir} is owned by uid ${nobody} (nobody), not by you: another user may have planted it; remove it (rm -r ${privateDir}) or set staging_dir to a directory only you can write`,
    );
    expect(inspectStaging(parent)?.message).toBe(
      `${privateDir} is owned by uid ${nobody} (nobody), not by you: another user may have planted it`,
    );
  });

  it.skipIf(noSecondUser)('refuses a staging_dir owned by another user (not root)', () => {
    chownSync(parent, nobody, nobody);
    expect(() => createStagingDir(parent, 'daily')).toThrow(
      `staging_dir ${parent} is owned by uid ${nobody} (nobody), who could swap hotsnap's private directory in it; set staging_dir to a directory only you can write (owned by you or root)`,
    );
  });
});

describe('inspectStaging', () => {
  it('finds nothing wrong with a private staging_dir, before and after the first stage', () => {
    expect(inspectStaging(parent)).toBeUndefined();
    createStagingDir(parent, 'daily').remove();
    expect(inspectStaging(parent)).toBeUndefined();
  });

  it('leaves a missing staging_dir to its caller', () => {
    expect(inspectStaging(join(parent, 'nope'))).toBeUndefined();
  });
});

describe('removeLeftovers', () => {
  it('removes our stage of a dead process and keeps a live one', async () => {
    const deadDir = await crashedStage('daily');
    const pid = JSON.parse(readFileSync(join(deadDir, '.owner'), 'utf8')).pid;
    const live = createStagingDir(parent, 'weekly');
    const { logger, warnings } = collectWarnings();
    expect(removeLeftovers(parent, logger)).toEqual([deadDir]);
    expect(readdirSync(privateDir)).toEqual([live.path.split('/').pop()]);
    expect(warnings).toEqual([
      {
        fields: { dir: deadDir, pid, started: '2026-01-01T00:00:00Z' },
        message: expect.stringContaining('left by a run that crashed'),
      },
    ]);
    live.remove();
  });

  it('removes an owner-less stage only when it is empty and past a grace period', () => {
    const orphan = join(privateDir, 'daily-orphan');
    const full = join(privateDir, 'daily-full');
    mkdirSync(privateDir, { mode: 0o700 });
    for (const dir of [orphan, full]) mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(full, 'app.db'), 'x');
    expect(removeLeftovers(parent)).toEqual([]);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const dir of [orphan, full]) utimesSync(dir, old, old);
    expect(removeLeftovers(parent)).toEqual([orphan]);
    expect(existsSync(join(full, 'app.db'))).toBe(true);
  });

  it('keeps an entry that is not exactly a stage of ours: a symlink, a loose mode, a marker that is a symlink', async () => {
    const victim = join(parent, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, '.owner'), JSON.stringify({ pid: await deadPid() }));
    writeFileSync(join(victim, 'precious'), 'keep me');
    mkdirSync(privateDir, { mode: 0o700 });
    symlinkSync(victim, join(privateDir, 'daily-link'));
    const loose = await crashedStage('loose');
    chmodSync(loose, 0o755);
    const linkedMarker = await crashedStage('marker');
    rmSync(join(linkedMarker, '.owner'));
    symlinkSync(join(victim, '.owner'), join(linkedMarker, '.owner'));

    expect(removeLeftovers(parent)).toEqual([]);
    expect(readdirSync(privateDir).sort()).toEqual(
      ['daily-link', loose.split('/').pop(), linkedMarker.split('/').pop()].sort(),
    );
    expect(readFileSync(join(victim, 'precious'), 'utf8')).toBe('keep me');
  });

  it.skipIf(noSecondUser)('keeps a stage owned by another user, and one whose marker another user wrote', async () => {
    const theirs = await crashedStage('theirs');
    chownSync(theirs, nobody, nobody);
    const forged = await crashedStage('forged');
    chownSync(join(forged, '.owner'), nobody, nobody);
    expect(removeLeftovers(parent)).toEqual([]);
    expect(existsSync(join(theirs, 'var/db/app.db'))).toBe(true);
    expect(existsSync(join(forged, 'var/db/app.db'))).toBe(true);
  });

  it.skipIf(noSecondUser)('sweeps nothing in a private directory that is not ours alone', async () => {
    const dead = await crashedStage('daily');
    lchownSync(privateDir, nobody, nobody);
    expect(removeLeftovers(parent)).toEqual([]);
    expect(existsSync(join(dead, 'var/db/app.db'))).toBe(true);
  });

  it('leaves a stage of an older version in staging_dir itself alone, and says so once', async () => {
    const old = join(parent, 'hotsnap-daily-Old123');
    mkdirSync(old, { mode: 0o700 });
    writeFileSync(join(old, '.owner'), JSON.stringify({ pid: await deadPid(), started: '2026-01-01T00:00:00Z' }));
    mkdirSync(join(parent, 'hotsnap-not-a-stage'));
    const { logger, warnings } = collectWarnings();
    expect(removeLeftovers(parent, logger)).toEqual([]);
    expect(existsSync(join(old, '.owner'))).toBe(true);
    expect(warnings).toEqual([
      {
        fields: { dirs: [old] },
        message: expect.stringContaining(`left alone: a staging directory of an older hotsnap in ${parent}`),
      },
    ]);
  });

  it('warns and goes on when a leftover cannot be removed', async () => {
    const stuck = await crashedStage('stuck');
    const dead = await crashedStage('dead');
    // rmSync cannot remove a tree nested past PATH_MAX (it overflows the stack or gets ENAMETOOLONG).
    await nestPastPathMax(stuck);
    const { logger, warnings } = collectWarnings();
    try {
      expect(removeLeftovers(parent, logger)).toEqual([dead]);
      expect(warnings).toContainEqual({
        fields: { dir: stuck },
        message: expect.stringMatching(
          new RegExp(
            `^cannot remove a staging directory left by a crashed run \\(.+\\); going on; remove it by hand: rm -r ${stuck}$`,
          ),
        ),
      });
    } finally {
      await execa('rm', ['-rf', parent]);
    }
  });
});

describe('interrupt', () => {
  it('removes the stage when the process gets SIGTERM', async () => {
    const script = `
      import { createStagingDir } from ${JSON.stringify(join(process.cwd(), 'src/adapters/staging.ts'))};
      import { writeFileSync, mkdirSync } from 'node:fs';
      const stage = createStagingDir(${JSON.stringify(parent)}, 'daily');
      mkdirSync(stage.placeFor('/srv'), { recursive: true });
      writeFileSync(stage.placeFor('/srv/app.db'), 'x');
      console.log(stage.path);
      setInterval(() => {}, 1000);
    `;
    const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
    const path = await new Promise<string>((resolve) =>
      child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
    );
    expect(existsSync(join(path, 'srv/app.db'))).toBe(true);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode === 143 || result.signal === 'SIGTERM').toBe(true);
    expect(existsSync(path)).toBe(false);
  });
});
