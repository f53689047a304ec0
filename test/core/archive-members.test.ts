import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildMemberListArgs,
  parseMemberListing,
  selectMembers,
  unescapeTarsnapText,
  type ArchiveMember,
} from '../../src/core/archive-members.js';
import { TarsnapOutputError } from '../../src/core/tarsnap-output.js';

/** tarsnap 1.0.41's safe_fprintf under LC_ALL=C (bsdtar_expand_char), written from its source. */
function escapeLikeTarsnap(name: string): string {
  const named: Record<number, string> = { 7: 'a', 8: 'b', 12: 'f', 10: 'n', 13: 'r', 9: 't', 11: 'v', 92: '\\' };
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x5c) out += String.fromCharCode(byte);
    else if (named[byte] !== undefined) out += `\\${named[byte]}`;
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

const at = (iso: string) => new Date(iso);
const line = (rest: string) => `${rest}\n`;

describe('buildMemberListArgs', () => {
  it('lists one archive with -t -v --iso-dates, every option before -f', () => {
    expect(buildMemberListArgs({ keyfile: '/k', cachedir: '/c' }, 'blog-daily-2026').argv).toEqual([
      '-t',
      '--iso-dates',
      '--keyfile',
      '/k',
      '--no-default-config',
      '-v',
      '-f',
      'blog-daily-2026',
    ]);
    expect(buildMemberListArgs({ keyfile: '/k', cachedir: '/c' }, 'n').mutates).toBe(false);
  });
});

describe('parseMemberListing', () => {
  const cases: [string, string, Partial<ArchiveMember>][] = [
    [
      'a regular file',
      '-rw-r--r--  0 root   root          5 2026-11-26 03:00:00 srv/a.db',
      {
        member: 'srv/a.db',
        type: 'file',
        mode: 0o644,
        permissions: '-rw-r--r--',
        owner: 'root',
        group: 'root',
        size: 5,
        mtime: at('2026-11-26T03:00:00Z'),
      },
    ],
    [
      'a directory (size 0, trailing slash kept)',
      'drwxr-x---  0 ghost  www-data      0 2026-01-02 13:14:15 srv/ghost/',
      { member: 'srv/ghost/', type: 'directory', mode: 0o750, owner: 'ghost', group: 'www-data', size: 0 },
    ],
    [
      'a symlink with spaces on both sides of the arrow',
      'lrwxrwxrwx  0 root   root          0 2026-11-26 03:00:00 home/a/my link -> notes/with space.txt',
      { member: 'home/a/my link', type: 'symlink', target: 'notes/with space.txt', size: 0 },
    ],
    [
      'a hard link (type h, size 0)',
      'hrw-r--r--  0 root   root          0 2026-11-26 03:00:00 srv/b link to srv/a',
      { member: 'srv/b', type: 'hardlink', target: 'srv/a', size: 0 },
    ],
    [
      'a name with a newline, a tab and a backslash (escaped by tarsnap)',
      '-rw-r--r--  0 root   root          1 2026-11-26 03:00:00 notes/new\\nline\\tand\\\\back',
      { member: 'notes/new\nline\tand\\back', type: 'file', size: 1 },
    ],
    [
      'UTF-8 escaped as octal bytes under LC_ALL=C',
      '-rw-r--r--  0 root   root          2 2026-11-26 03:00:00 notes/\\303\\274n\\303\\257.txt',
      { member: 'notes/ünï.txt' },
    ],
    [
      'a name that starts with a space and holds " -> " (not a link: kept whole)',
      '-rw-r--r--  0 root   root          2 2026-11-26 03:00:00  a -> b',
      { member: ' a -> b', type: 'file' },
    ],
    [
      'setuid, setgid and sticky bits',
      '-rwsr-sr-t  0 root   root         10 2026-11-26 03:00:00 usr/bin/x',
      { mode: 0o7755, permissions: '-rwsr-sr-t' },
    ],
    ['capital S and T: set without execute', 'drwSr-Sr-T  0 root   root   0 2026-11-26 03:00:00 d/', { mode: 0o7644 }],
    [
      'a character device: MAJOR,MINOR instead of a size',
      'crw-rw-rw-  0 root   root        1,3 2026-11-26 03:00:00 dev/null',
      { type: 'char-device', device: '1,3', size: 0 },
    ],
    [
      'numeric owner and group, a long group widening the column, an ACL mark',
      '-rw-r--r--+ 0 1000   a-very-long-group-name 123456789 1999-12-31 23:59:59 x',
      { owner: '1000', group: 'a-very-long-group-name', size: 123456789, mtime: at('1999-12-31T23:59:59Z') },
    ],
    ['a FIFO', 'prw-r--r--  0 root   root          0 2026-11-26 03:00:00 run/fifo', { type: 'fifo' }],
  ];
  it.each(cases)('%s', (_, text, expected) => {
    const [member] = parseMemberListing(line(text));
    expect(member).toMatchObject(expected);
  });

  it('reads several lines in archive order; empty output is an empty archive', () => {
    const text =
      'drwxr-xr-x  0 root   root          0 2026-11-26 03:00:00 srv/\n' +
      '-rw-r--r--  0 root   root          5 2026-11-26 03:00:00 srv/a.db\n';
    expect(parseMemberListing(text).map((member) => member.member)).toEqual(['srv/', 'srv/a.db']);
    expect(parseMemberListing('')).toEqual([]);
  });

  it('refuses output cut short and a line it cannot read', () => {
    expect(() => parseMemberListing('-rw-r--r--  0 root root 5 2026-11-26 03:00:00 srv/a.db')).toThrow(/cut short/);
    expect(() => parseMemberListing('-rw-r--r--  0 root root 5 Nov 26 03:00 srv/a.db\n')).toThrow(TarsnapOutputError);
    expect(() => parseMemberListing('Total size\n')).toThrow(/cannot read this line/);
  });

  it('gives back any name exactly, as tarsnap escapes it (property)', () => {
    const special = fc.constantFrom('\n', '\\', '\t', ' ', '\u007f', '/', '\u0001', '\\303');
    const name = fc
      .array(fc.oneof(special, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 })))
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(name, (text) => {
        const member = `x${text.replace(/\0/g, '')}`;
        const [parsed] = parseMemberListing(
          line(`-rw-r--r--  0 root   root          5 2026-11-26 03:00:00 ${escapeLikeTarsnap(member)}`),
        );
        expect(parsed!.member).toBe(member);
      }),
    );
  });
});

describe('unescapeTarsnapText', () => {
  it.each([
    ['plain', 'plain'],
    ['a\\\\b', 'a\\b'],
    ['\\a\\b\\f\\n\\r\\t\\v', '\u0007\b\f\n\r\t\v'],
    ['\\001\\177', '\u0001\u007f'],
    ['\\342\\202\\254', '€'],
    ['ü kept as printed in a UTF-8 locale', 'ü kept as printed in a UTF-8 locale'],
  ])('%j', (text, expected) => {
    expect(unescapeTarsnapText(text)).toBe(expected);
  });
});

describe('selectMembers', () => {
  const members = parseMemberListing(
    [
      'drwxr-xr-x  0 root root 0 2026-11-26 03:00:00 srv/',
      'drwxr-xr-x  0 root root 0 2026-11-26 03:00:00 srv/ghost/',
      '-rw-r--r--  0 root root 5 2026-11-26 03:00:00 srv/ghost/a.db',
      '-rw-r--r--  0 root root 5 2026-11-26 03:00:00 srv/ghostly',
      '',
    ].join('\n'),
  );
  it('keeps the named members and what lies below them, not a sibling sharing the prefix', () => {
    const { members: chosen, missing } = selectMembers(members, ['srv/ghost']);
    expect(chosen.map((member) => member.member)).toEqual(['srv/ghost/', 'srv/ghost/a.db']);
    expect(missing).toEqual([]);
  });
  it('names the selectors that match nothing; none selects everything', () => {
    expect(selectMembers(members, ['srv/ghost/a.db', 'etc']).missing).toEqual(['etc']);
    expect(selectMembers(members, []).members).toHaveLength(4);
  });
});
