import { describe, expect, it } from 'vitest';
import { parseMemberListing } from '../../src/core/archive-members.js';
import { memberRows, printableName, renderMemberTable } from '../../src/core/member-table.js';

const members = parseMemberListing(
  [
    'drwxr-xr-x  0 root   root          0 2026-11-26 03:00:00 srv/ghost/',
    '-rw-r-----  0 ghost  www-data 3100000 2026-11-26 03:00:01 srv/ghost/ghost.db',
    'lrwxrwxrwx  0 root   root          0 2026-11-26 03:00:02 srv/ghost/current -> ghost.db',
    'hrw-r-----  0 ghost  www-data      0 2026-11-26 03:00:01 srv/ghost/again.db link to srv/ghost/ghost.db',
    '-rw-r--r--  0 root   root         12 2026-11-26 03:00:03 srv/ghost/new\\nline',
    'crw-rw-rw-  0 root   root        1,3 2026-11-26 03:00:00 dev/null',
    '',
  ].join('\n'),
);

describe('renderMemberTable', () => {
  it('one aligned line per member with its live path, decimal sizes, UTC times; then a count', () => {
    expect(renderMemberTable('blog-daily-2026-11-26_03-00-00', members)).toBe(
      [
        'drwxr-xr-x  root   root           -  2026-11-26 03:00:00Z  /srv/ghost/',
        '-rw-r-----  ghost  www-data  3.1 MB  2026-11-26 03:00:01Z  /srv/ghost/ghost.db',
        'lrwxrwxrwx  root   root           -  2026-11-26 03:00:02Z  /srv/ghost/current -> ghost.db',
        'hrw-r-----  ghost  www-data       -  2026-11-26 03:00:01Z  /srv/ghost/again.db link to /srv/ghost/ghost.db',
        '-rw-r--r--  root   root        12 B  2026-11-26 03:00:03Z  /srv/ghost/new\\nline',
        'crw-rw-rw-  root   root         1,3  2026-11-26 03:00:00Z  /dev/null',
        'blog-daily-2026-11-26_03-00-00: 6 entries, 2 files of 3.1 MB',
        '',
      ].join('\n'),
    );
  });

  it('an empty selection still says what it counted', () => {
    expect(renderMemberTable('n', [])).toBe('n: 0 entries, 0 files of 0 B\n');
  });
});

describe('memberRows', () => {
  it('gives path, member, type, size, octal mode, owner, time and link target', () => {
    const rows = memberRows(members);
    expect(rows[1]).toEqual({
      path: '/srv/ghost/ghost.db',
      member: 'srv/ghost/ghost.db',
      type: 'file',
      size: 3100000,
      mode: '0640',
      permissions: '-rw-r-----',
      owner: 'ghost',
      group: 'www-data',
      mtime: '2026-11-26T03:00:01.000Z',
    });
    expect(rows[0]).toMatchObject({ path: '/srv/ghost', member: 'srv/ghost/', type: 'directory', mode: '0755' });
    expect(rows[2]).toMatchObject({ type: 'symlink', target: 'ghost.db' });
    expect(rows[4]!.path).toBe('/srv/ghost/new\nline');
    expect(rows[5]).toMatchObject({ type: 'char-device', device: '1,3', size: 0 });
  });
});

describe('printableName', () => {
  it.each([
    ['plain name', 'plain name'],
    ['new\nline', 'new\\nline'],
    ['tab\there', 'tab\\there'],
    ['back\\slash', 'back\\\\slash'],
    ['\u007f', '\\u007f'],
    ['ünïcödé "quoted"', 'ünïcödé "quoted"'],
  ])('%j', (name, expected) => {
    expect(printableName(name)).toBe(expected);
  });
});
