import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureGitRepository } from '../../../src/sources/git/capture.js';
import { discoverGitRepositories } from '../../../src/sources/git/discover.js';
import { GitCaptureError } from '../../../src/sources/git/errors.js';
import { commit, git, gitAt, listing, makeBareRepo, refLines } from './support.js';

// One bare repository (and the work tree it was pushed from) made once; each test gets a copy.
let template: string;
let scratch: string;
let live: string;
let work: string;
beforeAll(async () => {
  template = mkdtempSync(join(tmpdir(), 'hotsnap-git-template-'));
  const from = await makeBareRepo(join(template, 'app.git'), template);
  cpSync(from, join(template, 'work'), { recursive: true });
}, 60_000);
afterAll(() => rmSync(template, { recursive: true, force: true }));
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hotsnap-git-capture-'));
  cpSync(join(template, 'app.git'), join(scratch, 'app.git'), { recursive: true });
  cpSync(join(template, 'work'), join(scratch, 'work'), { recursive: true });
  live = join(scratch, 'app.git');
  work = join(scratch, 'work');
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

async function only(path: string) {
  const [repository] = await discoverGitRepositories(path);
  return repository!;
}

/** Every file below dir, relative. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

async function fsckFull(gitDir: string): Promise<void> {
  await gitAt(gitDir, 'fsck', '--full', '--no-dangling');
}

describe('captureGitRepository', () => {
  it('stages a bare repository that passes fsck --full, with the same refs and HEAD, sharing inodes, without writing to it', async () => {
    const before = listing(live);
    const staged = join(scratch, 'stage', 'srv', 'app.git');

    const capture = await captureGitRepository(await only(live), staged);

    expect(listing(live)).toEqual(before);
    expect(statSync(staged).mode & 0o777).toBe(0o700);
    await fsckFull(staged);
    expect(await refLines(staged)).toBe(await refLines(live));
    expect(await gitAt(staged, 'rev-parse', 'HEAD')).toBe(await gitAt(live, 'rev-parse', 'HEAD'));
    expect(capture).toMatchObject({ refs: 4, head: await gitAt(live, 'rev-parse', 'HEAD'), method: 'hardlink' });
    expect(capture).toMatchObject({ verified: true, attempts: 1 });
    expect(capture.objectsLinked).toBeGreaterThan(20);
    const objectFiles = files(join(live, 'objects')).filter((f) => /^[0-9a-f]{2}\/|\.pack$|\.idx$/.test(f));
    expect(objectFiles.some((f) => f.endsWith('.pack'))).toBe(true);
    expect(objectFiles.some((f) => /^[0-9a-f]{2}\//.test(f))).toBe(true);
    for (const file of objectFiles) {
      expect(statSync(join(staged, 'objects', file)).ino).toBe(statSync(join(live, 'objects', file)).ino);
    }
  });

  it('keeps what only a linked worktree or the index holds, and resolves a linked worktree to its own HEAD', async () => {
    const main = work;
    await git(main, 'worktree', 'add', '-q', '--detach', join(scratch, 'wt'));
    const detached = await commit(join(scratch, 'wt'), 1, 'wt');
    writeFileSync(join(main, 'staged-only.txt'), 'only in the index\n');
    await git(main, 'add', 'staged-only.txt');
    const indexBlob = await git(main, 'rev-parse', ':staged-only.txt');
    const before = listing(join(main, '.git'));

    const staged = join(scratch, 'stage', 'main.git');
    const capture = await captureGitRepository(await only(main), staged);

    expect(listing(join(main, '.git'))).toEqual(before);
    await fsckFull(staged);
    await gitAt(staged, 'cat-file', '-e', detached);
    await gitAt(staged, 'cat-file', '-e', indexBlob);
    expect(capture.head).toBe(await git(main, 'rev-parse', 'HEAD'));

    const throughWorktree = await captureGitRepository(
      await only(join(scratch, 'wt')),
      join(scratch, 'stage', 'wt.git'),
    );
    expect(throughWorktree.head).toBe(detached);
  });

  it('leaves out locks, temp files, push quarantines, commit-graph and multi-pack-index', async () => {
    await git(live, 'commit-graph', 'write', '--reachable');
    await git(live, 'multi-pack-index', 'write');
    writeFileSync(join(live, 'refs', 'heads', 'main.lock'), 'x');
    writeFileSync(join(live, 'packed-refs.lock'), 'x');
    writeFileSync(join(live, 'gc.pid'), '1 host');
    writeFileSync(join(live, 'objects', 'pack', 'tmp_pack_abc'), 'x');
    writeFileSync(join(live, 'objects', 'pack', '.tmp-1-pack-abc.pack'), 'x');
    mkdirSync(join(live, 'objects', 'ab'), { recursive: true });
    writeFileSync(join(live, 'objects', 'ab', 'tmp_obj_xyz'), 'x');
    mkdirSync(join(live, 'objects', 'tmp_objdir-incoming-abc', 'pack'), { recursive: true });
    writeFileSync(join(live, 'objects', 'tmp_objdir-incoming-abc', 'pack', 'x'), 'x');

    const staged = join(scratch, 'staged.git');
    await captureGitRepository(await only(live), staged);

    const stagedFiles = files(staged);
    expect(
      stagedFiles.filter((f) => /\.lock$|gc\.pid|tmp_|\.tmp-|incoming|commit-graph|multi-pack-index/.test(f)),
    ).toEqual([]);
    expect(existsSync(join(live, 'objects', 'info', 'commit-graph'))).toBe(true);
    await fsckFull(staged);
  });

  it('does not stage a pack whose .idx is missing (still being written)', async () => {
    const orphan = `pack-${'e'.repeat(40)}.pack`;
    writeFileSync(join(live, 'objects', 'pack', orphan), 'PACK half written');

    const staged = join(scratch, 'staged.git');
    await captureGitRepository(await only(live), staged);

    expect(existsSync(join(staged, 'objects', 'pack', orphan))).toBe(false);
    await fsckFull(staged);
  });

  it('relinks after a repack replaces a listed pack between listing and linking (retry path 1)', async () => {
    await commit(work, 2, 'more');
    await git(work, 'push', '-q', live, 'main');
    let repacked = false;
    const notes: string[] = [];

    const staged = join(scratch, 'staged.git');
    const capture = await captureGitRepository(await only(live), staged, {
      log: (message) => notes.push(message),
      afterPackListing: async () => {
        if (repacked) return;
        repacked = true;
        await git(live, 'repack', '-q', '-a', '-d'); // the listed pack is deleted; the new one is not listed yet
      },
    });

    expect(capture.attempts).toBe(2);
    expect(notes.join('\n')).toMatch(/linked \d+ object file\(s\) that appeared since/);
    await fsckFull(staged);
    expect(await refLines(staged)).toBe(await refLines(live));
  });

  it('reads the refs again when a copied ref was deleted and its objects dropped (retry path 2)', async () => {
    await git(live, 'repack', '-q', '-a', '-d');
    let deleted = false;
    const notes: string[] = [];

    const staged = join(scratch, 'staged.git');
    const capture = await captureGitRepository(await only(live), staged, {
      log: (message) => notes.push(message),
      afterRefs: async () => {
        if (deleted) return;
        deleted = true;
        await git(live, 'update-ref', '-d', 'refs/heads/feature');
        await git(live, 'repack', '-q', '-a', '-d'); // drops feature's commits from the only pack
      },
    });

    expect(capture.attempts).toBe(2);
    expect(notes.join('\n')).toMatch(/read the refs again/);
    await fsckFull(staged);
    expect(await refLines(staged)).toBe(await refLines(live));
    expect(await refLines(staged)).not.toMatch(/feature/);
  });

  it('fails a repository that is broken itself, says to fsck it, and leaves nothing behind', async () => {
    const loose = await git(work, 'rev-parse', 'HEAD');
    rmSync(join(live, 'objects', loose.slice(0, 2), loose.slice(2)));

    const staged = join(scratch, 'stage', 'app.git');
    const failure = captureGitRepository(await only(live), staged);

    await expect(failure).rejects.toThrow(GitCaptureError);
    await expect(failure).rejects.toThrow(
      /failed its check 1 time .* may be broken: run git --git-dir=.*app\.git fsck/,
    );
    expect(existsSync(staged)).toBe(false);
  });

  it('copies borrowed objects in and drops the alternates file', async () => {
    const base = live;
    const fork = join(scratch, 'fork.git');
    await git(scratch, 'clone', '-q', '--bare', '--shared', base, fork);
    const before = listing(fork);

    const staged = join(scratch, 'staged.git');
    await captureGitRepository(await only(fork), staged);

    expect(listing(fork)).toEqual(before);
    expect(existsSync(join(staged, 'objects', 'info', 'alternates'))).toBe(false);
    await fsckFull(staged);
    expect(await refLines(staged)).toBe(await refLines(fork));
  });

  const shm = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  it.skipIf(!shm)('copies when the staging dir is on another file system, and says so', async () => {
    const other = mkdtempSync('/dev/shm/hotsnap-git-capture-');
    try {
      const notes: string[] = [];
      const capture = await captureGitRepository(await only(live), join(other, 'app.git'), {
        log: (m) => notes.push(m),
      });
      expect(capture.method).toBe('copy');
      expect(notes.join('\n')).toMatch(/cannot hardlink .* \(EXDEV\)/);
      await fsckFull(join(other, 'app.git'));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('links metadata identical to the previous snapshot from it (same inode), and copies what changed', async () => {
    const repository = await only(live);
    const before = join(scratch, 'first.git');
    await captureGitRepository(repository, before);
    await commit(work, 1, 'moved');
    await git(work, 'push', '-q', live, 'HEAD:main');
    const after = join(scratch, 'second.git');
    await captureGitRepository(repository, after, { previous: before });
    expect(statSync(join(after, 'config')).ino).toBe(statSync(join(before, 'config')).ino);
    expect(statSync(join(after, 'HEAD')).ino).toBe(statSync(join(before, 'HEAD')).ino);
    const ref = existsSync(join(after, 'refs/heads/main')) ? 'refs/heads/main' : 'packed-refs';
    expect(statSync(join(after, ref)).ino).not.toBe(statSync(join(before, ref)).ino);
    expect(statSync(join(after, 'config')).ino).not.toBe(statSync(join(live, 'config')).ino);
  });

  it('refuses a staging path that already exists', async () => {
    mkdirSync(join(scratch, 'taken'));
    await expect(captureGitRepository(await only(live), join(scratch, 'taken'))).rejects.toThrow(/EEXIST|exists/);
    expect(existsSync(join(scratch, 'taken'))).toBe(true);
  });
});

describe('captureGitRepository: bounds', () => {
  it('gives up after maxAttempts fsck runs, saying the repository kept changing', async () => {
    const loose = await git(work, 'rev-parse', 'HEAD');
    rmSync(join(live, 'objects', loose.slice(0, 2), loose.slice(2)));
    const failure = captureGitRepository(await only(live), join(scratch, 'staged.git'), { maxAttempts: 1 });
    await expect(failure).rejects.toThrow(/failed its check 1 time while the live repository kept changing/);
  });

  it('stops when aborted and leaves nothing behind', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by the test'));
    const staged = join(scratch, 'staged.git');
    await expect(captureGitRepository(await only(live), staged, { signal: controller.signal })).rejects.toThrow(
      'stopped by the test',
    );
    expect(existsSync(staged)).toBe(false);
  });
});
