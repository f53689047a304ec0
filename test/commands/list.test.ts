import { describe, expect, it } from 'vitest';
import type { ArchiveInfo } from '../../src/core/archives.js';
import type { ArchiveSizes } from '../../src/core/archive-stats.js';
import { newestOfEach, parseLastOption, renderArchiveTable } from '../../src/commands/list.js';
import { UsageError } from '../../src/errors.js';

const archive = (name: string, time: string, profile: string | null, partial = false): ArchiveInfo => ({
  name,
  time: new Date(time),
  profile,
  partial,
  incomplete: false,
  adopted: false,
});
// Oldest first, as classifyArchives sorts them.
const archives = [
  archive('d1', '2026-01-01T03:00:00Z', 'daily'),
  archive('w1', '2026-01-01T04:00:00Z', 'weekly'),
  archive('x1', '2026-01-01T05:00:00Z', null),
  archive('d2', '2026-01-02T03:00:00Z', 'daily'),
  archive('d3.part', '2026-01-03T03:00:00Z', 'daily', true),
  archive('x2', '2026-01-03T05:00:00Z', null),
];

describe('parseLastOption', () => {
  it.each([
    [undefined, undefined],
    ['1', 1],
    ['25', 25],
  ])('%j → %j', (value, expected) => {
    expect(parseLastOption(value)).toBe(expected);
  });
  it.each(['0', '-1', '2.5', 'three', ''])('%j is a usage error quoting it', (value) => {
    expect(() => parseLastOption(value)).toThrow(UsageError);
    expect(() => parseLastOption(value)).toThrow(`--last ${JSON.stringify(value)}`);
  });
});

describe('newestOfEach', () => {
  it('keeps the newest N of each profile and of no profile, oldest first', () => {
    expect(newestOfEach(archives, 1).map((a) => a.name)).toEqual(['w1', 'd3.part', 'x2']);
    expect(newestOfEach(archives, 2).map((a) => a.name)).toEqual(['w1', 'x1', 'd2', 'd3.part', 'x2']);
    expect(newestOfEach(archives, undefined)).toEqual(archives);
    expect(newestOfEach(archives, 10)).toEqual(archives);
  });
});

describe('renderArchiveTable', () => {
  const sizes = new Map<string, ArchiveSizes>([
    [
      'd2',
      {
        name: 'd2',
        total: 1_200_000_000,
        compressed: 800_000_000,
        unique: { total: 4_000_000, compressed: 3_100_000 },
      },
    ],
    ['d3.part', { name: 'd3.part', total: 5_000, compressed: 900, unique: { total: 10, compressed: 7 } }],
  ]);

  it('as before without options', () => {
    expect(renderArchiveTable(archives, ['daily'], false)).toBe(
      [
        'daily: 2 archives, 1 partial',
        '  2026-01-01 03:00:00Z  d1',
        '  2026-01-02 03:00:00Z  d2',
        '  2026-01-03 03:00:00Z  d3.part  [PARTIAL (.part: an interrupted run, not a backup)]',
        '',
      ].join('\n'),
    );
  });

  it('--last keeps the counts of all and says how many older ones it left out', () => {
    expect(renderArchiveTable(archives, ['daily', 'weekly'], true, { last: 1 })).toBe(
      [
        'daily: 2 archives, 1 partial',
        '  … 2 older not shown',
        '  2026-01-03 03:00:00Z  d3.part  [PARTIAL (.part: an interrupted run, not a backup)]',
        'weekly: 1 archive',
        '  2026-01-01 04:00:00Z  w1',
        'not from any profile of this config: 2',
        '  … 1 older not shown',
        '  2026-01-03 05:00:00Z  x2',
        '',
      ].join('\n'),
    );
  });

  it('-v adds total, compressed and unique (compressed) sizes after aligned names', () => {
    expect(renderArchiveTable(archives, ['daily'], false, { last: 2, sizes })).toBe(
      [
        'daily: 2 archives, 1 partial',
        '  … 1 older not shown',
        '  2026-01-02 03:00:00Z  d2       total 1.2 GB, compressed 800.0 MB, unique 3.1 MB',
        '  2026-01-03 03:00:00Z  d3.part  total 5.0 kB, compressed 900 B, unique 7 B  [PARTIAL (.part: an interrupted run, not a backup)]',
        '',
      ].join('\n'),
    );
  });
});
