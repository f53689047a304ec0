/** tarsnap's --exclude matching as the size estimate applies it (1.0.41 tar/matching.c, fnmatch FNM_LEADING_DIR). */
import { describe, expect, it } from 'vitest';
import { excludeMatcher } from '../../src/core/exclude-match.js';

describe('excludeMatcher', () => {
  it.each([
    ['*.tmp', '/srv/a.tmp', true],
    ['*.tmp', '/srv/a.tmp/inner', true],
    ['*.tmp', '/srv/a.tmpx', false],
    ['cache', '/var/cache/x', true],
    ['cache', '/var/cached', false],
    ['var/cache', '/srv/var/cache', true],
    ['/var/cache', '/srv/var/cache', false],
    ['/var/cache', '/var/cache/x', true],
    ['/srv/app.db', 'srv/app.db', false],
    ['/srv/app.db', '/srv/app.db-wal', false],
    ['a?c', '/x/abc', true],
    ['[ab].txt', '/x/b.txt', true],
    ['[!ab].txt', '/x/b.txt', false],
    ['[!ab].txt', '/x/c.txt', true],
    ['/tmp/st\\[1\\]', '/tmp/st[1]/x', true],
    ['/tmp/st\\[1\\]', '/tmp/st1', false],
    ['[[:digit:]]', '/x/1', false],
    ['a.b', '/x/aXb', false],
  ])('%j excludes %j: %s', (pattern, path, expected) => {
    expect(excludeMatcher(pattern)(path)).toBe(expected);
  });
});
