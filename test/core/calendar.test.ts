import { describe, expect, it } from 'vitest';
import { fieldValues, formatCalendar, parseCalendar } from '../../src/core/calendar.js';
import { nextElapse, shortestInterval } from '../../src/core/calendar-elapse.js';
import { BASE, INVALID, VALID } from './calendar-cases.js';

/** Given a spec text, a base and a zone, returns the first `count` elapses as ISO strings. */
function elapses(text: string, base: string, zone: string, count = 3): string[] {
  const spec = parseCalendar(text);
  const out: string[] = [];
  let after = Date.parse(base);
  for (let index = 0; index < count; index++) {
    const next = nextElapse(spec, after, zone);
    if (next === undefined) break;
    out.push(new Date(next).toISOString());
    after = next;
  }
  return out;
}

describe("parseCalendar and formatCalendar: systemd's normalised form", () => {
  it.each(VALID)('$text → $normalised', ({ text, normalised }) => {
    expect(formatCalendar(parseCalendar(text))).toBe(normalised);
  });

  it('normalising is idempotent: the normalised form parses to the same spec', () => {
    for (const { text } of VALID) {
      const once = formatCalendar(parseCalendar(text));
      expect(formatCalendar(parseCalendar(once))).toBe(once);
    }
  });

  it('remembers the shorthand it was written as, lower-cased', () => {
    expect(parseCalendar('Daily').shorthand).toBe('daily');
    expect(parseCalendar('*-*-* 00:00:00').shorthand).toBeUndefined();
    expect(parseCalendar('hourly UTC')).toMatchObject({ shorthand: 'hourly', timeZone: 'UTC' });
  });
});

describe('parseCalendar refuses with a message that says what is wrong', () => {
  it.each(INVALID)('"$text"', ({ text, message }) => {
    expect(() => parseCalendar(text)).toThrow(message);
  });
});

describe('nextElapse (UTC, base 2024-03-01T00:00Z)', () => {
  it.each(VALID)('$text', ({ text, elapses: expected }) => {
    expect(elapses(text, BASE, 'UTC')).toEqual(expected);
  });

  it('is strictly after the base, also when the base is an elapse, and ignores milliseconds correctly', () => {
    const daily = parseCalendar('daily');
    expect(new Date(nextElapse(daily, Date.parse('2024-03-02T00:00:00Z'), 'UTC')!).toISOString()).toBe(
      '2024-03-03T00:00:00.000Z',
    );
    expect(new Date(nextElapse(daily, Date.parse('2024-03-01T23:59:59.999Z'), 'UTC')!).toISOString()).toBe(
      '2024-03-02T00:00:00.000Z',
    );
    const everySecond = parseCalendar('*:*:*');
    expect(new Date(nextElapse(everySecond, Date.parse('2024-03-01T10:00:00.400Z'), 'UTC')!).toISOString()).toBe(
      '2024-03-01T10:00:01.000Z',
    );
  });

  it('crosses month, year and leap-day boundaries', () => {
    expect(elapses('*-*-29 12:00', '2023-01-30T00:00:00Z', 'UTC', 3)).toEqual([
      '2023-03-29T12:00:00.000Z',
      '2023-04-29T12:00:00.000Z',
      '2023-05-29T12:00:00.000Z',
    ]);
    expect(elapses('*-*-29 12:00', '2024-01-30T00:00:00Z', 'UTC', 1)).toEqual(['2024-02-29T12:00:00.000Z']);
    expect(elapses('Fri *-12-31 23:59', '2024-01-01T00:00:00Z', 'UTC', 1)).toEqual(['2027-12-31T23:59:00.000Z']);
  });

  it('ends at 2199 as systemd does', () => {
    expect(elapses('2199-12-31 23:59:59', '2199-12-31T23:59:58Z', 'UTC', 2)).toEqual(['2199-12-31T23:59:59.000Z']);
  });
});

describe('nextElapse across daylight-saving changes (expectations from systemd-analyze 252)', () => {
  it('skips a wall time a spring-forward gap removes (Berlin 2024-03-31 02:30)', () => {
    expect(elapses('*-*-* 02:30', '2024-03-30T12:00:00Z', 'Europe/Berlin')).toEqual([
      '2024-04-01T00:30:00.000Z',
      '2024-04-02T00:30:00.000Z',
      '2024-04-03T00:30:00.000Z',
    ]);
    expect(elapses('*:30', '2024-03-31T00:00:00Z', 'Europe/Berlin', 4)).toEqual([
      '2024-03-31T00:30:00.000Z',
      '2024-03-31T01:30:00.000Z',
      '2024-03-31T02:30:00.000Z',
      '2024-03-31T03:30:00.000Z',
    ]);
  });

  it('runs a repeated wall time once, at its first occurrence (Berlin 2024-10-27, New York 2024-11-03)', () => {
    expect(elapses('*-*-* 02:30', '2024-10-26T12:00:00Z', 'Europe/Berlin', 2)).toEqual([
      '2024-10-27T00:30:00.000Z',
      '2024-10-28T01:30:00.000Z',
    ]);
    expect(elapses('*:30', '2024-10-26T23:00:00Z', 'Europe/Berlin', 5)).toEqual([
      '2024-10-26T23:30:00.000Z',
      '2024-10-27T00:30:00.000Z',
      '2024-10-27T02:30:00.000Z',
      '2024-10-27T03:30:00.000Z',
      '2024-10-27T04:30:00.000Z',
    ]);
    expect(elapses('*:0/20', '2024-11-03T05:00:00Z', 'America/New_York', 6)).toEqual([
      '2024-11-03T05:20:00.000Z',
      '2024-11-03T05:40:00.000Z',
      '2024-11-03T07:00:00.000Z',
      '2024-11-03T07:20:00.000Z',
      '2024-11-03T07:40:00.000Z',
      '2024-11-03T08:00:00.000Z',
    ]);
  });

  it('a zone written in the expression wins over the machine zone', () => {
    expect(elapses('daily UTC', BASE, 'Europe/Berlin', 1)).toEqual(['2024-03-02T00:00:00.000Z']);
    expect(elapses('daily', BASE, 'Europe/Berlin', 1)).toEqual(['2024-03-01T23:00:00.000Z']);
  });
});

describe('fieldValues and shortestInterval', () => {
  it.each([
    ['0/15', 0, 59, [0, 15, 30, 45]],
    ['1..10/3', 1, 31, [1, 4, 7, 10]],
    ['5,1,3..4', 0, 23, [1, 3, 4, 5]],
    ['*', 1, 12, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
  ] as const)('minute-style field %s in %i..%i', (text, min, max, expected) => {
    const spec = parseCalendar(`*-*-* ${text === '*' ? '*' : text}:00`);
    expect(fieldValues(spec.hour, min, max)).toEqual(expected);
  });

  it.each([
    ['hourly', 3_600_000],
    ['daily', 86_400_000],
    ['weekly', 7 * 86_400_000],
    ['monthly', 28 * 86_400_000],
    ['Mon,Thu 04:00', 3 * 86_400_000],
    ['Mon..Fri 02:30', 86_400_000],
    ['*:0/15', 900_000],
  ])('%s: shortest gap %i ms', (text, expected) => {
    expect(shortestInterval(parseCalendar(text), Date.parse(BASE), 'UTC')).toBe(expected);
  });

  it('is undefined for an expression that elapses less than twice', () => {
    expect(shortestInterval(parseCalendar('2030-01-01'), Date.parse(BASE), 'UTC')).toBeUndefined();
    expect(shortestInterval(parseCalendar('*-2-30'), Date.parse(BASE), 'UTC')).toBeUndefined();
  });
});
