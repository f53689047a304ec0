/**
 * `hotsnap check` on Git repositories and kept snapshots, with real repositories: a `git:` path
 * that holds none is a problem (exit 3), `git` missing is a problem, staging on another file
 * system is a warning, borrowed objects are a note (a missing alternate a problem), and the kept
 * snapshot is reported with its size (a problem only when a run would refuse it).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand, runChecks } from '../../src/commands/check.js';
import { loadConfigFile } from '../../src/config/load.js';
import { createContext } from '../../src/context.js';
import { runTarsnapVersion } from '../../src/adapters/check-programs.js';
import type { CheckItem } from '../../src/core/check-report.js';
import { keptStageName } from '../../src/adapters/stage-area.js';
import { git, makeBareRepo, makeWorkTree } from '../sources/git/support.js';
import { makeCheckSetup, type CheckSetup } from './check-setup.js';

let setup: CheckSetup;
let repos: string;
let bare: string;
let work: string;
beforeAll(async () => {
  setup = await makeCheckSetup();
  repos = join(setup.dir, 'git');
  mkdirSync(repos);
  bare = join(repos, 'app.git');
  await makeBareRepo(bare, setup.dir);
  work = await makeWorkTree(join(repos, 'site'));
});
afterAll(() => setup.remove());

const deps = (env: NodeJS.ProcessEnv = setup.env) => ({
  freeBytes: async () => 1e12,
  tarsnapVersion: runTarsnapVersion,
  env,
});

type Change = Parameters<CheckSetup['writeConfig']>[0];

async function check(git: string[], change?: Change, env?: NodeJS.ProcessEnv) {
  const file = setup.writeConfig((c) => {
    c.profiles.daily.git = git;
    change?.(c);
  });
  const config = loadConfigFile(file);
  return runChecks(config, config.profiles, deps(env));
}

const about = (items: CheckItem[], ...checks: string[]) => items.filter((item) => checks.includes(item.check));

describe('check: Git repositories', () => {
  it('a directory of repositories and a work tree: git runs, each path ok, nothing else said', async () => {
    const items = await check([repos, work]);
    expect(about(items, 'git', 'git_program')).toEqual([
      { check: 'git_program', status: 'ok', message: expect.stringMatching(/git: git version \d/) },
      { check: 'git', status: 'ok', message: `${repos} holds 2 repositories (app.git, site) (profile daily)` },
      { check: 'git', status: 'ok', message: `${work} is a repository (profile daily)` },
    ]);
    expect(items.map((item) => item.check).indexOf('git_program')).toBe(
      items.map((item) => item.check).indexOf('sqlite') + 1,
    );
  });

  it('a git: path that is not a repository and holds none: a problem naming it, exit 3', async () => {
    const empty = join(setup.dir, 'no-repos');
    mkdirSync(empty, { recursive: true });
    const items = await check([bare, empty]);
    expect(about(items, 'git')).toContainEqual({
      check: 'git',
      status: 'problem',
      message: expect.stringContaining(`${empty}: is not a Git repository and holds none`),
      fix: `correct or remove ${empty} in the git: list of profile daily`,
    });
    const file = setup.writeConfig((c) => (c.profiles.daily.git = [join(setup.dir, 'missing')]));
    const result = await checkCommand(createContext({ config: file, logLevel: 'silent' }), [], {}, deps());
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain(`PROBLEM git: ${join(setup.dir, 'missing')}: does not exist`);
  });

  it('git not on PATH: a problem saying what needs it', async () => {
    const items = await check([bare], undefined, { ...setup.env, PATH: join(setup.dir, 'no-bin') });
    expect(about(items, 'git_program')).toEqual([
      {
        check: 'git_program',
        status: 'problem',
        message: `git is not found on PATH (${join(setup.dir, 'no-bin')}); hotsnap verifies each captured repository with git fsck`,
        fix: 'install git (e.g. apt install git), or add its directory to PATH',
      },
    ]);
  });

  it('no git: paths: no Git findings at all (git is not needed)', async () => {
    const items = await check([], undefined, { ...setup.env, PATH: '' });
    expect(about(items, 'git', 'git_program')).toEqual([]);
  });

  it('a repository borrowing objects: a note; an alternate that is gone: a problem', async () => {
    const fork = join(setup.dir, 'fork.git');
    await git(setup.dir, 'clone', '-q', '--bare', '--shared', bare, fork);
    expect(about(await check([fork]), 'git')).toEqual([
      {
        check: 'git',
        status: 'ok',
        message: expect.stringContaining(
          'borrows objects from another repository (objects/info/alternates): they are copied into the snapshot',
        ),
      },
    ]);
    writeFileSync(join(fork, 'objects/info/alternates'), `${join(setup.dir, 'gone.git/objects')}\n`);
    const items = about(await check([fork]), 'git');
    expect(items).toContainEqual({
      check: 'git',
      status: 'problem',
      message: expect.stringContaining(`gone.git/objects, which does not exist; its objects cannot be copied in`),
      fix: expect.stringContaining(`git -C ${fork} repack -a -d`),
    });
  });

  it('staging_dir on another file system (/dev/shm) than the repository: a warning, not a problem', async (context) => {
    const shm = statSync('/dev/shm', { throwIfNoEntry: false });
    if (!shm?.isDirectory()) return context.skip('no /dev/shm here');
    if (shm.dev === statSync(bare).dev) return context.skip('/dev/shm is on the same device as the repositories');
    const staging = mkdtempSync('/dev/shm/hotsnap-check-');
    try {
      chmodSync(staging, 0o700);
      const items = await check([repos], (c) => (c.staging_dir = staging));
      expect(about(items, 'git')).toContainEqual({
        check: 'git',
        status: 'warn',
        message: `staging_dir ${staging} is on another file system than 2 repositories (${bare}, ${work}; profile daily), so their objects cannot be hard-linked: each run reflinks them where the file system can, else copies them (slower, and the copies use as much space as the repositories)`,
        fix: `set staging_dir to a directory on the repositories' file system (e.g. beside ${repos})`,
      });
      expect(items.some((item) => item.status === 'problem')).toBe(false);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
});

describe('check: the kept snapshot', () => {
  const keptPath = () => join(setup.staging, 'hotsnap', keptStageName('daily', setup.state));

  it('not made yet: where it will be and that it costs about the databases', async () => {
    const [item] = about(await check([]), 'kept_snapshot');
    expect(item).toMatchObject({ status: 'ok' });
    expect(item?.message).toMatch(
      new RegExp(
        `^profile daily will keep its snapshot in ${keptPath()} \\(the first run creates it\\): .*needs about as much space as the profile's databases \\(1\\.\\d MB now\\)`,
      ),
    );
  });

  it('made: its own bytes and the hard-linked ones; another owner or mode is a problem (run refuses it)', async () => {
    mkdirSync(join(setup.staging, 'hotsnap'), { mode: 0o700, recursive: true });
    mkdirSync(keptPath(), { mode: 0o700 });
    mkdirSync(join(keptPath(), 'srv'));
    writeFileSync(join(keptPath(), 'srv/a.db'), Buffer.alloc(300_000));
    const [item] = about(await check([]), 'kept_snapshot');
    expect(item).toMatchObject({
      status: 'ok',
      message: expect.stringContaining(`profile daily keeps its snapshot in ${keptPath()}: 300.0 kB of copies;`),
    });
    chmodSync(keptPath(), 0o755);
    expect(about(await check([]), 'kept_snapshot')).toEqual([
      {
        check: 'kept_snapshot',
        status: 'problem',
        message: `profile daily's kept snapshot ${keptPath()} is not a private directory of this user (0700, not a symlink): hotsnap run refuses it`,
        fix: `remove it (rm -r ${keptPath()}), or run hotsnap as its owner`,
      },
    ]);
    rmSync(join(setup.staging, 'hotsnap'), { recursive: true });
  });

  it('keep_snapshot: false: no note', async () => {
    expect(about(await check([], (c) => (c.profiles.daily.keep_snapshot = false)), 'kept_snapshot')).toEqual([]);
  });
});
