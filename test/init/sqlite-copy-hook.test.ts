import { describe, expect, it } from 'vitest';
import { readShellCommands } from '../../src/init/shell-words.js';
import { readSqliteCopyHook, removesOnly } from '../../src/init/sqlite-copy-hook.js';

describe('readShellCommands', () => {
  it.each([
    ['a b  c', [{ words: ['a', 'b', 'c'] }]],
    [`a "b c" 'd "e"' f\\ g`, [{ words: ['a', 'b c', 'd "e"', 'f g'] }]],
    [`a "x \\"y\\" \\\\ z"`, [{ words: ['a', 'x "y" \\ z'] }]],
    ['a\'b\'"c"', [{ words: ['abc'] }]],
    [
      'a && b; c\n\nd;',
      [{ words: ['a'], then: '&&' }, { words: ['b'], then: ';' }, { words: ['c'], then: ';' }, { words: ['d'] }],
    ],
    ['a &&\nb', [{ words: ['a'], then: '&&' }, { words: ['b'] }]],
  ])('%j', (line, expected) => {
    expect(readShellCommands(line)).toEqual(expected);
  });

  it.each([
    'a | b',
    'a > /x',
    'a < /x',
    'a & b',
    'a $HOME',
    'a "$HOME"',
    'a `date`',
    'a $(date)',
    'a *.db',
    'a ~/x',
    '(a)',
    'a # comment',
    'a "open',
    "a 'open",
    'a \\',
    'a &&',
    '; a',
    'a ;; b',
    '',
    '   ',
  ])('%j is not read', (line) => {
    expect(readShellCommands(line)).toBeUndefined();
  });
});

describe('readSqliteCopyHook', () => {
  it.each([
    ['sqlite3 /srv/a.db ".backup /b/a.db"', [{ database: '/srv/a.db', copy: '/b/a.db' }]],
    ["sqlite3 /srv/a.db '.backup main /b/a.db'", [{ database: '/srv/a.db', copy: '/b/a.db' }]],
    [`sqlite3 "/srv/my app.db" ".backup '/b/my app.db'"`, [{ database: '/srv/my app.db', copy: '/b/my app.db' }]],
    [`sqlite3 /srv/a.db '.save "/b/a b.db"'`, [{ database: '/srv/a.db', copy: '/b/a b.db' }]],
    [
      '/usr/bin/sqlite3 -bail -cmd ".timeout 5000" /srv/a.db ".backup /b/a.db"',
      [{ database: '/srv/a.db', copy: '/b/a.db' }],
    ],
    [
      'sqlite3 --cmd "PRAGMA busy_timeout=5000;" /srv/a.db ".backup /b/a.db" .quit',
      [{ database: '/srv/a.db', copy: '/b/a.db' }],
    ],
    [`sqlite3 /srv/a.db "VACUUM INTO '/b/it''s.db';"`, [{ database: '/srv/a.db', copy: "/b/it's.db" }]],
    [`sqlite3 /srv/a.db "vacuum main into '/b/a.db'"`, [{ database: '/srv/a.db', copy: '/b/a.db' }]],
    [
      'sqlite3 /srv/a.db ".backup /b/a.db" && sqlite3 /srv/c.db ".backup /b/c.db"',
      [
        { database: '/srv/a.db', copy: '/b/a.db' },
        { database: '/srv/c.db', copy: '/b/c.db' },
      ],
    ],
  ])('%s', (line, expected) => {
    expect(readSqliteCopyHook(line)).toEqual(expected);
  });

  it.each([
    ['another command alongside', 'sqlite3 /srv/a.db ".backup /b/a.db" && systemctl reload app'],
    ['a dump, not a copy', 'sqlite3 /srv/a.db .dump > /b/a.sql'],
    ['.backup split into two arguments', 'sqlite3 /srv/a.db .backup /b/a.db'],
    ['a relative database', 'sqlite3 data/a.db ".backup /b/a.db"'],
    ['a relative copy', 'sqlite3 /srv/a.db ".backup a.db"'],
    ['a URI database', 'sqlite3 "file:/srv/a.db?mode=ro" ".backup /b/a.db"'],
    ['an -init file (may run anything)', 'sqlite3 -init /x.sql /srv/a.db ".backup /b/a.db"'],
    ['an unknown option', 'sqlite3 -A x /srv/a.db ".backup /b/a.db"'],
    ['other SQL alongside', 'sqlite3 /srv/a.db "DELETE FROM log" ".backup /b/a.db"'],
    ['no copy at all', 'sqlite3 /srv/a.db ".timeout 5000"'],
    ['a shell variable', 'sqlite3 /srv/a.db ".backup $DEST"'],
    ['not sqlite3', 'cp /srv/a.db /b/a.db'],
  ])('not: %s', (_title, line) => {
    expect(readSqliteCopyHook(line)).toBeUndefined();
  });
});

describe('removesOnly', () => {
  it.each([
    ['rm -f /b/a.db', true],
    ['rm /b/a.db /b/c.db', true],
    ['rm -f -- /b/a.db && rm -f /b/c.db', true],
    ['rm -f /b/a.db /etc/passwd', false],
    ['rm -f', false],
    ['rm -f /b/*.db', false],
    ['systemctl start app', false],
  ])('%s → %s', (line, expected) => {
    expect(removesOnly(line, ['/b/a.db', '/b/c.db'])).toBe(expected);
  });
});
