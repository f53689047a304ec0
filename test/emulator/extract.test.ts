/**
 * -x over things already on disk, as tarsnap 1.0.41's libarchive (archive_write_disk.c) does it:
 * a directory in the way of a non-directory is rmdir()ed, never removed recursively; a symlink
 * on the way to a member is refused; a non-directory in the way of a parent is replaced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

/** Archives DIR's entries (relative to DIR) as NAME; fails the test unless -c succeeds. */
async function archive(name: string, dir: string, members: string[]): Promise<void> {
  const create = await box.run(['-c', ...box.common(), '-f', name, '-C', dir, ...members]);
  expect(create.stderr).toBe('');
  expect(create.exitCode).toBe(0);
}

function extract(name: string, into: string) {
  return box.run(['-x', '--keyfile', box.key, '--no-default-config', '-f', name, '-C', into]);
}

describe('-x over existing entries', () => {
  it('a symlink member does not replace a directory that holds files: that entry fails, the files stay', async () => {
    const source = path.join(box.dir, 'source');
    fs.mkdirSync(source);
    fs.symlinkSync('/nonexistent/elsewhere', path.join(source, 'srv'));
    box.write({ 'source/other.txt': 'other\n' });
    await archive('link', source, ['srv', 'other.txt']);

    const into = path.join(box.dir, 'into');
    box.write({ 'into/srv/app.db': 'live database\n', 'into/srv/app.db-wal': 'live frames\n' });
    const result = await extract('link', into);
    expect(result.stderr).toBe(
      "srv: Can't remove already-existing dir\ntarsnap: Error exit delayed from previous errors.\n",
    );
    expect(result.exitCode).toBe(1);
    expect(fs.lstatSync(path.join(into, 'srv')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(into, 'srv/app.db'), 'utf8')).toBe('live database\n');
    expect(fs.readFileSync(path.join(into, 'srv/app.db-wal'), 'utf8')).toBe('live frames\n');
    // The other entries are still extracted.
    expect(fs.readFileSync(path.join(into, 'other.txt'), 'utf8')).toBe('other\n');
  });

  it('a regular file member does not replace a directory that holds files either', async () => {
    box.write({ 'source/data': 'a file now\n' });
    await archive('file', path.join(box.dir, 'source'), ['data']);
    box.write({ 'into/data/kept.txt': 'kept\n' });
    const result = await extract('file', path.join(box.dir, 'into'));
    expect(result.stderr).toBe(
      "data: Can't remove already-existing dir\ntarsnap: Error exit delayed from previous errors.\n",
    );
    expect(result.exitCode).toBe(1);
    expect(fs.readFileSync(path.join(box.dir, 'into/data/kept.txt'), 'utf8')).toBe('kept\n');
  });

  it('an empty directory is removed and replaced by the symlink', async () => {
    const source = path.join(box.dir, 'source');
    fs.mkdirSync(source);
    fs.symlinkSync('target', path.join(source, 'srv'));
    await archive('link', source, ['srv']);
    const into = path.join(box.dir, 'into');
    fs.mkdirSync(path.join(into, 'srv'), { recursive: true });
    const result = await extract('link', into);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(fs.readlinkSync(path.join(into, 'srv'))).toBe('target');
  });

  it('refuses to extract through a symlink that is on disk', async () => {
    box.write({ 'source/srv/app.db': 'restored\n' });
    await archive('db', path.join(box.dir, 'source'), ['srv/app.db']);
    const into = path.join(box.dir, 'into');
    const elsewhere = path.join(box.dir, 'elsewhere');
    box.write({ 'elsewhere/app.db': 'live\n' });
    fs.mkdirSync(into);
    fs.symlinkSync(elsewhere, path.join(into, 'srv'));
    const result = await extract('db', into);
    expect(result.stderr).toBe(
      'srv/app.db: Cannot extract through symlink srv\ntarsnap: Error exit delayed from previous errors.\n',
    );
    expect(result.exitCode).toBe(1);
    expect(fs.readFileSync(path.join(elsewhere, 'app.db'), 'utf8')).toBe('live\n');
  });

  it('a directory member replaces a symlink in its place (the link, never what it points to)', async () => {
    box.write({ 'source/srv/app.db': 'restored\n' });
    await archive('db', path.join(box.dir, 'source'), ['srv']);
    const into = path.join(box.dir, 'into');
    const elsewhere = path.join(box.dir, 'elsewhere');
    box.write({ 'elsewhere/app.db': 'live\n' });
    fs.mkdirSync(into);
    fs.symlinkSync(elsewhere, path.join(into, 'srv'));
    const result = await extract('db', into);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(fs.lstatSync(path.join(into, 'srv')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(into, 'srv/app.db'), 'utf8')).toBe('restored\n');
    expect(fs.readFileSync(path.join(elsewhere, 'app.db'), 'utf8')).toBe('live\n');
  });

  it('replaces a regular file that stands where a parent directory goes', async () => {
    box.write({ 'source/srv/app.db': 'restored\n' });
    await archive('db', path.join(box.dir, 'source'), ['srv/app.db']);
    box.write({ 'into/srv': 'a file in the way\n' });
    const result = await extract('db', path.join(box.dir, 'into'));
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(box.dir, 'into/srv/app.db'), 'utf8')).toBe('restored\n');
  });
});
