/**
 * `hotsnap check` for the Git source: `git` must run (the capture verifies each snapshot with
 * `git fsck`); each `git:` path must be or hold repositories this user can read; a repository on
 * another file system than staging_dir cannot be hard-linked (its objects are reflinked or copied:
 * a warning); borrowed objects (alternates) are copied in (a note). Only looks; runs git only for
 * `--version`.
 */
import { constants, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { Profile } from '../../config/resolve.js';
import type { CheckItem } from '../../core/check-report.js';
import { can, FIX_PARENT_PERMISSIONS, ownerAdvice } from '../../adapters/check-fs.js';
import { currentUserName } from '../../adapters/accounts.js';
import { findProgram } from '../../adapters/executable.js';
import { describeError } from '../../errors.js';
import type { SourceCheckContext } from '../types.js';
import { objectDirectories } from './alternates.js';
import { discoverGitRepositories } from './discover.js';
import { GitRepositoryError } from './errors.js';
import type { GitRepository } from './types.js';

const SHOWN = 5;

function listed(paths: readonly string[]): string {
  const names = paths.slice(0, SHOWN).join(', ');
  return paths.length > SHOWN ? `${names} and ${paths.length - SHOWN} more` : names;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Given the environment, checks `git --version` runs: the capture's verify step needs it. */
export async function checkGitProgram(env: NodeJS.ProcessEnv): Promise<CheckItem> {
  const lookup = findProgram('git', env);
  const why = 'hotsnap verifies each captured repository with git fsck';
  if (!lookup.found) {
    return {
      check: 'git_program',
      status: 'problem',
      message: `git is not found on PATH (${(env.PATH ?? '').split(':').filter(Boolean).join(':') || 'PATH is empty'}); ${why}`,
      fix: 'install git (e.g. apt install git), or add its directory to PATH',
    };
  }
  const result = await execa(lookup.path, ['--version'], { env, reject: false, timeout: 10_000, stdin: 'ignore' });
  const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').pop() ?? '';
  if (result.exitCode !== 0 || !/^git version /.test(result.stdout)) {
    return {
      check: 'git_program',
      status: 'problem',
      message: `${lookup.path} --version failed (exit ${result.exitCode ?? 'none'})${output ? `: ${output}` : ''}; ${why}`,
      fix: 'reinstall git',
    };
  }
  return { check: 'git_program', status: 'ok', message: `${lookup.path}: ${result.stdout.trim()} (${why})` };
}

/** Given a repository, returns the first part of it this user cannot read, or undefined. */
function unreadablePart(store: string): string | undefined {
  for (const dir of [store, join(store, 'objects'), join(store, 'refs')]) {
    if (!can(dir, constants.R_OK | constants.X_OK)) return dir;
  }
  return can(join(store, 'HEAD'), constants.R_OK) ? undefined : join(store, 'HEAD');
}

function deviceOf(path: string): number | undefined {
  try {
    return statSync(path).dev;
  } catch {
    return undefined;
  }
}

/** Given one configured path and what check knows, returns its findings. */
async function checkGitPath(path: string, profiles: string[], context: SourceCheckContext): Promise<CheckItem[]> {
  const owners = `profile${profiles.length === 1 ? '' : 's'} ${profiles.join(', ')}`;
  const skipped: string[] = [];
  let repositories: GitRepository[];
  try {
    repositories = await discoverGitRepositories(path, {
      log: (message) => (message.startsWith('skipped ') ? skipped.push(message) : undefined),
    });
  } catch (error) {
    const denied = (error as NodeJS.ErrnoException).code === 'EACCES';
    return [
      {
        check: 'git',
        status: 'problem',
        message: denied
          ? `user ${currentUserName()} cannot reach git: path ${path} (${owners}): ${describeError(error)}`
          : `${describeError(error)} (${owners})`,
        fix: denied
          ? FIX_PARENT_PERMISSIONS
          : error instanceof GitRepositoryError
            ? `correct or remove ${path} in the git: list of ${owners}`
            : 'run hotsnap as root',
      },
    ];
  }
  const items: CheckItem[] = skipped.map((message) => ({
    check: 'git',
    status: 'warn',
    message: `${message} (${owners}): repositories in it are not backed up`,
    fix: 'run hotsnap as root, or fix the permissions of that directory',
  }));
  const stagingDevice = deviceOf(context.stagingDir);
  const otherFs: string[] = [];
  const borrowing: string[] = [];
  for (const repository of repositories) {
    const store = repository.commonDir ?? repository.gitDir;
    const unreadable = unreadablePart(store);
    if (unreadable) {
      items.push({
        check: 'git',
        status: 'problem',
        message: `user ${currentUserName()} cannot read ${unreadable} of repository ${repository.path} (${owners})`,
        fix: ownerAdvice(statSync(store)),
      });
      continue;
    }
    const missing: string[] = [];
    const dirs = objectDirectories(join(store, 'objects'), (message) => missing.push(message));
    for (const message of missing) {
      items.push({
        check: 'git',
        status: 'problem',
        message: `repository ${repository.path}: ${message}, so its snapshot would fail git fsck (${owners})`,
        fix: `restore the repository it borrows from, or make ${repository.path} stand alone: git -C ${repository.path} repack -a -d && rm ${join(store, 'objects/info/alternates')}`,
      });
    }
    if (dirs.length > 1) borrowing.push(repository.path);
    const devices = [store, ...dirs.slice(1)].map(deviceOf);
    if (stagingDevice !== undefined && devices.some((device) => device !== undefined && device !== stagingDevice)) {
      otherFs.push(repository.path);
    }
  }
  if (otherFs.length > 0) {
    items.push({
      check: 'git',
      status: 'warn',
      message: `staging_dir ${context.stagingDir} is on another file system than ${plural(otherFs.length, 'repository', 'repositories')} (${listed(otherFs)}; ${owners}), so their objects cannot be hard-linked: each run reflinks them where the file system can, else copies them (slower, and the copies use as much space as the repositories)`,
      fix: `set staging_dir to a directory on the repositories' file system (e.g. beside ${path})`,
    });
  }
  const names = repositories.map((repository) => (repository.path === path ? path : basename(repository.path)));
  const note =
    borrowing.length > 0
      ? `; ${listed(borrowing)} borrow${borrowing.length === 1 ? 's' : ''} objects from another repository (objects/info/alternates): they are copied into the snapshot, which then restores on its own`
      : '';
  items.unshift({
    check: 'git',
    status: 'ok',
    message: `${path} ${repositories.length === 1 && repositories[0]!.path === path ? `is a ${repositories[0]!.bare ? 'bare ' : ''}repository` : `holds ${plural(repositories.length, 'repository', 'repositories')} (${listed(names)})`} (${owners})${note}`,
  });
  return items;
}

/**
 * Given the profiles to check and the context, returns the Git findings: the git program once
 * (when any profile lists git paths), then per configured path. Example: a profile with
 * git: ['/srv/git'] holding a.git → [ok git_program …, ok git "/srv/git holds 1 repository (a.git) (profile daily)"].
 */
export async function checkGitSource(profiles: readonly Profile[], context: SourceCheckContext): Promise<CheckItem[]> {
  const byPath = new Map<string, string[]>();
  for (const profile of profiles) {
    for (const path of profile.git) byPath.set(path, [...(byPath.get(path) ?? []), profile.name]);
  }
  if (byPath.size === 0) return [];
  const items = [await checkGitProgram(context.env)];
  for (const [path, names] of byPath) items.push(...(await checkGitPath(path, names, context)));
  return items;
}
