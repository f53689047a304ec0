/**
 * -c then -x restores every file byte for byte, including awkward names,
 * and the stored archive is a tar file GNU tar agrees with.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listStoredArchives } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { awkwardFilesUnder } from '../support/awkward-names.js';
import { lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

/** Every file below root: relative path -> kind and contents or target. */
function snapshot(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      const relative = path.relative(root, full);
      const stat = fs.lstatSync(full);
      if (stat.isSymbolicLink()) result[relative] = `link:${fs.readlinkSync(full)}`;
      else if (stat.isDirectory()) {
        result[relative] = `dir:${(stat.mode & 0o777).toString(8)}`;
        walk(full);
      } else result[relative] = `file:${(stat.mode & 0o777).toString(8)}:${fs.readFileSync(full).toString('base64')}`;
    }
  };
  walk(root);
  return result;
}

describe('round trip', () => {
  it('restores names with spaces, newlines, tabs, unicode and leading dashes byte for byte', async () => {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 7919) % 251;
    box.write({
      'data/plain.txt': 'plain\n',
      ...awkwardFilesUnder('data/'),
      'data/ünïcødé/naïve.txt': 'unicode\n',
      'data/empty': '',
      'data/deep/a/b/c/d.bin': big,
      [`data/${'long-directory-name/'.repeat(8)}file.txt`]: 'long path\n',
    });
    fs.symlinkSync('plain.txt', path.join(box.dir, 'data/link-to-plain'));
    fs.linkSync(path.join(box.dir, 'data/plain.txt'), path.join(box.dir, 'data/hardlink'));
    fs.chmodSync(path.join(box.dir, 'data/plain.txt'), 0o640);
    fs.utimesSync(path.join(box.dir, 'data/empty'), 1_000_000_000, 1_000_000_000);

    const create = await box.run([
      '-c',
      ...box.common(),
      '-f',
      'awkward',
      '-C',
      path.join(box.dir, 'data'),
      '.',
      './-dash.txt',
    ]);
    expect(create.stderr).toBe('');
    expect(create.exitCode).toBe(0);

    const restore = path.join(box.dir, 'restore');
    fs.mkdirSync(restore);
    const extract = await box.run(['-x', '--keyfile', box.key, '--no-default-config', '-f', 'awkward', '-C', restore]);
    expect(extract.stderr).toBe('');
    expect(extract.exitCode).toBe(0);
    expect(snapshot(restore)).toEqual(snapshot(path.join(box.dir, 'data')));
    expect(fs.statSync(path.join(restore, 'empty')).mtimeMs).toBe(1_000_000_000_000);
    expect(fs.statSync(path.join(restore, 'hardlink')).ino).toBe(fs.statSync(path.join(restore, 'plain.txt')).ino);

    // GNU tar reads the stored archive and sees the same members.
    const [stored] = listStoredArchives(box.state);
    expect(stored?.name).toBe('awkward');
    const gnuList = execFileSync('tar', ['--quoting-style=literal', '-tf', stored!.tarPath], {
      encoding: 'utf8',
      env: { ...process.env, LANG: 'C.UTF-8' },
    });
    expect(gnuList).toContain('./notes/new\nline.txt');
    expect(gnuList).toContain('./ünïcødé/naïve.txt');
    expect(gnuList).toContain(`./${'long-directory-name/'.repeat(8)}file.txt`);
  });

  it('lists members with -t, escaping unprintable characters as bsdtar does', async () => {
    box.write({ 'd/new\nline': 'x', 'd/back\\slash': 'y', 'd/plain': 'z' });
    expect((await box.run(['-c', ...box.common(), '-f', 'esc', '-C', box.dir, 'd'])).exitCode).toBe(0);
    const listing = await box.run(['-t', '--keyfile', box.key, '-f', 'esc']);
    expect(listing.exitCode).toBe(0);
    expect(lines(listing.stdout).sort()).toEqual(['d/', 'd/back\\\\slash', 'd/new\\nline', 'd/plain']);
  });

  it('extracts only the members named, and reports patterns that matched nothing', async () => {
    box.write({ 'd/keep/a': 'a', 'd/skip/b': 'b' });
    await box.run(['-c', ...box.common(), '-f', 'sel', '-C', box.dir, 'd']);
    const restore = path.join(box.dir, 'r');
    fs.mkdirSync(restore);
    const extract = await box.run(['-x', '--keyfile', box.key, '-f', 'sel', '-C', restore, 'd/keep', 'd/missing']);
    expect(extract.exitCode).toBe(1);
    expect(extract.stderr).toBe(
      'tarsnap: d/missing: Not found in archive\ntarsnap: Error exit delayed from previous errors.\n',
    );
    expect(fs.readFileSync(path.join(restore, 'd/keep/a'), 'utf8')).toBe('a');
    expect(fs.existsSync(path.join(restore, 'd/skip'))).toBe(false);
  });

  it('strips the leading slash of absolute operands once, with one warning, and restores under -C', async () => {
    box.write({ 'abs/one': '1', 'abs/two': '2' });
    const absolute = path.join(box.dir, 'abs');
    const create = await box.run(['-c', ...box.common(), '-v', '-f', 'abs', absolute]);
    expect(create.exitCode).toBe(0);
    const member = absolute.slice(1);
    expect(lines(create.stderr)).toEqual([
      "tarsnap: Removing leading '/' from member names",
      `a ${member}`,
      `a ${member}/one`,
      `a ${member}/two`,
    ]);
    const restore = path.join(box.dir, 'r');
    fs.mkdirSync(restore);
    expect((await box.run(['-x', '--keyfile', box.key, '-f', 'abs', '-C', restore])).exitCode).toBe(0);
    expect(fs.readFileSync(path.join(restore, member, 'two'), 'utf8')).toBe('2');
  });

  it('honours -C among the operands; a relative -C is taken from the previous one', async () => {
    box.write({ 'one/a': '1', 'one/two/b': '2', c: '3' });
    const result = await box.run([
      '-c',
      '-v',
      '--dry-run',
      '-f',
      'x',
      '-C',
      path.join(box.dir, 'one'),
      'a',
      '-C',
      'two',
      'b',
      `-C${box.dir}`,
      'c',
    ]);
    expect(result).toMatchObject({ exitCode: 0, stderr: 'a a\na b\na c\n' });
    const missing = await box.run(['-c', '--dry-run', '-f', 'x', '-C', box.dir, 'c', '-C', 'nowhere', 'c']);
    expect(missing).toMatchObject({ exitCode: 1, stderr: "tarsnap: could not chdir to 'nowhere'\n\n" });
  });

  it('outputs the archive as a tar stream with -r', async () => {
    box.write({ 'd/f': 'contents' });
    await box.run(['-c', ...box.common(), '-f', 'r', '-C', box.dir, 'd']);
    const result = await box.start(['-r', '--keyfile', box.key, '-f', 'r'], {}).pipe('tar', ['-xOf', '-', 'd/f']);
    expect(String(result.stdout)).toBe('contents');
  });
});
