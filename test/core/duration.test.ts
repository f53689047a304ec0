import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  civilFromDays,
  createZoneCalendar,
  daysFromCivil,
  formatRetentionDuration,
  parseRetentionDuration,
  readWallClock,
  subtractRetentionDuration,
} from '../../src/core/duration.js';

const ms = (iso: string): number => Date.parse(iso);
const iso = (instant: number): string => new Date(instant).toISOString();

describe('parseRetentionDuration', () => {
  it.each([
    ['1d', { years: 0, months: 0, days: 1, hours: 0 }],
    ['2m', { years: 0, months: 2, days: 0, hours: 0 }],
    ['1y2m3d3h', { years: 1, months: 2, days: 3, hours: 3 }],
    // restic accepts units in any order (its golden 26 uses "1y1d1m").
    ['1y1d1m', { years: 1, months: 1, days: 1, hours: 0 }],
    [' 13d23h ', { years: 0, months: 0, days: 13, hours: 23 }],
    ['9999y', { years: 9999, months: 0, days: 0, hours: 0 }],
    ['0y36h', { years: 0, months: 0, days: 0, hours: 36 }],
  ])('%j → %o', (text, expected) => {
    expect(parseRetentionDuration(text)).toEqual(expected);
  });

  it.each([
    [
      '',
      'empty duration; write whole numbers with units y (years), m (months), d (days), h (hours), e.g. "7d", "1m" or "1y2m3d3h"',
    ],
    ['   ', /^empty duration/],
    ['d', 'duration "d": expected a number at "d"; write whole numbers'],
    ['5', 'duration "5": no unit after 5;'],
    ['2w', 'duration "2w": unknown unit "w" after 2 (for weeks write days: 14d);'],
    ['1D', 'duration "1D": unknown unit "D" after 1;'],
    ['1.5d', 'duration "1.5d": unknown unit "." after 1;'],
    ['1d 2h', 'duration "1d 2h": expected a number at " 2h"'],
    ['1d2d', 'duration "1d2d": unit "d" appears twice;'],
    ['-1d', 'duration "-1d" is negative;'],
    ['0d', 'duration "0d" is zero; remove the rule instead'],
    ['0y0h', 'duration "0y0h" is zero; remove the rule instead'],
    ['99999999999999999999d', 'duration "99999999999999999999d": 99999999999999999999 is too large'],
  ])('%j is refused with a clear message', (text, message) => {
    expect(() => parseRetentionDuration(text)).toThrow(message);
  });
});

describe("formatRetentionDuration (restic's spelling, used in reasons)", () => {
  it.each([
    ['1y1d1m', '1y1m1d'],
    ['0y36h', '36h'],
    ['1y2m3d3h', '1y2m3d3h'],
    ['2d', '2d'],
  ])('%s → %s', (text, canonical) => {
    expect(formatRetentionDuration(parseRetentionDuration(text))).toBe(canonical);
  });
});

describe('civil dates', () => {
  it('maps known days', () => {
    expect(civilFromDays(0)).toEqual({ year: 1970, month: 1, day: 1 });
    expect(civilFromDays(-1)).toEqual({ year: 1969, month: 12, day: 31 });
    expect(civilFromDays(11_016)).toEqual({ year: 2000, month: 2, day: 29 });
    expect(daysFromCivil(2000, 3, 1)).toBe(11_017);
  });

  it("normalises overflowing months and days like Go's time.Date", () => {
    expect(civilFromDays(daysFromCivil(2015, 2, 31))).toEqual({ year: 2015, month: 3, day: 3 });
    expect(civilFromDays(daysFromCivil(2016, 2, 31))).toEqual({ year: 2016, month: 3, day: 2 });
    expect(civilFromDays(daysFromCivil(2016, 0, 1))).toEqual({ year: 2015, month: 12, day: 1 });
    expect(civilFromDays(daysFromCivil(2016, 13, 1))).toEqual({ year: 2017, month: 1, day: 1 });
    expect(civilFromDays(daysFromCivil(2016, 3, 0))).toEqual({ year: 2016, month: 2, day: 29 });
    // month -11 of 2016 is January 2015; day -5 is six days before its 1st.
    expect(civilFromDays(daysFromCivil(2016, -11, -5))).toEqual({ year: 2014, month: 12, day: 26 });
  });

  it('agrees with Date.UTC (which normalises the same way) and round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 3000 }),
        fc.integer({ min: -30, max: 30 }),
        fc.integer({ min: -100, max: 100 }),
        (year, month, day) => {
          expect(daysFromCivil(year, month, day) * DAY_MS).toBe(Date.UTC(year, month - 1, day));
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: -3_000_000, max: 3_000_000 }), (days) => {
        const { year, month, day } = civilFromDays(days);
        expect(daysFromCivil(year, month, day)).toBe(days);
      }),
    );
  });
});

describe('createZoneCalendar', () => {
  it('knows offsets either side of transitions, to the second', () => {
    const berlin = createZoneCalendar('Europe/Berlin');
    expect(berlin.offsetAt(ms('2024-03-31T00:59:59.999Z'))).toBe(3_600_000);
    expect(berlin.offsetAt(ms('2024-03-31T01:00:00Z'))).toBe(7_200_000);
    expect(berlin.offsetAt(ms('2024-10-27T00:59:59Z'))).toBe(7_200_000);
    expect(berlin.offsetAt(ms('2024-10-27T01:00:00Z'))).toBe(3_600_000);
    const lordHowe = createZoneCalendar('Australia/Lord_Howe'); // half-hour daylight saving
    expect(lordHowe.offsetAt(ms('2024-01-15T00:00:00Z'))).toBe(11 * 3_600_000);
    expect(lordHowe.offsetAt(ms('2024-06-15T00:00:00Z'))).toBe(10.5 * 3_600_000);
    expect(createZoneCalendar('Asia/Kathmandu').offsetAt(ms('2024-06-15T00:00:00Z'))).toBe(5.75 * 3_600_000);
    // Samoa skipped 2011-12-30 entirely, moving from -10 to +14 at 10:00 UTC.
    const apia = createZoneCalendar('Pacific/Apia');
    expect(apia.offsetAt(ms('2011-12-30T09:59:59Z'))).toBe(-10 * 3_600_000);
    expect(apia.offsetAt(ms('2011-12-30T10:00:00Z'))).toBe(14 * 3_600_000);
  });

  it("resolves a spring-forward gap forward and a repeated hour to its later instant, like Go's time.Date", () => {
    const berlin = createZoneCalendar('Europe/Berlin');
    expect(iso(berlin.instantOf(ms('2024-03-31T02:30:00Z')))).toBe('2024-03-31T01:30:00.000Z');
    expect(iso(berlin.instantOf(ms('2024-10-27T02:30:00Z')))).toBe('2024-10-27T01:30:00.000Z');
    expect(iso(berlin.instantOf(ms('2024-07-01T12:00:00Z')))).toBe('2024-07-01T10:00:00.000Z');
  });

  it("matches Intl's own wall clock for random instants in random zones", () => {
    const zones = Intl.supportedValuesOf('timeZone');
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: ms('1900-01-01T00:00:00Z'), max: ms('2100-01-01T00:00:00Z') }),
        (zone, instant) => {
          const calendar = createZoneCalendar(zone);
          const wall = instant + calendar.offsetAt(instant);
          // sv-SE prints "2024-03-31 03:00:00": an independent path through Intl.
          const expected = new Date(instant).toLocaleString('sv-SE', { timeZone: zone, hourCycle: 'h23' });
          expect(iso(wall).slice(0, 19).replace('T', ' ')).toBe(expected);
          const back = calendar.instantOf(wall);
          expect(back + calendar.offsetAt(back)).toBe(wall);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches Intl minute by minute through transition days, including odd offsets', () => {
    const days: [string, string][] = [
      ['Europe/Berlin', '2024-03-31'],
      ['Europe/Berlin', '2024-10-27'],
      ['America/New_York', '2024-11-03'],
      ['America/St_Johns', '2024-03-10'],
      ['Australia/Lord_Howe', '2024-04-06'],
      ['Pacific/Apia', '2011-12-30'],
      ['Europe/Amsterdam', '1937-07-01'], // +00:19:32 to +00:20: a transition with seconds
    ];
    for (const [zone, day] of days) {
      const calendar = createZoneCalendar(zone);
      for (
        let instant = ms(`${day}T00:00:00Z`) - DAY_MS;
        instant < ms(`${day}T00:00:00Z`) + DAY_MS;
        instant += 7 * 60_000 + 13_000
      ) {
        const expected = new Date(instant).toLocaleString('sv-SE', { timeZone: zone, hourCycle: 'h23' });
        expect(
          `${zone} ${iso(instant + calendar.offsetAt(instant))
            .slice(0, 19)
            .replace('T', ' ')}`,
        ).toBe(`${zone} ${expected}`);
      }
    }
  });

  it('reads the same wall clock through format() and through the formatToParts() fallback', () => {
    const options = {
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    } as const;
    const berlin = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'Europe/Berlin' });
    expect(readWallClock(berlin, ms('2024-01-01T00:00:00Z'))).toEqual(['1', '1', '2024', 'AD', '01', '00', '00']);
    expect(readWallClock(berlin, ms('2024-01-01T00:00:00Z'), true)).toEqual(['1', '1', '2024', 'AD', '01', '00', '00']);
    expect(readWallClock(berlin, Date.UTC(-1, 0, 1), true)).toEqual(['1', '1', '2', 'BC', '00', '53', '28']);
    fc.assert(
      fc.property(
        fc.constantFrom('UTC', 'Asia/Kathmandu', 'America/St_Johns'),
        fc.integer({ min: -8e15, max: 8e15 }),
        (zone, instant) => {
          const format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: zone });
          expect(readWallClock(format, instant, true)).toEqual(readWallClock(format, instant));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects unknown zones with the fix in the message', () => {
    expect(() => createZoneCalendar('Europe/Berln')).toThrow(
      'unknown time zone "Europe/Berln": use an IANA name such as "Europe/Berlin" or "UTC"',
    );
  });
});

describe('subtractRetentionDuration (Go AddDate, then hours as elapsed time)', () => {
  const utc = createZoneCalendar('UTC');
  const minus = (from: string, text: string, calendar = utc): string =>
    iso(subtractRetentionDuration(ms(from), parseRetentionDuration(text), calendar));
  it.each([
    ['2015-03-31T12:00:00Z', '1m', '2015-03-03T12:00:00.000Z'], // Feb 31 rolls over to Mar 3
    ['2016-03-31T12:00:00Z', '1m', '2016-03-02T12:00:00.000Z'], // leap year: Mar 2
    ['2016-02-29T12:00:00Z', '1y', '2015-03-01T12:00:00.000Z'],
    ['2016-01-18T12:02:03Z', '1y2m3d3h', '2014-11-15T09:02:03.000Z'], // restic golden 29's window
    ['2016-01-18T12:02:03Z', '13d23h', '2016-01-04T13:02:03.000Z'],
    ['2024-01-01T00:30:00Z', '1h', '2023-12-31T23:30:00.000Z'],
  ])('%s − %s = %s in UTC', (from, text, expected) => {
    expect(minus(from, text)).toBe(expected);
  });

  it("takes days on the zone's calendar and hours as elapsed time across daylight saving", () => {
    const berlin = createZoneCalendar('Europe/Berlin');
    // 14:00 CEST minus one calendar day is 14:00 CET the day before: 23 hours earlier.
    expect(minus('2024-03-31T12:00:00Z', '1d', berlin)).toBe('2024-03-30T13:00:00.000Z');
    expect(minus('2024-03-31T12:00:00Z', '24h', berlin)).toBe('2024-03-30T12:00:00.000Z');
    // 00:30 CET on Jan 1 is 23:30 UTC: one calendar month back is 00:30 CET on Dec 1.
    expect(minus('2023-12-31T23:30:00Z', '1m', berlin)).toBe('2023-11-30T23:30:00.000Z');
  });

  it('returns -Infinity once the window reaches past the range of a Date', () => {
    expect(subtractRetentionDuration(ms('2016-01-18T12:02:03Z'), parseRetentionDuration('9999y'), utc)).toBe(
      Date.UTC(-7983, 0, 18, 12, 2, 3),
    );
    expect(subtractRetentionDuration(ms('2016-01-18T12:02:03Z'), parseRetentionDuration('300000y'), utc)).toBe(
      -Infinity,
    );
    expect(
      subtractRetentionDuration(
        ms('2016-01-18T12:02:03Z'),
        parseRetentionDuration('300000y'),
        createZoneCalendar('Europe/Berlin'),
      ),
    ).toBe(-Infinity);
  });
});
