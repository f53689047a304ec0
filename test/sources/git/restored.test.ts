/**
 * The restored-repository check on real repositories: a copy as tarsnap would restore it (a capture, copied file by
 * file into a restore root at the git dir's own path), then damaged in the ways that matter.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveManifest, RepositoryEntry } from '../../../src/core/manifest.js';
import { checkRestoredRepositories } from '../../../src/adapters/restored-check.js';
import { silentLogger } from '../../../src/log.js';
import { captureGitRepository } from '../../../src/sources/git/capture.js';
import { discoverGitRepositories } from '../../../src/sources/git/discover.js';
import { checkRestoredRepository, firstComplaint } from '../../../src/sources/git/restored.js';
import { restoredHeadFile } from '../../../src/sources/git/restored-safety.js';
import { git, gitAt, makeBareRepo } from './support.js';

let scratch: string;
let live: string;
let captured: string;
let entry: RepositoryEntry;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hotsnap-git-restored-'));
  live = join(scratch, 'srv', 'git', 'app.git');
  mkdirSync(dirname(live), { recursive: true });
  await makeBareRepo(live, scratch);
  const [repository] = await discoverGitRepositories(live);
  captured = join(scratch, 'captured');
  const capture = await captureGitRepository(repository!, captured);
  entry = {
    source: live,
    git_dir: live,
    bare: true,
    refs: capture.refs,
    head: capture.head,
    objects_linked: capture.objectsLinked,
    method: capture.method,
    verified: true,
    attempts: capture.attempts,
    capture_ms: 0,
    captured_at: '2026-03-01T03:00:00.000Z',
  };
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh restore root holding a file-by-file copy of the capture at the live git dir's path. */
function restoreRoot(): { root: string; restored: string } {
  const root = mkdtempSync(join(scratch, 'root-'));
  const restored = join(root, live);
  mkdirSync(dirname(restored), { recursive: true });
  cpSync(captured, restored, { recursive: true });
  return { root, restored };
}

/** Given a restored git dir, returns the path of one loose object of that type in it. */
async function looseObject(restored: string, type: 'blob' | 'commit'): Promise<string> {
  const objects = join(restored, 'objects');
  for (const dir of readdirSync(objects).filter((name) => /^[0-9a-f]{2}$/.test(name))) {
    for (const name of readdirSync(join(objects, dir))) {
      if ((await gitAt(restored, 'cat-file', '-t', `${dir}${name}`)) === type) return join(objects, dir, name);
    }
  }
  throw new Error(`no loose ${type} in ${restored}`);
}

describe('checkRestoredRepository', () => {
  it('a good copy is ok, with the refs and HEAD the manifest recorded', async () => {
    const { root, restored } = restoreRoot();
    const check = await checkRestoredRepository(root, entry, silentLogger);
    expect(check).toEqual({
      source: live,
      git_dir: live,
      restored_to: restored,
      status: 'ok',
      refs: entry.refs,
      expected_refs: entry.refs,
      head: entry.head,
      expected_head: entry.head,
    });
    expect(entry.refs).toBeGreaterThanOrEqual(4);
    expect(entry.head).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a deleted object: broken, naming what git fsck found missing', async () => {
    const { root, restored } = restoreRoot();
    const object = await looseObject(restored, 'commit');
    unlinkSync(object);
    const check = await checkRestoredRepository(root, entry, silentLogger);
    expect(check.status).toBe('broken');
    const hash = object.split('/').slice(-2).join('');
    expect(check.detail).toMatch(new RegExp(`^git fsck failed: .*${hash}`));
  });

  it('a damaged blob (one byte flipped): broken, which only a full fsck sees (connectivity never reads blobs)', async () => {
    const { root, restored } = restoreRoot();
    const object = await looseObject(restored, 'blob');
    const bytes = readFileSync(object);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01;
    writeFileSync(object, bytes);
    expect((await checkRestoredRepository(root, entry, silentLogger)).status).toBe('broken');
  });

  it('HEAD moved to another branch: broken, naming both commits', async () => {
    const { root, restored } = restoreRoot();
    writeFileSync(join(restored, 'HEAD'), 'ref: refs/heads/feature\n');
    const check = await checkRestoredRepository(root, entry, silentLogger);
    expect(check.status).toBe('broken');
    expect(check.detail).toMatch(new RegExp(`^HEAD is [0-9a-f]{40}, the manifest recorded ${entry.head}$`));
  });

  it('a ref lost from packed-refs: broken, counting the refs', async () => {
    const { root, restored } = restoreRoot();
    const packed = readFileSync(join(restored, 'packed-refs'), 'utf8').split('\n');
    writeFileSync(join(restored, 'packed-refs'), packed.filter((line) => !line.endsWith('refs/tags/v1')).join('\n'));
    const check = await checkRestoredRepository(root, entry, silentLogger);
    expect(check).toMatchObject({
      status: 'broken',
      detail: `${entry.refs - 1} refs restored, the manifest recorded ${entry.refs}`,
    });
  });

  it('nothing at the git dir: missing', async () => {
    const root = mkdtempSync(join(scratch, 'root-'));
    expect(await checkRestoredRepository(root, entry, silentLogger)).toMatchObject({
      status: 'missing',
      detail: 'no such file',
    });
  });

  it('a symlinked git dir (or a directory above it): unsafe, and git never looks through it', async () => {
    const root = mkdtempSync(join(scratch, 'root-'));
    mkdirSync(join(root, dirname(live)), { recursive: true });
    symlinkSync(live, join(root, live));
    const check = await checkRestoredRepository(root, entry, silentLogger);
    expect(check.status).toBe('unsafe');
    expect(check.detail).toContain(`${live} in the restored tree is a symlink to ${live}`);
    expect(check.refs).toBeUndefined();
  });

  it('a symlink inside (objects -> the live objects), an alternates or a commondir file: unsafe', async () => {
    const objects = restoreRoot();
    rmSync(join(objects.restored, 'objects'), { recursive: true });
    symlinkSync(join(live, 'objects'), join(objects.restored, 'objects'));
    expect(await checkRestoredRepository(objects.root, entry, silentLogger)).toMatchObject({
      status: 'unsafe',
      detail: expect.stringContaining(`${live}/objects in the restored tree is a symlink to ${live}/objects`),
    });
    for (const redirect of ['objects/info/alternates', 'commondir']) {
      const { root, restored } = restoreRoot();
      mkdirSync(join(restored, 'objects', 'info'), { recursive: true });
      writeFileSync(join(restored, redirect), `${live}/objects\n`);
      expect(await checkRestoredRepository(root, entry, silentLogger)).toMatchObject({
        status: 'unsafe',
        detail: expect.stringContaining(`${live}/${redirect} in the restored tree would make git read objects outside`),
      });
    }
  });

  it('a symlinked hook is fine: fsck never runs or reads hooks', async () => {
    const { root, restored } = restoreRoot();
    mkdirSync(join(restored, 'hooks'), { recursive: true });
    symlinkSync('/usr/share/git-core/templates/hooks/pre-commit.sample', join(restored, 'hooks', 'pre-commit'));
    expect((await checkRestoredRepository(root, entry, silentLogger)).status).toBe('ok');
  });
});

describe('restoredHeadFile', () => {
  it("finds a linked worktree's own HEAD by the gitdir file git keeps for it", async () => {
    const work = join(scratch, 'wt-main');
    await git(scratch, 'clone', '-q', live, work);
    const linked = join(scratch, 'wt-linked');
    await git(work, 'worktree', 'add', '-q', linked, 'feature');
    const gitDir = join(work, '.git');
    expect(restoredHeadFile(gitDir, { source: work, git_dir: gitDir })).toBe('HEAD');
    expect(restoredHeadFile(gitDir, { source: linked, git_dir: gitDir })).toBe('worktrees/wt-linked/HEAD');
    expect(restoredHeadFile(gitDir, { source: join(gitDir, 'worktrees/x'), git_dir: gitDir })).toBe('worktrees/x/HEAD');
    expect(restoredHeadFile(gitDir, { source: join(scratch, 'elsewhere'), git_dir: gitDir })).toBeNull();
  });
});

describe('checkRestoredRepositories', () => {
  const manifest = (repositories: RepositoryEntry[], failed: { source: string; error: string }[] = []) =>
    ({ databases: [], failed_databases: [], repositories, failed_repositories: failed }) as unknown as ArchiveManifest;

  it('checks the repositories a selection restores (by git dir) and reports failed captures as not in the archive', async () => {
    const { root } = restoreRoot();
    const other = { ...entry, source: '/srv/other', git_dir: '/srv/other/.git' };
    const failed = [{ source: '/srv/git/broken.git', error: 'gave up after 5 attempts' }];
    const all = await checkRestoredRepositories(root, manifest([entry, other], failed), [], silentLogger);
    expect(all.map((check) => [check.source, check.status])).toEqual([
      [live, 'ok'],
      ['/srv/other', 'missing'],
      ['/srv/git/broken.git', 'not-in-archive'],
    ]);
    expect(all[2]!.detail).toBe('its capture failed at backup time: gave up after 5 attempts');
    const selected = await checkRestoredRepositories(
      root,
      manifest([entry, other], failed),
      [live.slice(1)],
      silentLogger,
    );
    expect(selected.map((check) => check.source)).toEqual([live]);
    const inside = await checkRestoredRepositories(root, manifest([entry]), [`${live.slice(1)}/refs`], silentLogger);
    expect(inside).toEqual([]);
  });
});

describe('firstComplaint', () => {
  it.each([
    [
      'broken link from    tree 1a\n              to    blob 2b\nmissing blob 2b\n',
      'error: inflate: data stream error\nerror: unable to unpack header of objects/2b\n',
      'missing blob 2b',
    ],
    [
      '',
      'notice: HEAD points to an unborn branch (main)\nerror: refs/heads/x: invalid sha1 pointer 3c\n',
      'error: refs/heads/x: invalid sha1 pointer 3c',
    ],
    ['something odd\n', '', 'something odd'],
    ['', 'fatal: not a git repository\n', 'fatal: not a git repository'],
    ['', '', ''],
  ])('%j, %j → %j', (stdout, stderr, expected) => expect(firstComplaint(stdout, stderr)).toBe(expected));
});
