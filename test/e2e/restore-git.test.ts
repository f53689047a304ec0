/**
 * restore and verify check each restored Git repository (issue 9, section 2): git fsck --full, its refs and HEAD
 * against the manifest, one line per repository beside the databases, exit 1 when one is not ok. The damage is done
 * to the emulator's stored archive, so what is restored is what tarsnap would hand back.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listStoredArchives } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { git } from '../sources/git/support.js';
import { createWorld, stagingLeftovers, type World } from './harness.js';

/** Given a world, an archive and a file's live path, flips one byte in the middle of its data in the stored tar. */
function flipByteOfMember(world: World, archive: string, live: string): void {
  const stored = listStoredArchives(world.emulatorDir).find((entry) => entry.name === archive)!;
  const data = readFileSync(live);
  const tar = readFileSync(stored.tarPath);
  const at = tar.indexOf(data);
  if (at < 0 || tar.indexOf(data, at + 1) >= 0) throw new Error(`cannot locate ${live}'s data uniquely in the tar`);
  const middle = at + Math.floor(data.length / 2);
  tar[middle] = tar[middle]! ^ 0x20;
  writeFileSync(stored.tarPath, tar);
}

describe('restore and verify: Git repositories', () => {
  let world: World;
  let bare: string;
  let home: string;
  let head: string;
  let archive: string;

  beforeEach(async () => {
    world = createWorld('restore-git');
    home = join(world.dir, 'home');
    bare = join(world.dir, 'git', 'app.git');
    const work = join(world.dir, 'work');
    mkdirSync(home);
    writeFileSync(join(home, 'notes.txt'), 'notes\n');
    await git(world.dir, 'init', '-q', '--bare', '-b', 'main', bare);
    await git(world.dir, 'init', '-q', '-b', 'main', work);
    for (const name of ['a', 'b']) {
      writeFileSync(join(work, name), `${name}\n`.repeat(100));
      await git(work, 'add', name);
      await git(work, 'commit', '-q', '-m', name);
    }
    await git(work, 'tag', 'v1');
    await git(work, 'push', '-q', bare, 'main', 'v1');
    head = await git(work, 'rev-parse', 'main');
    world.writeConfig({ profiles: { daily: { git: [bare], paths: [home] } } });
    const run = await world.hotsnap(['run']);
    expect(run.exitCode).toBe(0);
    archive = String(run.stdout).match(/archive (\S+)/)![1]!;
  });
  afterEach(() => world.cleanup());

  const restoreInto = async (...args: string[]) => {
    const target = join(world.dir, `restored-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(target);
    return { target, result: await world.hotsnap(['restore', archive, '--to', target, ...args]) };
  };

  it('restore prints one line per repository and exits 0; --json has a repositories array', async () => {
    const { result } = await restoreInto();
    expect(result.exitCode).toBe(0);
    const lines = String(result.stdout).trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual([`  ${bare}: ok, 2 refs, HEAD ${head.slice(0, 7)}`, 'all 1 repository verified']);
    expect(String(result.stdout)).not.toContain('no database of the manifest was restored');
    const json = await restoreInto('--json');
    expect(JSON.parse(String(json.result.stdout)).repositories).toEqual([
      {
        source: bare,
        git_dir: bare,
        restored_to: join(json.target, bare),
        status: 'ok',
        refs: 2,
        expected_refs: 2,
        head,
        expected_head: head,
      },
    ]);
  });

  it('a selection checks only the repositories it restores', async () => {
    const others = await restoreInto(home);
    expect(others.result.exitCode).toBe(0);
    expect(String(others.result.stdout)).not.toContain(bare);
    const selected = await restoreInto(bare);
    expect(selected.result.exitCode).toBe(0);
    expect(String(selected.result.stdout)).toContain(`  ${bare}: ok, 2 refs, HEAD ${head.slice(0, 7)}\n`);
  });

  it('verify (the drill) checks the repository too', async () => {
    const result = await world.hotsnap(['verify', 'daily']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).split('\n')).toEqual([
      expect.stringMatching(/^daily: ok {2}archive \S+ {2}1 of 1 repository verified {2}1 of 1 path present {2}/),
      `  ${bare}: ok, 2 refs, HEAD ${head.slice(0, 7)}`,
    ]);
  });

  it('an object damaged in the stored archive: restore and verify exit 1 naming the repository', async () => {
    // Every object is a loose file here; damage a blob, which only a full fsck reads.
    const blob = await git(world.dir, '--git-dir', bare, 'rev-parse', 'main:a');
    const loose = join(bare, 'objects', blob.slice(0, 2), blob.slice(2));
    expect(readdirSync(join(bare, 'objects', blob.slice(0, 2)))).toContain(blob.slice(2));
    flipByteOfMember(world, archive, loose);
    const { result } = await restoreInto();
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toContain(`\n  ${bare}: BROKEN: git fsck failed: missing blob ${blob}\n`);
    expect(String(result.stdout)).toMatch(/\n1 of 1 repository FAILED verification$/);
    const verify = await world.hotsnap(['verify', 'daily']);
    expect(verify.exitCode).toBe(1);
    expect(String(verify.stdout)).toMatch(new RegExp(`^daily: FAILED .*error: ${bare}: repository broken`));
    expect(String(verify.stdout)).toContain(`  ${bare}: BROKEN: git fsck failed: missing blob ${blob}`);
    expect(stagingLeftovers(world)).toEqual([]);
  });
});
