/**
 * --exclude with tarsnap 1.0.41's anchoring rules, including the doc's
 * "put each hot copy where its database lives" example.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

/** Members a dry run would archive, from its -v lines. */
async function members(args: string[]): Promise<string[]> {
  const result = await box.run(['-c', '-v', '--dry-run', '--no-default-config', '-f', 't', ...args]);
  expect(result.exitCode).toBe(0);
  return lines(result.stderr)
    .filter((line) => line.startsWith('a '))
    .map((line) => line.slice(2))
    .sort();
}

describe('the ghost.db example from docs/tarsnap-cli.md', () => {
  it('archives the staged copy and leaves the live database, -wal and -shm out of the walk', async () => {
    // The doc's /var/www/ghost, placed under the sandbox (ROOT) so the test
    // owns it: every path keeps the doc's shape with ROOT in front.
    const root = path.join(box.dir, 'root');
    const live = `${root}/var/www/ghost/content/data`;
    const stage = path.join(box.dir, 'stage');
    box.write({
      [`root/var/www/ghost/content/data/ghost.db`]: 'LIVE database, mid-write',
      [`root/var/www/ghost/content/data/ghost.db-wal`]: 'wal',
      [`root/var/www/ghost/content/data/ghost.db-shm`]: 'shm',
      [`root/var/www/ghost/content/data/notes.txt`]: 'notes',
      [`stage${live}/ghost.db`]: 'CONSISTENT copy',
    });
    const relativeStaged = `${live.slice(1)}/ghost.db`;
    const argv = [
      '--exclude',
      `${live}/ghost.db`,
      '--exclude',
      `${live}/ghost.db-wal`,
      '--exclude',
      `${live}/ghost.db-shm`,
      '--exclude',
      `${live}/ghost.db-journal`,
      '-C',
      stage,
      relativeStaged,
      `${root}/var/www/ghost`,
    ];
    const dry = await box.run(['-c', '-v', '--dry-run', '-f', 't', ...argv]);
    expect(dry.exitCode).toBe(0);
    const member = root.slice(1);
    expect(dry.stderr).toBe(
      [
        `a ${member}/var/www/ghost/content/data/ghost.db`,
        "tarsnap: Removing leading '/' from member names",
        `a ${member}/var/www/ghost`,
        `a ${member}/var/www/ghost/content`,
        `a ${member}/var/www/ghost/content/data`,
        `a ${member}/var/www/ghost/content/data/notes.txt`,
        '',
      ].join('\n'),
    );

    // A real backup restored with -x -C puts the consistent copy in place.
    expect((await box.run(['-c', ...box.common(), '-f', 'ghost', ...argv])).exitCode).toBe(0);
    const restore = path.join(box.dir, 'restore');
    fs.mkdirSync(restore);
    expect((await box.run(['-x', '--keyfile', box.key, '-f', 'ghost', '-C', restore])).exitCode).toBe(0);
    const restored = path.join(restore, member, 'var/www/ghost/content/data');
    expect(fs.readFileSync(path.join(restored, 'ghost.db'), 'utf8')).toBe('CONSISTENT copy');
    expect(fs.readdirSync(restored).sort()).toEqual(['ghost.db', 'notes.txt']);
  });
});

describe('anchoring', () => {
  beforeEach(() => {
    box.write({
      'd/sub/x': '',
      'd/a/sub/y': '',
      'd/subway': '',
      'd/app.log': '',
      'd/deep/more/app.log': '',
      'd/a*b': '',
      'd/aXb': '',
      'd/f1': '',
      'd/fa': '',
      'd/skip/inner/file': '',
      'd/^d': '',
    });
  });

  const all = [
    'd',
    'd/^d',
    'd/a',
    'd/a*b',
    'd/a/sub',
    'd/a/sub/y',
    'd/aXb',
    'd/app.log',
    'd/deep',
    'd/deep/more',
    'd/deep/more/app.log',
    'd/f1',
    'd/fa',
    'd/skip',
    'd/skip/inner',
    'd/skip/inner/file',
    'd/sub',
    'd/sub/x',
    'd/subway',
  ];
  const without = (...gone: string[]) => all.filter((member) => !gone.includes(member));

  it('matches an unanchored pattern at every path component, not inside one', async () => {
    expect(await members(['--exclude', 'sub', '-C', box.dir, 'd'])).toEqual(
      without('d/sub', 'd/sub/x', 'd/a/sub', 'd/a/sub/y'),
    );
  });

  it('does not descend into an excluded directory, and ignores one trailing slash', async () => {
    expect(await members(['--exclude', 'd/skip/', '-C', box.dir, 'd'])).toEqual(
      without('d/skip', 'd/skip/inner', 'd/skip/inner/file'),
    );
  });

  it('anchors a pattern starting with "*", whose star still crosses "/"', async () => {
    expect(await members(['--exclude', '*.log', '-C', box.dir, 'd'])).toEqual(
      without('d/app.log', 'd/deep/more/app.log'),
    );
  });

  it('anchors a pattern starting with "/", which never matches a relative operand', async () => {
    expect(await members(['--exclude', '/d/sub', '--exclude', `/${box.dir}/d/sub`, '-C', box.dir, 'd'])).toEqual(all);
    const absolute = await members(['--exclude', `${box.dir}/d/sub`, `${box.dir}/d`]);
    expect(absolute).not.toContain(`${box.dir.slice(1)}/d/sub/x`);
    expect(absolute).toContain(`${box.dir.slice(1)}/d/subway`);
  });

  it('gives "^" no meaning (1.0.41 has no "^" anchor): it is a literal character', async () => {
    expect(await members(['--exclude', '^d', '-C', box.dir, 'd'])).toEqual(without('d/^d'));
  });

  it('honours backslash escapes and bracket expressions', async () => {
    expect(await members(['--exclude', 'a\\*b', '--exclude', 'f[0-9]', '-C', box.dir, 'd'])).toEqual(
      without('d/a*b', 'd/f1'),
    );
  });

  it('applies exclusions when listing an archive too', async () => {
    await box.run(['-c', ...box.common(), '-f', 'x', '-C', box.dir, 'd']);
    const listing = await box.run(['-t', '--keyfile', box.key, '--exclude', 'sub', '-f', 'x']);
    expect(lines(listing.stdout)).not.toContain('d/sub/x');
    expect(lines(listing.stdout)).toContain('d/subway');
  });
});
