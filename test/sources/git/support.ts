/** Real Git repositories for the Git source's tests, made with the installed git (no mocks). */
import { execa } from 'execa';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** git's environment for tests: no user or system config, a fixed identity, none of the caller's GIT_* variables. */
export const gitEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_'))),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.org',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.org',
};

/** Runs git in cwd and returns its trimmed stdout; throws on a non-zero exit. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: gitEnv, extendEnv: false });
  return result.stdout.trim();
}

/** Runs git against a git dir (bare or staged) with the derived caches off. */
export async function gitAt(gitDir: string, ...args: string[]): Promise<string> {
  return git(gitDir, `--git-dir=${gitDir}`, '-c', 'core.commitGraph=false', '-c', 'core.multiPackIndex=false', ...args);
}

/** Makes `count` commits in a work tree, each adding one file; returns the last commit. */
export async function commit(workTree: string, count: number, tag = 'c'): Promise<string> {
  for (let i = 0; i < count; i++) {
    const name = `${tag}-${i}-${Math.random().toString(36).slice(2, 8)}.txt`;
    writeFileSync(join(workTree, name), `${name}\n`.repeat(50));
    await git(workTree, 'add', name);
    await git(workTree, 'commit', '-q', '-m', name);
  }
  return git(workTree, 'rev-parse', 'HEAD');
}

/** Makes a work tree at dir with a few commits on main. */
export async function makeWorkTree(dir: string, commits = 3): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await git(dir, 'init', '-q');
  await commit(dir, commits);
  return dir;
}

/**
 * Makes a bare repository at dir with main, a feature branch, a lightweight and an annotated tag,
 * some objects packed (and refs packed) and some loose. Returns the work tree it was pushed from.
 */
export async function makeBareRepo(dir: string, scratch: string): Promise<string> {
  const work = await makeWorkTree(join(scratch, `work-${Math.random().toString(36).slice(2, 8)}`), 4);
  await git(work, 'tag', 'v1');
  await git(work, 'tag', '-a', '-m', 'release', 'v1a');
  await git(work, 'checkout', '-q', '-b', 'feature');
  await commit(work, 2, 'f');
  await git(work, 'checkout', '-q', 'main');
  await git(scratch, 'init', '-q', '--bare', dir);
  await git(work, 'push', '-q', dir, 'main', 'feature', '--tags');
  await git(dir, 'repack', '-q', '-a', '-d');
  await git(dir, 'pack-refs', '--all');
  await commit(work, 2, 'loose');
  await git(work, 'push', '-q', dir, 'main'); // small pushes unpack into loose objects
  return work;
}

/** Given a directory, returns every path below it with mode, size and mtime: equal listings mean nothing was
 * written (hard links change only the link count and ctime, which are left out). */
export function listing(dir: string, prefix = ''): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const path = join(prefix, name);
    const stats = lstatSync(join(dir, path));
    lines.push(`${path} ${stats.mode.toString(8)} ${stats.size} ${stats.mtimeMs}`);
    if (stats.isDirectory()) lines.push(...listing(dir, path));
  }
  return lines;
}

/** Given a git dir, returns "refname hash" for every ref, as git sees them. */
export async function refLines(gitDir: string): Promise<string> {
  return gitAt(gitDir, 'for-each-ref', '--format=%(refname) %(objectname)');
}
