import { describe, expect, it } from 'vitest';
import { MAX_LOGGED_NAMES, listNames } from '../../src/workflows/prune.js';

describe('listNames: what prune logs as deleted', () => {
  it('names every archive of an ordinary prune', () => {
    expect(listNames(['a'])).toBe('1 archive: a');
    expect(listNames(['a', 'b', 'c'])).toBe('3 archives: a, b, c');
  });

  it('names the first MAX_LOGGED_NAMES of hundreds and counts the rest', () => {
    const names = Array.from({ length: 300 }, (_, i) => `blog-daily-${i}`);
    const line = listNames(names);
    expect(line.startsWith('300 archives: blog-daily-0, blog-daily-1,')).toBe(true);
    expect(line).toContain(`blog-daily-${MAX_LOGGED_NAMES - 1} … and ${300 - MAX_LOGGED_NAMES} more`);
    expect(line).not.toContain(`blog-daily-${MAX_LOGGED_NAMES},`);
  });
});
