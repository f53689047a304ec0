import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TarsnapOutputError,
  parseListArchives,
  parsePrintStats,
  parsePrintStatsTables,
  parseStatsCsv,
  type ListedArchive,
} from '../../src/core/tarsnap-output.js';

/**
 * Prints records as tarsnap 1.0.41's statstape_printlist_item does with --null-output: the name;
 * with -v and a stored time, two NULs and the time; with -vv, two NULs and the argv joined by three
 * NULs; then one NUL.
 */
function nullOutput(
  records: readonly { name: string; date?: string; argv?: readonly string[] }[],
  verbosity: 0 | 1 | 2,
): string {
  return records
    .map((r) => {
      let out = r.name;
      if (verbosity > 0 && r.date !== undefined) out += `\0\0${r.date}`;
      if (verbosity > 1) out += `\0\0${(r.argv ?? []).join('\0\0\0')}`;
      return `${out}\0`;
    })
    .join('');
}

const utc = (iso: string): Date => new Date(`${iso}Z`);

describe('parseListArchives', () => {
  it('empty output is no archives', () => expect(parseListArchives('', 2)).toEqual([]));
  it('names only', () => expect(parseListArchives('a\0b c\0', 0)).toEqual([{ name: 'a' }, { name: 'b c' }]));
  it('names with tabs and newlines', () =>
    expect(parseListArchives('a\tb\0c\nd\0', 0)).toEqual([{ name: 'a\tb' }, { name: 'c\nd' }]));
  it('-v: dates read as UTC', () =>
    expect(parseListArchives('a\0\x002024-05-06 07:08:09\0b\0\x001970-01-01 00:00:00\0', 1)).toEqual([
      { name: 'a', created: utc('2024-05-06T07:08:09') },
      { name: 'b', created: utc('1970-01-01T00:00:00') },
    ]));
  it('-v: an archive stored without a time', () =>
    expect(parseListArchives('a\0b\0\x002024-05-06 07:08:09\0', 1)).toEqual([
      { name: 'a' },
      { name: 'b', created: utc('2024-05-06T07:08:09') },
    ]));
  it('-vv: command lines', () =>
    expect(
      parseListArchives(
        nullOutput([{ name: 'a', date: '2024-05-06 07:08:09', argv: ['tarsnap', '-c', '-f', 'a', '/etc'] }], 2),
        2,
      ),
    ).toEqual([{ name: 'a', created: utc('2024-05-06T07:08:09'), argv: ['tarsnap', '-c', '-f', 'a', '/etc'] }]));
  it('-vv: empty words in the middle and at the end', () =>
    expect(
      parseListArchives(
        nullOutput(
          [
            { name: 'a', date: '2024-05-06 07:08:09', argv: ['tarsnap', '', '--exclude', ''] },
            { name: 'b', date: '2024-05-06 07:08:10', argv: ['x'] },
          ],
          2,
        ),
        2,
      ),
    ).toEqual([
      { name: 'a', created: utc('2024-05-06T07:08:09'), argv: ['tarsnap', '', '--exclude', ''] },
      { name: 'b', created: utc('2024-05-06T07:08:10'), argv: ['x'] },
    ]));
  it('-vv: no stored command line', () =>
    expect(
      parseListArchives(
        nullOutput(
          [
            { name: 'a', date: '2024-05-06 07:08:09', argv: [] },
            { name: 'b', date: '2024-05-06 07:08:09', argv: [] },
          ],
          2,
        ),
        2,
      ),
    ).toEqual([
      { name: 'a', created: utc('2024-05-06T07:08:09'), argv: [] },
      { name: 'b', created: utc('2024-05-06T07:08:09'), argv: [] },
    ]));
  it('-vv: no stored time', () =>
    expect(
      parseListArchives(
        nullOutput(
          [
            { name: 'a', argv: ['tarsnap', '-c'] },
            { name: 'b', argv: ['', 'x'] },
          ],
          2,
        ),
        2,
      ),
    ).toEqual([
      { name: 'a', argv: ['tarsnap', '-c'] },
      { name: 'b', argv: ['', 'x'] },
    ]));
  it('-vv: names and words with tabs, newlines and spaces', () =>
    expect(
      parseListArchives(
        nullOutput([{ name: 'a\tb\nc', date: '2024-05-06 07:08:09', argv: ['-f', 'a\tb\nc', 'x y'] }], 2),
        2,
      ),
    ).toEqual([{ name: 'a\tb\nc', created: utc('2024-05-06T07:08:09'), argv: ['-f', 'a\tb\nc', 'x y'] }]));

  it.each([
    ['cut short (no final NUL)', 'a\0b', 0, /does not end in a NUL/],
    ['plain newline output (no --null-output)', 'a\nb\n', 0, /does not end in a NUL/],
    ['an empty name', '\0a\0', 0, /empty archive name/],
    ['fields without -v', 'a\0\x002024-05-06 07:08:09\0', 0, /expected 1 without -v/],
    ['an impossible date', 'a\0\x002024-02-30 07:08:09\0', 1, /not a YYYY-MM-DD HH:MM:SS date/],
    ['a local-format date', 'a\0\x00Mon May  6 07:08:09 2024\0', 1, /not a YYYY-MM-DD/],
    ['-vv output read as -v', 'a\0\x002024-05-06 07:08:09\0\0tarsnap\0', 1, /expected 1/],
    ['three NULs after a -v name', 'a\0\0\0', 1, /expected 2 before its date/],
    ['-v output read as -vv', 'a\0b\0', 2, /expected at least 2 with -vv/],
    ['a command line cut short', 'a\0\x002024-05-06 07:08:09\0\0tarsnap\0\0\0', 2, /cut short/],
    ['a -v record cut after its name', 'a\0\0', 1, /cut short/],
    ['a -vv record cut after its date', 'a\0\x002024-05-06 07:08:09\0\0', 2, /cut short/],
    [
      'two NULs inside a command line',
      'a\0\x002024-05-06 07:08:09\0\0tarsnap\0\0-c\0',
      2,
      /2 NULs after a command-line word/,
    ],
  ])('refuses %s', (_why, stdout, verbosity, message) => {
    expect(() => parseListArchives(stdout, verbosity as 0 | 1 | 2)).toThrow(message);
    expect(() => parseListArchives(stdout, verbosity as 0 | 1 | 2)).toThrow(TarsnapOutputError);
  });

  it('reads back whatever tarsnap prints (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', '\n', '-', 'é', '0'), maxLength: 8 });
    const date = fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 19).replace('T', ' '));
    const record = fc.record({
      name: text.filter((s) => s.length > 0),
      date: fc.option(date, { nil: undefined }),
      // [''] prints exactly like no command line; tarsnap's argv[0] is never empty anyway.
      argv: fc.array(text, { maxLength: 5 }).filter((a) => !(a.length === 1 && a[0] === '')),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), fc.constantFrom<0 | 1 | 2>(0, 1, 2), (records, verbosity) => {
        const expected: ListedArchive[] = records.map((r) => ({
          name: r.name,
          ...(verbosity > 0 && r.date !== undefined ? { created: utc(r.date.replace(' ', 'T')) } : {}),
          ...(verbosity > 1 ? { argv: r.argv } : {}),
        }));
        expect(parseListArchives(nullOutput(records, verbosity), verbosity)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

/** Formats rows as tarsnap's chunks_stats_print does: `%-32s  %15s  %15s`. */
function table(rows: readonly [string, number | string, number | string][], header = true): string {
  const line = (label: string, a: string, b: string): string =>
    `${label.padEnd(32)}  ${a.padStart(15)}  ${b.padStart(15)}\n`;
  return (
    (header ? line('', 'Total size', 'Compressed size') : '') +
    rows.map(([l, a, b]) => line(l, String(a), String(b))).join('')
  );
}

const docTable = table([
  ['All archives', 2573, 1797],
  ['  (unique data)', 2573, 1797],
  ['This archive', 2573, 1797],
  ['New data', 2573, 1797],
]);

describe('parsePrintStats', () => {
  it('the doc table, exactly as printed', () =>
    expect(docTable.split('\n')[0]).toBe('                                       Total size  Compressed size'));
  it('a -c table', () =>
    expect(parsePrintStats(docTable)).toEqual({
      allArchives: { total: 2573, compressed: 1797 },
      uniqueData: { total: 2573, compressed: 1797 },
      thisArchive: { total: 2573, compressed: 1797 },
      newData: { total: 2573, compressed: 1797 },
    }));
  it('amid other stderr lines', () =>
    expect(
      parsePrintStats(
        `a var/www/x\ntarsnap: Removing leading '/' from member names\n${table([
          ['All archives', 104491640436, 51510524844],
          ['  (unique data)', 14830618089, 7733620463],
          ['This archive', 808723344, 289077325],
          ['New data', 17858641, 5658308],
        ])}tarsnap: something after\n`,
      ).newData,
    ).toEqual({ total: 17858641, compressed: 5658308 }));
  it('global stats only (--print-stats mode)', () =>
    expect(
      parsePrintStats(
        table([
          ['All archives', 10, 5],
          ['  (unique data)', 8, 4],
        ]),
      ),
    ).toEqual({ allArchives: { total: 10, compressed: 5 }, uniqueData: { total: 8, compressed: 4 } }));
  it('a -d table named after the archive', () =>
    expect(
      parsePrintStats(
        table([
          ['All archives', 10, 5],
          ['  (unique data)', 8, 4],
          ['web1 daily 2024 05', 3, 2],
          ['Deleted data', 1, 1],
        ]),
      ),
    ).toEqual({
      allArchives: { total: 10, compressed: 5 },
      uniqueData: { total: 8, compressed: 4 },
      thisArchive: { total: 3, compressed: 2 },
      deletedData: { total: 1, compressed: 1 },
    }));
  it('a table followed by an error line', () =>
    expect(
      parsePrintStats(
        `${table([
          ['All archives', 10, 5],
          ['  (unique data)', 8, 4],
          ['a', 3, 2],
          ['Deleted data', 1, 1],
        ])}tarsnap: Archive does not exist: b 1 2\ntarsnap: Error deleting archive\n`,
      ).deletedData,
    ).toEqual({ total: 1, compressed: 1 }));

  it('one table per deleted archive; the last is the final state', () => {
    const text =
      table([
        ['All archives', 30, 15],
        ['  (unique data)', 20, 10],
        ['a', 5, 3],
        ['Deleted data', 4, 2],
      ]) +
      table([
        ['All archives', 25, 12],
        ['  (unique data)', 16, 8],
        ['b', 5, 3],
        ['Deleted data', 3, 1],
      ]);
    expect(parsePrintStatsTables(text).map((t) => t.deletedData?.total)).toEqual([4, 3]);
    expect(parsePrintStats(text).allArchives).toEqual({ total: 25, compressed: 12 });
  });

  it('refuses humanized numbers, naming the likely cause', () =>
    expect(() =>
      parsePrintStats(
        table([
          ['All archives', '2.6 kB', '1.8 kB'],
          ['  (unique data)', '573 B', '12 MB'],
        ]),
      ),
    ).toThrow(/humanize-numbers/));
  it('refuses output without a table', () =>
    expect(() => parsePrintStats('tarsnap: Error creating new archive\n')).toThrow(/no --print-stats table/));
  it('refuses a table without its rows', () =>
    expect(() => parsePrintStats(table([]))).toThrow(/"All archives" and "\(unique data\)"/));
});

describe('parseStatsCsv', () => {
  it('a -c file', () =>
    expect(
      parseStatsCsv(
        'Archive name,Total size,Compressed size\nAll archives,2573,1797\n  (unique data),2573,1797\nThis archive,2573,1797\nNew data,100,50\n',
      ),
    ).toEqual({
      allArchives: { total: 2573, compressed: 1797 },
      uniqueData: { total: 2573, compressed: 1797 },
      thisArchive: { total: 2573, compressed: 1797 },
      newData: { total: 100, compressed: 50 },
    }));
  it('an archive name with commas', () =>
    expect(
      parseStatsCsv(
        'Archive name,Total size,Compressed size\nAll archives,9,8\n  (unique data),7,6\na,b,c,5,4\nDeleted data,3,2\n',
      ).thisArchive,
    ).toEqual({ total: 5, compressed: 4 }));
  it('refuses a file without the header', () => expect(() => parseStatsCsv('All archives,9,8\n')).toThrow(/header/));
});
