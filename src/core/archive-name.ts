/**
 * Archive names: `{hostname}-{profile}-{date}` filled in, checked, and read back.
 *
 * A name is ours only if it parses back exactly: the literal parts and the host and profile match
 * character for character, and the date part survives `format(parse(x)) === x` in UTC. A loose
 * prefix match would let profile `daily` claim (and prune) `host-daily-db-…` archives.
 */
// Subpath imports: the package root loads every date-fns function (~130 ms of start-up per run).
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';
import { utc } from '@date-fns/utc';

export const DEFAULT_ARCHIVE_NAME = '{hostname}-{profile}-{date}';
export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd_HH-mm-ss';
/** tarsnap accepts archive names of 1–1023 bytes. */
export const MAX_ARCHIVE_NAME_BYTES = 1023;
/** tarsnap stores an interrupted archive as `NAME.part`. */
export const PART_SUFFIX = '.part';
/**
 * hotsnap names an archive stored without a database whose hot copy failed `NAME.incomplete`: the
 * name alone says it is not a whole backup, so list, `latest` and retention know it even when
 * only the archive list survives (the manifest inside is not needed).
 */
export const INCOMPLETE_SUFFIX = '.incomplete';
/** Room kept free in a name for a collision suffix (`.999`), `.incomplete` and `.part`. */
const RESERVED_SUFFIX_BYTES = '.999'.length + INCOMPLETE_SUFFIX.length + PART_SUFFIX.length;

/** Whose archive a name belongs to. */
export interface NameOwner {
  hostname: string;
  profile: string;
}

/** What a name of ours says: when it was made, its collision suffix (`.2` → 2), whether it is a `.part` or `.incomplete`. */
export interface ParsedArchiveName {
  time: Date;
  suffix: number | null;
  partial: boolean;
  incomplete: boolean;
}

type Placeholder = 'hostname' | 'profile' | 'date';
type Segment = { literal: string } | { placeholder: Placeholder };

const PLACEHOLDERS: ReadonlySet<string> = new Set<Placeholder>(['hostname', 'profile', 'date']);
const UTC_OPTIONS = { in: utc };
/** Fields a date format leaves out are taken from here when parsing (and then fail the round trip). */
const PARSE_REFERENCE = new Date(0);
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function splitTemplate(template: string): { segments: Segment[]; problems: string[] } {
  const segments: Segment[] = [];
  const problems: string[] = [];
  const pushLiteral = (text: string): void => {
    if (text.length === 0) return;
    if (/[{}]/.test(text))
      problems.push(`stray "{" or "}" in "${text}" (placeholders are {hostname}, {profile}, {date})`);
    segments.push({ literal: text });
  };
  let rest = 0;
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    pushLiteral(template.slice(rest, match.index));
    const name = match[1] ?? '';
    if (PLACEHOLDERS.has(name)) segments.push({ placeholder: name as Placeholder });
    else problems.push(`unknown placeholder {${name}} (known: {hostname}, {profile}, {date})`);
    rest = match.index + match[0].length;
  }
  pushLiteral(template.slice(rest));
  const dates = segments.filter((s) => 'placeholder' in s && s.placeholder === 'date').length;
  if (dates !== 1) problems.push(`must contain {date} exactly once (found ${dates})`);
  return { segments, problems };
}

function segmentsOrThrow(template: string): Segment[] {
  const { segments, problems } = splitTemplate(template);
  if (problems.length > 0) throw new Error(`invalid archive name template "${template}": ${problems.join('; ')}`);
  return segments;
}

function fill(segments: readonly Segment[], owner: NameOwner, date: string): string {
  return segments
    .map((s) => ('literal' in s ? s.literal : s.placeholder === 'date' ? date : owner[s.placeholder]))
    .join('');
}

/**
 * Given a template, its owner and a date, returns the archive name; the date is always rendered in
 * UTC with date-fns tokens, whatever the host's zone.
 * Example: `formatArchiveName('{hostname}-{profile}-{date}', { hostname: 'web1', profile: 'daily', date: new Date('2024-05-06T07:08:09Z') }, 'yyyy-MM-dd_HH-mm-ss')` → `'web1-daily-2024-05-06_07-08-09'`.
 */
export function formatArchiveName(
  template: string,
  values: NameOwner & { date: Date },
  dateFormat: string = DEFAULT_DATE_FORMAT,
): string {
  return fill(segmentsOrThrow(template), values, format(values.date, dateFormat, UTC_OPTIONS));
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

function parseDatePart(text: string, dateFormat: string): Date | null {
  let parsed: Date;
  try {
    parsed = parse(text, dateFormat, PARSE_REFERENCE, UTC_OPTIONS);
  } catch {
    // date-fns throws for formats it can format but not parse (e.g. "hh" with "HH"); then no name parses.
    return null;
  }
  if (!isValid(parsed)) return null;
  // Strict: date-fns accepts `2024-5-6` for `yyyy-MM-dd`; only the canonical spelling is ours.
  if (format(parsed, dateFormat, UTC_OPTIONS) !== text) return null;
  return new Date(parsed.getTime());
}

/** Returns the unit a date format keeps (e.g. `second`), or a problem when it cannot round-trip. */
function dateFormatResolution(dateFormat: string): { unit: Unit } | { problem: string } {
  const advice = `it must name the year and every unit down to its finest one, e.g. "${DEFAULT_DATE_FORMAT}"`;
  const probeText = format(RESOLUTION_PROBE, dateFormat, UTC_OPTIONS);
  try {
    parse(probeText, dateFormat, PARSE_REFERENCE, UTC_OPTIONS);
  } catch (error) {
    return {
      problem: `date format "${dateFormat}" cannot be parsed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const probeBack = parseDatePart(probeText, dateFormat);
  const unit = probeBack ? ALL_UNITS.find((u) => truncate(RESOLUTION_PROBE, u) === probeBack.getTime()) : undefined;
  if (unit === undefined)
    return { problem: `date format "${dateFormat}" cannot be parsed back to the time it shows (${advice})` };
  for (const sample of ROUND_TRIP_SAMPLES) {
    const text = format(sample, dateFormat, UTC_OPTIONS);
    const back = parseDatePart(text, dateFormat);
    if (back === null || back.getTime() !== truncate(sample, unit)) {
      return {
        problem: `date format "${dateFormat}" does not round-trip ${sample.toISOString()} (shown as "${text}"; ${advice})`,
      };
    }
  }
  return { unit };
}

/**
 * Given a name template and date format (and, when known, the host and profile it will be used
 * with), returns every problem with them; an empty list means usable. Config validation calls it.
 * Example: `validateNameTemplate('{hostname}-{profile}', 'yyyy')` → `['must contain {date} exactly once (found 0)']`.
 */
export function validateNameTemplate(template: string, dateFormat: string, owner?: NameOwner): string[] {
  const { segments, problems } = splitTemplate(template);
  if (CONTROL_CHARACTERS.test(template)) problems.push('must not contain control characters (tabs, newlines)');

  let dateOk = false;
  // date-fns refuses week-year (Y) and day-of-year (D) tokens without opt-in flags, and writes a
  // warning to the console even when it doesn't throw: refuse them before date-fns sees them.
  const letters = unquotedLetters(dateFormat);
  if (dateFormat.length === 0) problems.push('date format must not be empty');
  else if (/[YD]/.test(letters)) {
    problems.push(`date format "${dateFormat}" uses week-year "Y" or day-of-year "D" tokens; use "yyyy" and "dd"`);
  } else {
    try {
      format(RESOLUTION_PROBE, dateFormat, UTC_OPTIONS);
      dateOk = true;
    } catch (error) {
      problems.push(`invalid date format "${dateFormat}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (dateOk) {
    const resolution = dateFormatResolution(dateFormat);
    if ('problem' in resolution) problems.push(resolution.problem);
    const sampleDate = format(RESOLUTION_PROBE, dateFormat, UTC_OPTIONS);
    if (CONTROL_CHARACTERS.test(sampleDate)) problems.push(`date format "${dateFormat}" produces control characters`);
  }

  if (problems.length === 0) {
    const sample = fill(
      segments,
      owner ?? { hostname: '', profile: '' },
      format(RESOLUTION_PROBE, dateFormat, UTC_OPTIONS),
    );
    const bytes = new TextEncoder().encode(sample).length;
    const limit = MAX_ARCHIVE_NAME_BYTES - RESERVED_SUFFIX_BYTES;
    if (bytes === 0) problems.push('archive names must not be empty');
    if (bytes > limit) {
      problems.push(
        `archive names would be ${bytes} bytes; at most ${limit} leaves room for ".N.incomplete.part" within tarsnap's ${MAX_ARCHIVE_NAME_BYTES}`,
      );
    }
    if (sample.endsWith(PART_SUFFIX))
      problems.push(`archive names must not end in "${PART_SUFFIX}" (tarsnap's mark of an interrupted archive)`);
    if (sample.endsWith(INCOMPLETE_SUFFIX))
      problems.push(
        `archive names must not end in "${INCOMPLETE_SUFFIX}" (hotsnap's mark of an archive stored without a failed database)`,
      );
  }
  return problems;
}

/**
 * Given an archive name and the template, owner and date format of one profile, returns what the
 * name says if it is exactly one of that profile's names (optionally `.N`, then `.incomplete`,
 * then `.part`), else null. Other hosts' and other profiles' archives are never ours.
 * Example: `parseArchiveName('web1-daily-2024-05-06_07-08-09.2', DEFAULT_ARCHIVE_NAME, { hostname: 'web1', profile: 'daily' }, DEFAULT_DATE_FORMAT)` → `{ time: 2024-05-06T07:08:09Z, suffix: 2, partial: false, incomplete: false }`.
 */
export function parseArchiveName(
  name: string,
  template: string,
  owner: NameOwner,
  dateFormat: string = DEFAULT_DATE_FORMAT,
): ParsedArchiveName | null {
  const segments = segmentsOrThrow(template);
  const at = segments.findIndex((s) => 'placeholder' in s && s.placeholder === 'date');
  const before = fill(segments.slice(0, at), owner, '');
  const after = fill(segments.slice(at + 1), owner, '');

  const partial = name.endsWith(PART_SUFFIX);
  const stored = partial ? name.slice(0, -PART_SUFFIX.length) : name;
  // validateNameTemplate refuses templates whose names end in ".incomplete", so the mark is unambiguous.
  const incomplete = stored.endsWith(INCOMPLETE_SUFFIX);
  const whole = incomplete ? stored.slice(0, -INCOMPLETE_SUFFIX.length) : stored;
  // The name as made first; only if that fails, a `.N` collision suffix (N ≥ 2, as chooseArchiveName makes).
  const candidates: Array<[string, number | null]> = [[whole, null]];
  const suffixed = /\.([2-9]|[1-9]\d+)$/.exec(whole);
  if (suffixed) candidates.push([whole.slice(0, suffixed.index), Number(suffixed[1])]);

  for (const [base, suffix] of candidates) {
    if (base.length < before.length + after.length || !base.startsWith(before) || !base.endsWith(after)) continue;
    const time = parseDatePart(base.slice(before.length, base.length - after.length), dateFormat);
    if (time) return { time, suffix, partial, incomplete };
  }
  return null;
}

/**
 * Given a wanted name, the names already stored and whether the archive is incomplete, returns the
 * name to create: the name itself, or `name.2`, `name.3`, … such that none of it, its `.part`, its
 * `.incomplete` and its `.incomplete.part` exists (one time, one archive), with `.incomplete`
 * appended when asked. Example: `chooseArchiveName('a', new Set(['a', 'a.2.incomplete']))` → `'a.3'`.
 */
export function chooseArchiveName(
  base: string,
  existingNames: ReadonlySet<string>,
  options: { incomplete?: boolean } = {},
): string {
  const variants = ['', PART_SUFFIX, INCOMPLETE_SUFFIX, INCOMPLETE_SUFFIX + PART_SUFFIX];
  const free = (name: string): boolean => variants.every((variant) => !existingNames.has(name + variant));
  const mark = options.incomplete ? INCOMPLETE_SUFFIX : '';
  if (free(base)) return base + mark;
  for (let n = 2; ; n++) {
    const candidate = `${base}.${n}`;
    if (free(candidate)) return candidate + mark;
  }
}
