/**
 * The part of systemd's OnCalendar= syntax hotsnap understands (systemd.time(7), "Calendar
 * Events"): parsing, systemd's normalised form, and the next elapse after an instant.
 *
 * Supported: the shorthands (minutely … semiannually), weekday lists and ranges, `[Y-]M-D`,
 * `H:M[:S]`, and in each numeric field `*`, numbers, lists `a,b`, ranges `a..b` and repetitions
 * `a/n`, `a..b/n`; an optional trailing time zone. Refused with a clear message: `~` (last days
 * of the month), fractional seconds and `@epoch` — enough for backup schedules, and status can
 * evaluate every schedule it accepts (core/calendar-elapse).
 */
import { isTimeZone } from './time-zone.js';

/** One item of a field: `start`, `start..end`, `start/step` or `start..end/step`. */
export interface CalendarItem {
  start: number;
  end?: number;
  step?: number;
}

/** A numeric field: undefined is `*`. */
export type CalendarField = readonly CalendarItem[] | undefined;

/** A parsed OnCalendar expression; parseCalendar('Mon 03:00') → {weekdays: 1, hour: [{start: 3}], …}. */
export interface CalendarSpec {
  /** Bit 0 = Monday … bit 6 = Sunday; 0x7f when any weekday matches. */
  weekdays: number;
  year: CalendarField;
  month: CalendarField;
  day: CalendarField;
  hour: CalendarField;
  minute: CalendarField;
  second: CalendarField;
  /** An explicit zone ("UTC", "Europe/Berlin"); undefined: the machine's zone. */
  timeZone?: string;
  /** The shorthand it was written as ("daily"), if any. */
  shorthand?: string;
}

/** The weekday mask of an expression that names no weekday. */
export const ALL_WEEKDAYS = 0x7f;
/** systemd refuses years before 1970. */
export const MIN_YEAR = 1970;
/** systemd refuses years after 2199; the search for the next elapse stops there too. */
export const MAX_YEAR = 2199;

const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAY_LONG = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const midnight = { hour: [{ start: 0 }], minute: [{ start: 0 }], second: [{ start: 0 }] };
const SHORTHANDS: Record<string, Omit<CalendarSpec, 'shorthand'>> = {
  minutely: {
    weekdays: ALL_WEEKDAYS,
    year: undefined,
    month: undefined,
    day: undefined,
    hour: undefined,
    minute: undefined,
    second: [{ start: 0 }],
  },
  hourly: {
    weekdays: ALL_WEEKDAYS,
    year: undefined,
    month: undefined,
    day: undefined,
    hour: undefined,
    minute: [{ start: 0 }],
    second: [{ start: 0 }],
  },
  daily: { weekdays: ALL_WEEKDAYS, year: undefined, month: undefined, day: undefined, ...midnight },
  weekly: { weekdays: 1, year: undefined, month: undefined, day: undefined, ...midnight },
  monthly: { weekdays: ALL_WEEKDAYS, year: undefined, month: undefined, day: [{ start: 1 }], ...midnight },
  yearly: { weekdays: ALL_WEEKDAYS, year: undefined, month: [{ start: 1 }], day: [{ start: 1 }], ...midnight },
  quarterly: {
    weekdays: ALL_WEEKDAYS,
    year: undefined,
    month: [1, 4, 7, 10].map((start) => ({ start })),
    day: [{ start: 1 }],
    ...midnight,
  },
  semiannually: {
    weekdays: ALL_WEEKDAYS,
    year: undefined,
    month: [{ start: 1 }, { start: 7 }],
    day: [{ start: 1 }],
    ...midnight,
  },
};
SHORTHANDS.annually = SHORTHANDS.yearly!;

/** Given "2/15" for minutes, returns [{start: 2, step: 15}]; throws naming the field on nonsense. */
function parseField(text: string, name: string, min: number, max: number, year = false): CalendarField {
  if (text === '*') return undefined;
  const items: CalendarItem[] = [];
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:\.\.(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`${name} "${part}": use a number, a list a,b, a range a..b or a repetition a/n`);
    // systemd reads two-digit years as 1970–2069.
    const value = (digits: string) =>
      year && digits.length <= 2 ? Number(digits) + (Number(digits) >= 70 ? 1900 : 2000) : Number(digits);
    const item: CalendarItem = { start: value(match[1]!) };
    if (match[2] !== undefined) item.end = value(match[2]);
    if (match[3] !== undefined) item.step = Number(match[3]);
    for (const bound of [item.start, item.end]) {
      if (bound !== undefined && (bound < min || bound > max))
        throw new Error(`${name} ${bound} is out of range ${min}..${max}`);
    }
    if (item.end !== undefined && item.end < item.start) throw new Error(`${name} range ${part} runs backwards`);
    if (item.step === 0) throw new Error(`${name} "${part}": a repetition needs a step of at least 1`);
    // systemd 252 refuses this one form in the seconds field only.
    if (name === 'second' && item.end === item.start && item.step === undefined)
      throw new Error(`second range ${part}: write ${item.start} alone`);
    // systemd refuses an open repetition that never repeats (20/4 for hours).
    if (item.step !== undefined && item.end === undefined && item.start + item.step > max) {
      throw new Error(
        `${name} "${part}" never repeats: ${item.start}+${item.step} is past ${max}; write ${item.start} alone, or a smaller step`,
      );
    }
    // As systemd does before sorting: a range ends at its last hit (0..23/2 → 0..22/2), and one
    // with a single hit is that value (12..12, 1..3/5 → 12, 1).
    if (item.end !== undefined) {
      const last = item.start + Math.floor((item.end - item.start) / (item.step ?? 1)) * (item.step ?? 1);
      if (last === item.start) items.push({ start: item.start });
      else items.push(item.step === 1 ? { start: item.start, end: last } : { ...item, end: last });
    } else {
      items.push(item);
    }
  }
  // systemd stores seconds' "*" as 0/1, so 0/1 anywhere in the seconds field reads as "*".
  if (name === 'second' && items.some((item) => item.start === 0 && item.step === 1 && item.end === undefined))
    return undefined;
  // systemd's order: by start; identical items once.
  const key = (item: CalendarItem) => `${item.start}/${item.end ?? -1}/${item.step ?? 0}`;
  const unique = [...new Map(items.map((item) => [key(item), item])).values()];
  return unique.sort((a, b) => a.start - b.start || (a.end ?? -1) - (b.end ?? -1) || (a.step ?? 0) - (b.step ?? 0));
}

function weekdayIndex(name: string): number {
  const lower = name.toLowerCase();
  const index = WEEKDAY_NAMES.indexOf(lower) >= 0 ? WEEKDAY_NAMES.indexOf(lower) : WEEKDAY_LONG.indexOf(lower);
  if (index < 0) throw new Error(`unknown weekday "${name}": use Mon, Tue, Wed, Thu, Fri, Sat or Sun`);
  return index;
}

function parseWeekdays(text: string): number {
  let mask = 0;
  for (const part of text.split(',')) {
    const range = /^([A-Za-z]+)(?:(?:\.\.|-)([A-Za-z]+))?$/.exec(part);
    if (!range) throw new Error(`weekdays "${text}": use names such as Mon, Mon..Fri or Mon,Thu (no spaces)`);
    const from = weekdayIndex(range[1]!);
    const to = range[2] === undefined ? from : weekdayIndex(range[2]);
    if (to < from)
      throw new Error(`weekday range ${part} runs backwards: weeks start on Monday (write e.g. Sat,Sun or Mon..Fri)`);
    for (let day = from; day <= to; day++) mask |= 1 << day;
  }
  return mask;
}

/**
 * Given an OnCalendar expression or shorthand, returns its parsed form; throws an Error saying
 * what is wrong. Example: parseCalendar('Mon,Thu 04:00').weekdays === 0b1001.
 */
export function parseCalendar(text: string): CalendarSpec {
  const words = text.split(/ +/).filter(Boolean);
  if (words.length === 0 || text !== text.trim())
    throw new Error(
      `"${text}" is not a calendar expression: write e.g. daily or "Mon *-*-* 03:00" (no leading or trailing spaces)`,
    );
  if (words[0]!.startsWith('@'))
    throw new Error(`"${text}": @timestamps run once; hotsnap schedules need a repeating expression such as daily`);
  let timeZone: string | undefined;
  const last = words[words.length - 1]!;
  // Only a weekday list starts with a letter, and only in first place: a later word that does is a zone.
  if (words.length > 1 && /^[A-Za-z]/.test(last)) {
    if (!isTimeZone(last))
      throw new Error(
        `"${text}": unknown time zone "${last}"; use an IANA name such as UTC or Europe/Berlin, or none for the machine's zone`,
      );
    timeZone = last;
    words.pop();
  }
  const shorthand = words.length === 1 ? SHORTHANDS[words[0]!.toLowerCase()] : undefined;
  if (shorthand) return { ...shorthand, shorthand: words[0]!.toLowerCase(), ...(timeZone ? { timeZone } : {}) };

  const spec: CalendarSpec = { weekdays: ALL_WEEKDAYS, year: undefined, month: undefined, day: undefined, ...midnight };
  let rest = words;
  if (/^[A-Za-z]/.test(rest[0]!)) {
    spec.weekdays = parseWeekdays(rest[0]!);
    rest = rest.slice(1);
  }
  if (rest.length > 0 && !rest[0]!.includes(':')) {
    const date = rest[0]!;
    if (date.includes('~'))
      throw new Error(
        `"${text}": "~" (days counted from the end of the month) is not supported by hotsnap; use e.g. *-*-28 or monthly`,
      );
    const parts = date.split('-');
    if (parts.length < 2 || parts.length > 3)
      throw new Error(`date "${date}": write YYYY-MM-DD or MM-DD, each part a number, list, range or *`);
    if (parts.length === 3) spec.year = parseField(parts[0]!, 'year', MIN_YEAR, MAX_YEAR, true);
    spec.month = parseField(parts[parts.length - 2]!, 'month', 1, 12);
    spec.day = parseField(parts[parts.length - 1]!, 'day', 1, 31);
    rest = rest.slice(1);
  }
  if (rest.length > 0 && rest[0]!.includes(':')) {
    const parts = rest[0]!.split(':');
    if (parts.length < 2 || parts.length > 3) throw new Error(`time "${rest[0]}": write HH:MM or HH:MM:SS`);
    if (/(^|[^.])\.(?!\.)/.test(parts[2] ?? ''))
      throw new Error(`time "${rest[0]}": fractions of a second are not supported by hotsnap`);
    spec.hour = parseField(parts[0]!, 'hour', 0, 23);
    spec.minute = parseField(parts[1]!, 'minute', 0, 59);
    spec.second = parts[2] === undefined ? [{ start: 0 }] : parseField(parts[2], 'second', 0, 59);
    rest = rest.slice(1);
  }
  if (rest.length > 0) {
    throw new Error(
      `"${text}": cannot read "${rest.join(' ')}"; write [weekdays] [date] [time] [zone], e.g. "Mon..Fri *-*-* 02:30" or a shorthand such as daily`,
    );
  }
  if (spec.weekdays === 0) throw new Error(`"${text}": no weekday selected`);
  return timeZone ? { ...spec, timeZone } : spec;
}

/** Given an item and its field's maximum, returns the values it selects, ascending. */
function itemValues(item: CalendarItem, max: number): number[] {
  const step = item.step ?? 1;
  const end = item.end ?? (item.step === undefined ? item.start : max);
  const values: number[] = [];
  for (let value = item.start; value <= end; value += step) values.push(value);
  return values;
}

/** Given a field and its range, returns the sorted values it selects ([1, 15] for "1,15"). */
export function fieldValues(field: CalendarField, min: number, max: number): number[] {
  if (field === undefined) return Array.from({ length: max - min + 1 }, (_, index) => min + index);
  return [...new Set(field.flatMap((item) => itemValues(item, max)))].sort((a, b) => a - b);
}

function formatField(field: CalendarField, width: number): string {
  if (field === undefined) return '*';
  const pad = (value: number) => String(value).padStart(width, '0');
  return field
    .map(
      (item) =>
        `${pad(item.start)}${item.end === undefined ? '' : `..${pad(item.end)}`}${item.step === undefined ? '' : `/${item.step}`}`,
    )
    .join(',');
}

function formatWeekdays(mask: number): string {
  const parts: string[] = [];
  for (let day = 0; day < 7; day++) {
    if (!(mask & (1 << day))) continue;
    let end = day;
    while (end + 1 < 7 && mask & (1 << (end + 1))) end++;
    const name = (index: number) => WEEKDAY_NAMES[index]![0]!.toUpperCase() + WEEKDAY_NAMES[index]!.slice(1);
    if (end - day >= 2) parts.push(`${name(day)}..${name(end)}`);
    else for (let index = day; index <= end; index++) parts.push(name(index));
    day = end;
  }
  return parts.join(',');
}

/** Given a parsed spec, returns systemd's normalised form: parseCalendar('weekly') → "Mon *-*-* 00:00:00". */
export function formatCalendar(spec: CalendarSpec): string {
  const weekdays = spec.weekdays === ALL_WEEKDAYS ? '' : `${formatWeekdays(spec.weekdays)} `;
  const date = `${formatField(spec.year, 4)}-${formatField(spec.month, 2)}-${formatField(spec.day, 2)}`;
  const time = `${formatField(spec.hour, 2)}:${formatField(spec.minute, 2)}:${formatField(spec.second, 2)}`;
  return `${weekdays}${date} ${time}${spec.timeZone ? ` ${spec.timeZone}` : ''}`;
}
