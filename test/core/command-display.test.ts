import { describe, expect, it } from 'vitest';
import { formatCommandForLog } from '../../src/core/command-display.js';
import { shellQuote } from '../../src/core/shell-quote.js';

describe('shellQuote and formatCommandForLog', () => {
  it.each([
    ['simple/path-1.db', 'simple/path-1.db'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['a\nb', "$'a\\nb'"],
    ["t\t'\\", "$'t\\t\\'\\\\'"],
    ['\u0001', "$'\\x01'"],
    ['*', "'*'"],
    ['$HOME', "'$HOME'"],
  ])('%j → %s', (word, quoted) => expect(shellQuote(word)).toBe(quoted));

  it('quotes and masks a whole command on one line', () =>
    expect(formatCommandForLog('/usr/bin/tarsnap', ['-c', '--passphrase', 'oops', '-f', 'a b\nc'])).toBe(
      "/usr/bin/tarsnap -c --passphrase '***' -f $'a b\\nc'",
    ));

  it('caps a huge command line at about 2000 characters, counting the arguments left out', () => {
    const argv = ['-c', ...Array.from({ length: 200_000 }, (_, i) => ['--exclude', `/srv/data/file-${i}.tmp`]).flat()];
    const shown = formatCommandForLog('tarsnap', argv);
    expect(shown.length).toBeLessThanOrEqual(2000 + ' … (400001 more arguments)'.length);
    expect(shown).toMatch(/^tarsnap -c --exclude \/srv\/data\/file-0\.tmp --exclude .* … \(\d+ more arguments\)$/);
    const kept = shown.replace(/ … \(\d+ more arguments\)$/, '').split(' ').length;
    expect(shown.endsWith(`… (${argv.length + 1 - kept} more arguments)`)).toBe(true);
  });

  it('caps one huge argument too, and says exactly how many are left out', () => {
    expect(formatCommandForLog('tarsnap', ['-c', 'x'.repeat(5000), '-f', 'n'])).toBe('tarsnap -c … (3 more arguments)');
    expect(formatCommandForLog('tarsnap', ['-f', 'a b'], 12)).toBe('tarsnap -f … (1 more argument)');
    expect(formatCommandForLog('/'.repeat(30), [], 10)).toBe(`${'/'.repeat(10)}… … (1 more argument)`);
  });
});
