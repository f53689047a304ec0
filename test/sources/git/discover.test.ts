import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverGitRepositories } from '../../../src/sources/git/discover.js';
import { GitRepositoryError } from '../../../src/sources/git/errors.js';
import { UserError } from '../../../src/errors.js';
import { git } from './support.js';

let scratch: string;
beforeEach(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'hotsnap-git-discover-')));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

async function initBare(path: string): Promise<string> {
  await git(scratch, 'init', '-q', '--bare', path);
  return path;
}

async function initWorkTree(path: string): Promise<string> {
  mkdirSync(path, { recursive: true });
  await git(path, 'init', '-q');
  return path;
}

describe('discoverGitRepositories: a path that is a repository', () => {
  it('finds a bare repository', async () => {
    const bare = await initBare(join(scratch, 'app.git'));
    expect(await discoverGitRepositories(bare)).toEqual([{ path: bare, gitDir: bare, bare: true }]);
  });

  it('finds a work tree with a .git directory, and the .git directory named directly', async () => {
    const work = await initWorkTree(join(scratch, 'app'));
    const expected = { gitDir: join(work, '.git'), bare: false };
    expect(await discoverGitRepositories(work)).toEqual([{ path: work, ...expected }]);
    expect(await discoverGitRepositories(join(work, '.git'))).toEqual([{ path: join(work, '.git'), ...expected }]);
  });

  it('resolves a .git file to its git dir (git init --separate-git-dir)', async () => {
    const work = join(scratch, 'app');
    mkdirSync(work);
    await git(work, 'init', '-q', '--separate-git-dir', join(scratch, 'elsewhere.git'));
    expect(await discoverGitRepositories(work)).toEqual([
      { path: work, gitDir: join(scratch, 'elsewhere.git'), bare: false },
    ]);
  });

  it('resolves a linked worktree to its gitdir and the main repository as its common dir', async () => {
    const main = await initWorkTree(join(scratch, 'main'));
    await git(main, 'commit', '-q', '--allow-empty', '-m', 'first');
    await git(main, 'worktree', 'add', '-q', join(scratch, 'wt'));
    expect(await discoverGitRepositories(join(scratch, 'wt'))).toEqual([
      {
        path: join(scratch, 'wt'),
        gitDir: join(main, '.git', 'worktrees', 'wt'),
        commonDir: join(main, '.git'),
        bare: false,
      },
    ]);
  });
});

describe('discoverGitRepositories: a directory searched', () => {
  it('finds bare repositories and work trees, never inside a found one, never through a symlink', async () => {
    const outside = await initBare(join(scratch, 'outside', 'linked.git'));
    const root = join(scratch, 'srv');
    const bare = await initBare(join(root, 'git', 'a.git'));
    const deep = await initBare(join(root, 'git', 'team', 'deep', 'b.git'));
    const work = await initWorkTree(join(root, 'www', 'site'));
    await initBare(join(work, 'vendor', 'nested.git')); // inside a found repository: not searched
    await initWorkTree(join(work, 'plugins', 'clone'));
    mkdirSync(join(root, 'empty', 'dir'), { recursive: true });
    symlinkSync(join(scratch, 'outside'), join(root, 'link'));
    const notes: string[] = [];

    const found = await discoverGitRepositories(root, { log: (m) => notes.push(m) });

    expect(found.map((r) => r.path)).toEqual([bare, deep, work]);
    expect(found.map((r) => r.bare)).toEqual([true, true, false]);
    expect(found.map((r) => r.path)).not.toContain(outside);
  });

  it('lists a linked worktree and its main work tree once', async () => {
    const main = await initWorkTree(join(scratch, 'srv', 'main'));
    await git(main, 'commit', '-q', '--allow-empty', '-m', 'first');
    await git(main, 'worktree', 'add', '-q', join(scratch, 'srv', 'wt'));
    const notes: string[] = [];
    const found = await discoverGitRepositories(join(scratch, 'srv'), { log: (m) => notes.push(m) });
    expect(found.map((r) => r.path)).toEqual([main]);
    expect(notes.join('\n')).toMatch(/wt shares its repository .* captured once/);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(root)(
    'skips a directory it cannot read, with a note (not as root: root reads every directory)',
    async () => {
      const bare = await initBare(join(scratch, 'srv', 'a.git'));
      mkdirSync(join(scratch, 'srv', 'closed'));
      chmodSync(join(scratch, 'srv', 'closed'), 0);
      const notes: string[] = [];
      try {
        expect(
          (await discoverGitRepositories(join(scratch, 'srv'), { log: (m) => notes.push(m) })).map((r) => r.path),
        ).toEqual([bare]);
        expect(notes.join('\n')).toMatch(/skipped .*closed/);
      } finally {
        chmodSync(join(scratch, 'srv', 'closed'), 0o700);
      }
    },
  );
});

describe('discoverGitRepositories: not a repository', () => {
  it.each([
    ['a missing path', (dir: string) => join(dir, 'missing'), /missing: does not exist; expected a Git repository/],
    [
      'a plain file',
      (dir: string) => (writeFileSync(join(dir, 'file'), 'x'), join(dir, 'file')),
      /file: is a file; expected a Git repository/,
    ],
    [
      'a directory with no repository',
      (dir: string) => (mkdirSync(join(dir, 'empty', 'a'), { recursive: true }), join(dir, 'empty')),
      /empty: is not a Git repository and holds none/,
    ],
    [
      'a .git file naming nothing',
      (dir: string) => (
        mkdirSync(join(dir, 'w')),
        writeFileSync(join(dir, 'w', '.git'), 'gitdir: ../gone\n'),
        join(dir, 'w')
      ),
      /w: names .*gone as its git directory, which is not one/,
    ],
  ])('rejects %s with a GitRepositoryError naming it', async (_what, make, message) => {
    const failure = discoverGitRepositories(make(scratch));
    await expect(failure).rejects.toThrow(GitRepositoryError);
    await expect(failure).rejects.toThrow(UserError);
    await expect(failure).rejects.toThrow(message);
  });
});
