/**
 * Calendar arithmetic for retention: restic's y/m/d/h durations, and a time-zone calendar that
 * turns instants into wall-clock time (and back) in one IANA zone.
 *
 * Pure: Intl supplies the zone rules, no clock is read. Intl is slow (~7 µs a call), so a
 * calendar asks it only at UTC-day boundaries and binary-searches the rare day in which the
 * offset changes; planning 100,000 archives then costs a few thousand Intl calls, not 100,000.
 */

const SECOND = 1000;
const HOUR = 3_600_000;
export const DAY_MS = 86_400_000;
const DATE_LIMIT = 8.64e15;

/** A restic-style duration: calendar years and months, then days and hours. */
export interface RetentionDuration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

const UNIT_HELP =
  'write whole numbers with units y (years), m (months), d (days), h (hours), e.g. "7d", "1m" or "1y2m3d3h"';
const FIELD_OF_UNIT = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;

/**
 * Parses restic's duration syntax (units in any order, each at most once). Stricter than restic:
 * negative, zero and repeated units are errors, because each one silently changes what is kept.
 * Given "1y2m3d3h", returns { years: 1, months: 2, days: 3, hours: 3 }; given "2w", throws.
 */
export function parseRetentionDuration(text: string): RetentionDuration {
  const source = text.trim();
  if (source === '') throw new Error(`empty duration; ${UNIT_HELP}`);
  const fields = { years: 0, months: 0, days: 0, hours: 0 };
  const seen = new Set<string>();
  const token = /(-?)(\d*)(.?)/y;
  let position = 0;
  while (position < source.length) {
    token.lastIndex = position;
    const [whole = '', minus, digits = '', unit = ''] = token.exec(source) ?? [];
    if (minus) throw new Error(`duration "${text}" is negative; ${UNIT_HELP}`);
    if (digits === '')
      throw new Error(`duration "${text}": expected a number at "${source.slice(position)}"; ${UNIT_HELP}`);
    if (unit === '') throw new Error(`duration "${text}": no unit after ${digits}; ${UNIT_HELP}`);
    if (!(unit in FIELD_OF_UNIT)) {
      const hint = unit === 'w' ? ` (for weeks write days: ${Number(digits) * 7}d)` : '';
      throw new Error(`duration "${text}": unknown unit "${unit}" after ${digits}${hint}; ${UNIT_HELP}`);
    }
    if (seen.has(unit)) throw new Error(`duration "${text}": unit "${unit}" appears twice; ${UNIT_HELP}`);
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) throw new Error(`duration "${text}": ${digits} is too large`);
    seen.add(unit);
    fields[FIELD_OF_UNIT[unit as keyof typeof FIELD_OF_UNIT]] = value;
    position += whole.length;
  }
  if (isZeroDuration(fields)) throw new Error(`duration "${text}" is zero; remove the rule instead`);
  return fields;
}

/** Given { years: 1, months: 0, days: 0, hours: 0 }, returns false; all four zero returns true. */
export function isZeroDuration(duration: RetentionDuration): boolean {
  return duration.years === 0 && duration.months === 0 && duration.days === 0 && duration.hours === 0;
}

/**
 * restic's canonical spelling (its reasons quote it): units in y, m, d, h order, zeros left out.
 * Given the parse of "1y1d1m", returns "1y1m1d".
 */
export function formatRetentionDuration(duration: RetentionDuration): string {
  return (['years', 'months', 'days', 'hours'] as const)
    .filter((field) => duration[field] !== 0)
    .map((field) => `${duration[field]}${field[0]}`)
    .join('');
}

/** A civil date: month 1–12, day 1–31. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Given 0 (days since 1970-01-01), returns { year: 1970, month: 1, day: 1 } (proleptic Gregorian). */
export function civilFromDays(days: number): CivilDate {
  // Howard Hinnant's days_from_civil inverse: eras of 400 years starting on March 1st.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Days since 1970-01-01 of a date whose month and day may overflow, normalised the way Go's
 * time.Date does (months roll into years, then days roll into months): given (2015, 2, 31),
 * returns the day number of 2015-03-03.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const monthIndex = year * 12 + (month - 1);
  const normalYear = Math.floor(monthIndex / 12);
  const normalMonth = monthIndex - normalYear * 12 + 1;
  const marchYear = normalMonth <= 2 ? normalYear - 1 : normalYear;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (normalMonth > 2 ? normalMonth - 3 : normalMonth + 9) + 2) / 5);
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468 + (day - 1);
}

/** Wall-clock time in one zone; "wall ms" means the wall-clock reading written as if it were UTC. */
export interface ZoneCalendar {
  /** The zone as Intl resolved it. */
  readonly timeZone: string;
  /** Given an instant (ms since epoch), returns the zone's UTC offset then, in ms (Berlin summer: 7_200_000). */
  offsetAt(instant: number): number;
  /**
   * Given a wall-clock reading, returns the instant. Like Go's time.Date: a time skipped by a
   * spring-forward gap maps to the instant the pre-gap offset gives (02:30 → 03:30 in Berlin),
   * and a repeated fall-back time takes the later (standard-time) offset.
   */
  instantOf(wallMs: number): number;
}

interface OffsetBlock {
  day: number;
  before: number;
  after: number;
  /** The first instant with offset `after` (Infinity when the offset doesn't change that day). */
  switchAt: number;
}

/**
 * Given an IANA zone name ("Europe/Berlin"), returns its calendar; throws a clear Error for an
 * unknown zone. Assumes a zone changes its offset at most once per UTC day, true of every
 * rule in the tz database for the years backups exist in.
 */
export function createZoneCalendar(timeZone: string): ZoneCalendar {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(`unknown time zone "${timeZone}": use an IANA name such as "Europe/Berlin" or "UTC"`);
  }
  const resolved = format.resolvedOptions().timeZone;
  if (resolved === 'UTC' || resolved === 'Etc/UTC')
    return { timeZone: resolved, offsetAt: () => 0, instantOf: (wallMs) => wallMs };

  // The exact offset from Intl, to the second (tz offsets are whole seconds). format() and a
  // regex cost a quarter of formatToParts(), which stays as the fallback should a future ICU
  // print en-US differently.
  const exactOffset = (instant: number): number => {
    const second = Math.floor(instant / SECOND) * SECOND;
    const [month, day, year, era, hour, minute, sec] = readWallClock(format, second);
    const fullYear = era === 'BC' ? 1 - Number(year) : Number(year);
    const days = daysFromCivil(fullYear, Number(month), Number(day));
    return days * DAY_MS + Number(hour) * HOUR + Number(minute) * 60_000 + Number(sec) * SECOND - second;
  };
  const boundaryOffsets = new Map<number, number>();
  const offsetAtMidnight = (day: number): number => {
    let offset = boundaryOffsets.get(day);
    if (offset === undefined) boundaryOffsets.set(day, (offset = exactOffset(day * DAY_MS)));
    return offset;
  };
  const blocks = new Map<number, OffsetBlock>();
  const blockOf = (day: number): OffsetBlock => {
    const before = offsetAtMidnight(day);
    const after = offsetAtMidnight(day + 1);
    if (before === after) return { day, before, after, switchAt: Infinity };
    // lo has the old offset, hi the new one; narrow to the second the zone switched.
    let lo = day * DAY_MS;
    let hi = lo + DAY_MS;
    while (hi - lo > SECOND) {
      const middle = lo + Math.floor((hi - lo) / (2 * SECOND)) * SECOND;
      if (exactOffset(middle) === before) lo = middle;
      else hi = middle;
    }
    return { day, before, after, switchAt: hi };
  };
  // Archives arrive sorted, so most look-ups hit the block of the previous one.
  let recent: OffsetBlock | undefined;
  const offsetAt = (instant: number): number => {
    const day = Math.floor(instant / DAY_MS);
    if (recent?.day !== day) {
      recent = blocks.get(day);
      if (recent === undefined) blocks.set(day, (recent = blockOf(day)));
    }
    return instant < recent.switchAt ? recent.before : recent.after;
  };
  const instantOf = (wallMs: number): number => {
    const guess = offsetAt(wallMs);
    const check = offsetAt(wallMs - guess);
    return wallMs - (check === guess ? guess : check);
  };
  return { timeZone: resolved, offsetAt, instantOf };
}

/**
 * Given an en-US, h23, era-showing formatter and an instant, returns its wall clock as
 * [month, day, year, era ('AD' | 'BC'), hour, minute, second] strings, through format() and a
 * regex, or through formatToParts() when `viaParts` (the fallback if the text ever differs).
 * Given Berlin and 2024-01-01T00:00Z, returns ['1', '1', '2024', 'AD', '01', '00', '00'].
 */
export function readWallClock(format: Intl.DateTimeFormat, instant: number, viaParts = false): string[] {
  const match = viaParts ? null : /^(\d+)\/(\d+)\/(\d+) (AD|BC), (\d+):(\d+):(\d+)$/.exec(format.format(instant));
  if (match) return match.slice(1);
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of format.formatToParts(instant)) part[type] = value;
  const era = part.era === 'BC' || part.era === 'B' ? 'BC' : 'AD';
  return [
    part.month ?? '',
    part.day ?? '',
    part.year ?? '',
    era,
    part.hour ?? '',
    part.minute ?? '',
    part.second ?? '',
  ];
}

/**
 * restic's window start: `t.AddDate(-years, -months, -days).Add(-hours)` with the calendar part
 * taken in `calendar`'s zone (Go normalisation: Mar 31 − 1m is Mar 3) and the hours as elapsed
 * time. Given 2016-03-31T12:00Z, "1m" and UTC, returns 2016-03-02T12:00Z (2016 is a leap year).
 * Returns -Infinity when the start lies before the range of a JS Date.
 */
export function subtractRetentionDuration(
  instant: number,
  duration: RetentionDuration,
  calendar: ZoneCalendar,
): number {
  const wall = instant + calendar.offsetAt(instant);
  const days = Math.floor(wall / DAY_MS);
  const timeOfDay = wall - days * DAY_MS;
  const { year, month, day } = civilFromDays(days);
  const shiftedWall =
    daysFromCivil(year - duration.years, month - duration.months, day - duration.days) * DAY_MS + timeOfDay;
  // 8.64e15 ms is the edge of a JS Date (and of Intl); a window reaching past it holds every archive.
  if (!(shiftedWall > -DATE_LIMIT + 2 * DAY_MS)) return -Infinity;
  const start = calendar.instantOf(shiftedWall) - duration.hours * HOUR;
  return start > -DATE_LIMIT ? start : -Infinity;
}
