import { describe, expect, it } from 'vitest';
import { buildAllArchiveStatsArgs, parseAccountStats } from '../../src/core/archive-stats.js';
import { TarsnapOutputError } from '../../src/core/tarsnap-output.js';

/** One --print-stats --null-output row as tarsnap 1.0.41 prints it: fields end with two NULs, rows with one. */
const row = (...fields: string[]) => `${fields.join('\0\0')}\0`;
const header = row('', 'Total size', 'Compressed size');
const global = row('All archives', '3000', '900') + row('  (unique data)', '2000', '600');

describe('buildAllArchiveStatsArgs', () => {
  it("asks for every archive's sizes with -f '*' and NUL separators, options before -f", () => {
    expect(buildAllArchiveStatsArgs({ keyfile: '/k', cachedir: '/c' }).argv).toEqual([
      '--print-stats',
      '--keyfile',
      '/k',
      '--cachedir',
      '/c',
      '--no-default-config',
      '--null-output',
      '-f',
      '*',
    ]);
  });
});

describe('parseAccountStats', () => {
  it('reads the global rows and each archive with its unique data, names with newlines and tabs intact', () => {
    const stdout =
      header +
      global +
      row('blog-daily-1', '1000', '300') +
      row('  (unique data)', '10', '7') +
      row('odd\nname\twith  (unique data)', '2000', '600') +
      row('  (unique data)', '0', '0');
    expect(parseAccountStats(stdout)).toEqual({
      allArchives: { total: 3000, compressed: 900 },
      uniqueData: { total: 2000, compressed: 600 },
      archives: [
        { name: 'blog-daily-1', total: 1000, compressed: 300, unique: { total: 10, compressed: 7 } },
        { name: 'odd\nname\twith  (unique data)', total: 2000, compressed: 600, unique: { total: 0, compressed: 0 } },
      ],
    });
  });

  it('no archives: only the global rows', () => {
    expect(parseAccountStats(header + global).archives).toEqual([]);
  });

  it.each([
    ['cut short', header + global.slice(0, -1)],
    ['humanized numbers', header + row('All archives', '3.0 kB', '900 B') + row('  (unique data)', '2', '6')],
    ['the text table instead', '                                       Total size  Compressed size\n'],
    ['an archive row without its unique row', header + global + row('a', '1', '1')],
  ])('refuses %s', (_, stdout) => {
    expect(() => parseAccountStats(stdout)).toThrow(TarsnapOutputError);
  });
});
