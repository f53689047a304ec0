import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ARCHIVE_NAME,
  chooseArchiveName,
  formatArchiveName,
  parseArchiveName,
  validateNameTemplate,
} from '../../src/core/archive-name.js';
import { DEFAULT_DATE_FORMAT } from '../../src/core/archive-date.js';

const owner = { hostname: 'web1', profile: 'daily' };
const at = (iso: string): Date => new Date(iso);

describe('formatArchiveName', () => {
  it.each([
    [DEFAULT_ARCHIVE_NAME, DEFAULT_DATE_FORMAT, '2024-05-06T07:08:09.999Z', 'web1-daily-2024-05-06_07-08-09'],
    ['{profile}@{hostname}:{date}', "yyyyMMdd'T'HHmmss'Z'", '2024-12-31T23:59:59Z', 'daily@web1:20241231T235959Z'],
    ['backup-{date}', 'yyyy-MM-dd', '1970-01-01T00:00:00Z', 'backup-1970-01-01'],
    ['{date}.{hostname}', 'yyyy-MM-dd_HH-mm-ss.SSS', '2200-02-03T04:05:06.789Z', '2200-02-03_04-05-06.789.web1'],
  ])('%s with %s at %s → %s', (template, dateFormat, iso, name) => {
    expect(formatArchiveName(template, { ...owner, date: at(iso) }, dateFormat)).toBe(name);
  });

  it('refuses a template without {date}', () => {
    expect(() => formatArchiveName('{hostname}', { ...owner, date: at('2024-01-01T00:00:00Z') }, 'yyyy')).toThrow(
      /\{date\} exactly once/,
    );
  });
});

describe('dates are UTC whatever the host zone', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  // 01:30 UTC on these nights is inside (Europe/Berlin spring) or next to (New York autumn) a DST change.
  it.each([
    ['Europe/Berlin', 3],
    ['America/New_York', 21],
    ['Asia/Kolkata', 7],
    ['UTC', 1],
  ])('in %s', (zone, localHour) => {
    process.env.TZ = zone;
    expect(new Date('2024-03-31T01:30:00Z').getHours()).toBe(localHour); // the zone really changed
    for (const iso of ['2024-03-31T01:30:00Z', '2024-11-03T05:30:00Z', '2024-10-27T00:30:00Z']) {
      const name = formatArchiveName(DEFAULT_ARCHIVE_NAME, { ...owner, date: at(iso) }, DEFAULT_DATE_FORMAT);
      expect(name).toBe(`web1-daily-${iso.slice(0, 10)}_${iso.slice(11, 19).replaceAll(':', '-')}`);
      expect(parseArchiveName(name, DEFAULT_ARCHIVE_NAME, owner, DEFAULT_DATE_FORMAT)?.time.toISOString()).toBe(
        at(iso).toISOString(),
      );
    }
  });
});

describe('parseArchiveName', () => {
  const parse = (name: string, who = owner, template = DEFAULT_ARCHIVE_NAME, dateFormat = DEFAULT_DATE_FORMAT) => {
    const parsed = parseArchiveName(name, template, who, dateFormat);
    return parsed && { time: parsed.time.toISOString(), suffix: parsed.suffix, partial: parsed.partial };
  };

  it.each([
    ['web1-daily-2024-05-06_07-08-09', { time: '2024-05-06T07:08:09.000Z', suffix: null, partial: false }],
    ['web1-daily-2024-05-06_07-08-09.2', { time: '2024-05-06T07:08:09.000Z', suffix: 2, partial: false }],
    ['web1-daily-2024-05-06_07-08-09.17', { time: '2024-05-06T07:08:09.000Z', suffix: 17, partial: false }],
    ['web1-daily-2024-05-06_07-08-09.part', { time: '2024-05-06T07:08:09.000Z', suffix: null, partial: true }],
    ['web1-daily-2024-05-06_07-08-09.3.part', { time: '2024-05-06T07:08:09.000Z', suffix: 3, partial: true }],
  ])('%s is ours', (name, expected) => {
    expect(parse(name)).toEqual(expected);
  });

  it.each([
    ['another profile whose name starts with ours', 'web1-daily-db-2024-05-06_07-08-09'],
    ['another host', 'web2-daily-2024-05-06_07-08-09'],
    ['a host whose name starts with ours', 'web10-daily-2024-05-06_07-08-09'],
    ['a non-canonical date (date-fns alone would accept it)', 'web1-daily-2024-5-6_07-08-09'],
    ['an impossible date', 'web1-daily-2024-02-30_07-08-09'],
    ['trailing text', 'web1-daily-2024-05-06_07-08-09-extra'],
    ['suffix .1 (never made)', 'web1-daily-2024-05-06_07-08-09.1'],
    ['suffix with a leading zero', 'web1-daily-2024-05-06_07-08-09.02'],
    ['.part twice', 'web1-daily-2024-05-06_07-08-09.part.part'],
    ['a prefix only', 'web1-daily-'],
    ['an empty name', ''],
    ['a tarsnapper-style name', 'daily-20240506-070809'],
  ])('rejects %s: %j', (_why, name) => {
    expect(parse(name)).toBeNull();
  });

  it('never lets profile "daily" claim "daily-db" archives, nor the reverse', () => {
    const name = formatArchiveName(DEFAULT_ARCHIVE_NAME, {
      hostname: 'h',
      profile: 'daily-db',
      date: at('2024-01-02T03:04:05Z'),
    });
    expect(parse(name, { hostname: 'h', profile: 'daily' })).toBeNull();
    expect(parse(name, { hostname: 'h', profile: 'daily-db' })?.time).toBe('2024-01-02T03:04:05.000Z');
    const other = formatArchiveName(DEFAULT_ARCHIVE_NAME, {
      hostname: 'h',
      profile: 'daily',
      date: at('2024-01-02T03:04:05Z'),
    });
    expect(parse(other, { hostname: 'h', profile: 'daily-db' })).toBeNull();
  });

  it('tells a date that ends in digits from a collision suffix', () => {
    const template = '{hostname}.{profile}.{date}';
    expect(parse('web1.daily.2024.05.06', owner, template, 'yyyy.MM.dd')).toEqual({
      time: '2024-05-06T00:00:00.000Z',
      suffix: null,
      partial: false,
    });
    expect(parse('web1.daily.2024.05.06.2', owner, template, 'yyyy.MM.dd')).toEqual({
      time: '2024-05-06T00:00:00.000Z',
      suffix: 2,
      partial: false,
    });
  });

  it('reads literal text after the date', () => {
    expect(parse('daily-2024-05-06@web1', owner, '{profile}-{date}@{hostname}', 'yyyy-MM-dd')).toEqual({
      time: '2024-05-06T00:00:00.000Z',
      suffix: null,
      partial: false,
    });
    expect(parse('daily-2024-05-06@web2', owner, '{profile}-{date}@{hostname}', 'yyyy-MM-dd')).toBeNull();
  });

  it('throws on an invalid template instead of matching nothing silently', () => {
    expect(() => parseArchiveName('x', '{hostname}-{when}', owner, DEFAULT_DATE_FORMAT)).toThrow(
      /unknown placeholder \{when\}/,
    );
  });
});

describe('validateNameTemplate', () => {
  it.each([
    [DEFAULT_ARCHIVE_NAME, DEFAULT_DATE_FORMAT],
    ['{hostname}_{profile}_{date}', "yyyyMMdd'T'HHmmss"],
    ['{profile}-{date}', 'yyyy-MM-dd'],
    ['{date}-{hostname}', 'yyyy-MM-dd_HH-mm-ss.SSS'],
    ['{hostname}-{date}', 'yyyy-MM'],
    ['{hostname}-{date}', 'yyyy-MM-dd hh:mm:ss a'],
    ['{hostname}-{date}', 't'],
  ])('%s with %s is fine', (template, dateFormat) => {
    expect(validateNameTemplate(template, dateFormat, owner)).toEqual([]);
  });

  it.each([
    ['{hostname}-{profile}', DEFAULT_DATE_FORMAT, /\{date\} exactly once \(found 0\)/],
    ['{date}-{date}', DEFAULT_DATE_FORMAT, /\{date\} exactly once \(found 2\)/],
    ['{host}-{date}', DEFAULT_DATE_FORMAT, /unknown placeholder \{host\}/],
    ['{hostname-{date}', DEFAULT_DATE_FORMAT, /stray "\{"/],
    ['{date}}', DEFAULT_DATE_FORMAT, /stray/],
    ['{date}\n', DEFAULT_DATE_FORMAT, /control characters/],
    ['{date}', 'yyyy-jj', /invalid date format .*`j`/],
    ['{date}', 'YYYY-MM-dd', /week-year "Y"/],
    ['{date}', 'yyyy-DDD', /day-of-year "D"/],
    ['{date}', 'MM-dd_HH-mm', /does not round-trip|cannot be parsed back/],
    ['{date}', 'yyyy-dd', /does not round-trip|cannot be parsed back/],
    ['{date}', 'yyyy-MM-dd hh-mm', /does not round-trip|cannot be parsed back/],
    ['{date}', 'HH:mm:ss', /does not round-trip|cannot be parsed back/],
    ['{date}', '', /must not be empty/],
    ['{date}.part', DEFAULT_DATE_FORMAT, /must not end in "\.part"/],
  ])('%j with %j: %s', (template, dateFormat, problem) => {
    const problems = validateNameTemplate(template, dateFormat, owner);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('keeps names short enough for tarsnap, with room for ".N.incomplete.part"', () => {
    expect(validateNameTemplate(`{date}-${'x'.repeat(983)}`, DEFAULT_DATE_FORMAT)).toEqual([]); // 19 + 1 + 983 = 1003 bytes
    expect(validateNameTemplate(`{date}-${'x'.repeat(984)}`, DEFAULT_DATE_FORMAT).join('\n')).toMatch(
      /1004 bytes; at most 1003 leaves room for ".N.incomplete.part"/,
    );
    expect(validateNameTemplate(`{date}-${'é'.repeat(498)}`, DEFAULT_DATE_FORMAT).join('\n')).toMatch(/1016 bytes/); // bytes, not characters
  });

  it('counts the host and profile in the length when it knows them', () => {
    const long = { hostname: 'h'.repeat(600), profile: 'p'.repeat(600) };
    expect(validateNameTemplate(DEFAULT_ARCHIVE_NAME, DEFAULT_DATE_FORMAT)).toEqual([]);
    expect(validateNameTemplate(DEFAULT_ARCHIVE_NAME, DEFAULT_DATE_FORMAT, long).join('\n')).toMatch(/1221 bytes/);
  });

  it('lists every problem at once', () => {
    expect(validateNameTemplate('{host}', 'YYYY', owner)).toHaveLength(3);
  });
});

describe('chooseArchiveName', () => {
  it.each([
    [[], 'a'],
    [['b'], 'a'],
    [['a'], 'a.2'],
    [['a.part'], 'a.2'],
    [['a', 'a.2'], 'a.3'],
    [['a', 'a.2.part'], 'a.3'],
    [['a', 'a.2', 'a.3', 'a.3.part', 'a.4.part'], 'a.5'],
    [['a', 'a.3'], 'a.2'],
  ])('with %j existing → %s', (existing, chosen) => {
    expect(chooseArchiveName('a', new Set(existing))).toBe(chosen);
  });

  it.each([
    [[], 'a.incomplete'],
    [['a'], 'a.2.incomplete'],
    [['a.incomplete.part'], 'a.2.incomplete'],
    [['a', 'a.2.incomplete'], 'a.3.incomplete'],
  ])('for an incomplete archive with %j existing → %s', (existing, chosen) => {
    expect(chooseArchiveName('a', new Set(existing), { incomplete: true })).toBe(chosen);
  });

  it('never gives a complete archive the time of an incomplete one', () => {
    expect(chooseArchiveName('a', new Set(['a.incomplete']))).toBe('a.2');
  });
});

describe('incomplete archives', () => {
  const who = { hostname: 'web1', profile: 'daily' };
  it.each([
    ['web1-daily-2024-05-06_07-08-09.incomplete', { suffix: null, partial: false, incomplete: true }],
    ['web1-daily-2024-05-06_07-08-09.3.incomplete', { suffix: 3, partial: false, incomplete: true }],
    ['web1-daily-2024-05-06_07-08-09.incomplete.part', { suffix: null, partial: true, incomplete: true }],
    ['web1-daily-2024-05-06_07-08-09', { suffix: null, partial: false, incomplete: false }],
  ])('%s parses with its marks', (name, marks) => {
    expect(parseArchiveName(name, DEFAULT_ARCHIVE_NAME, who, DEFAULT_DATE_FORMAT)).toEqual({
      time: new Date('2024-05-06T07:08:09Z'),
      ...marks,
    });
  });

  it('refuses a template whose names would end in .incomplete', () => {
    expect(validateNameTemplate('{profile}-{date}.incomplete', DEFAULT_DATE_FORMAT).join('\n')).toMatch(
      /must not end in "\.incomplete"/,
    );
  });
});

describe('date formats date-fns can format but not parse', () => {
  it('are a config problem, not a crash, and never match a name', async () => {
    const { validateNameTemplate, parseArchiveName } = await import('../../src/core/archive-name.js');
    const problems = validateNameTemplate('{hostname}-{profile}-{date}', 'yyyyMMddhhHHmmss');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^date format "yyyyMMddhhHHmmss" cannot be parsed: /);
    expect(
      parseArchiveName(
        'h-p-20240101010101',
        '{hostname}-{profile}-{date}',
        { hostname: 'h', profile: 'p' },
        'yyyyMMddhhHHmmss',
      ),
    ).toBeNull();
  });
});
