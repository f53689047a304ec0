/**
 * The date part of archive names: rendered and read back in UTC with date-fns tokens, whatever
 * the host's zone, strictly (only the canonical spelling parses), and the check that a date
 * format round-trips, so that a name's time can always be read back from the name alone.
 */
// Subpath imports: the package root loads every date-fns function (~130 ms of start-up per run).
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';
import { utc } from '@date-fns/utc';

export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd_HH-mm-ss';
/** Tabs, newlines and the other C0 controls, and DEL: never in an archive name. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const UTC_OPTIONS = { in: utc };
/** Fields a date format leaves out are taken from here when parsing (and then fail the round trip). */
const PARSE_REFERENCE = new Date(0);

/**
 * Given a date and a date-fns format, returns it rendered in UTC;
 * e.g. (2024-05-06T07:08:09Z, 'yyyy-MM-dd') → '2024-05-06'.
 */
export function formatArchiveDate(date: Date, dateFormat: string): string {
  return format(date, dateFormat, UTC_OPTIONS);
}

/** Given a date-fns format, returns it without its quoted literal parts (`'T'`, `''`). */
function unquotedLetters(dateFormat: string): string {
  return dateFormat.replace(/'(?:[^']|'')*'?/g, '');
}

const UNITS = [
  ['millisecond', 1],
  ['centisecond', 10],
  ['decisecond', 100],
  ['second', 1000],
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
] as const;

type Unit = (typeof UNITS)[number][0] | 'month' | 'year';

/** Given a date, returns it cut down to `unit` in UTC. */
function truncate(date: Date, unit: Unit): number {
  if (unit === 'year') return Date.UTC(date.getUTCFullYear(), 0, 1);
  if (unit === 'month') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const size = UNITS.find(([name]) => name === unit)?.[1] ?? 1;
  return Math.floor(date.getTime() / size) * size;
}

const ALL_UNITS: readonly Unit[] = [...UNITS.map(([name]) => name), 'month', 'year'];

/** Every field differs from its zero value here, so its truncations to each unit are all distinct. */
const RESOLUTION_PROBE = new Date('2123-11-27T13:47:59.987Z');
/** Edges (epoch, leap day, DST-change nights in Europe and the US, 2038, 2200) the format must survive. */
const ROUND_TRIP_SAMPLES = [
  RESOLUTION_PROBE,
  new Date('1970-01-01T00:00:00.000Z'),
  new Date('1999-12-31T23:59:59.999Z'),
  new Date('2000-02-29T12:00:00.500Z'),
  new Date('2024-03-31T01:30:05.123Z'),
  new Date('2024-11-03T06:30:00.000Z'),
  new Date('2038-01-19T03:14:08.001Z'),
  new Date('2200-12-31T23:59:59.999Z'),
];

/** Given a date format, returns a date rendered with it, every field non-zero (for length checks). */
export function sampleArchiveDate(dateFormat: string): string {
  return formatArchiveDate(RESOLUTION_PROBE, dateFormat);
}

/** Given the date part of a name and its format, returns the time it says, or null unless spelled canonically. */
export function parseArchiveDate(text: string, dateFormat: string): Date | null {
  let parsed: Date;
  try {
    parsed = parse(text, dateFormat, PARSE_REFERENCE, UTC_OPTIONS);
  } catch {
    // date-fns throws for formats it can format but not parse (e.g. "hh" with "HH"); then no name parses.
    return null;
  }
  if (!isValid(parsed)) return null;
  // Strict: date-fns accepts `2024-5-6` for `yyyy-MM-dd`; only the canonical spelling is ours.
  if (formatArchiveDate(parsed, dateFormat) !== text) return null;
  return new Date(parsed.getTime());
}

/** Returns the unit a date format keeps (e.g. `second`), or a problem when it cannot round-trip. */
function dateFormatResolution(dateFormat: string): { unit: Unit } | { problem: string } {
  const advice = `it must name the year and every unit down to its finest one, e.g. "${DEFAULT_DATE_FORMAT}"`;
  const probeText = sampleArchiveDate(dateFormat);
  try {
    parse(probeText, dateFormat, PARSE_REFERENCE, UTC_OPTIONS);
  } catch (error) {
    return {
      problem: `date format "${dateFormat}" cannot be parsed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const probeBack = parseArchiveDate(probeText, dateFormat);
  const unit = probeBack ? ALL_UNITS.find((u) => truncate(RESOLUTION_PROBE, u) === probeBack.getTime()) : undefined;
  if (unit === undefined)
    return { problem: `date format "${dateFormat}" cannot be parsed back to the time it shows (${advice})` };
  for (const sample of ROUND_TRIP_SAMPLES) {
    const text = formatArchiveDate(sample, dateFormat);
    const back = parseArchiveDate(text, dateFormat);
    if (back === null || back.getTime() !== truncate(sample, unit)) {
      return {
        problem: `date format "${dateFormat}" does not round-trip ${sample.toISOString()} (shown as "${text}"; ${advice})`,
      };
    }
  }
  return { unit };
}

/**
 * Given a date format, returns every problem with it for archive names (empty when usable).
 * Example: `findDateFormatProblems('YYYY')` →
 * `['date format "YYYY" uses week-year "Y" or day-of-year "D" tokens; use "yyyy" and "dd"']`.
 */
export function findDateFormatProblems(dateFormat: string): string[] {
  // date-fns refuses week-year (Y) and day-of-year (D) tokens without opt-in flags, and writes a
  // warning to the console even when it doesn't throw: refuse them before date-fns sees them.
  if (dateFormat.length === 0) return ['date format must not be empty'];
  if (/[YD]/.test(unquotedLetters(dateFormat)))
    return [`date format "${dateFormat}" uses week-year "Y" or day-of-year "D" tokens; use "yyyy" and "dd"`];
  try {
    sampleArchiveDate(dateFormat);
  } catch (error) {
    return [`invalid date format "${dateFormat}": ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  const resolution = dateFormatResolution(dateFormat);
  if ('problem' in resolution) problems.push(resolution.problem);
  if (CONTROL_CHARACTERS.test(sampleArchiveDate(dateFormat)))
    problems.push(`date format "${dateFormat}" produces control characters`);
  return problems;
}
