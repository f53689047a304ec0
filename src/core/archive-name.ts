/**
 * Archive names: `{hostname}-{profile}-{date}` filled in, checked, and read back.
 *
 * A name is ours only if it parses back exactly: the literal parts and the host and profile match
 * character for character, and the date part survives `format(parse(x)) === x` in UTC. A loose
 * prefix match would let profile `daily` claim (and prune) `host-daily-db-…` archives.
 */
import {
  CONTROL_CHARACTERS,
  DEFAULT_DATE_FORMAT,
  findDateFormatProblems,
  formatArchiveDate,
  parseArchiveDate,
  sampleArchiveDate,
} from './archive-date.js';

export const DEFAULT_ARCHIVE_NAME = '{hostname}-{profile}-{date}';
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

/**
 * What a name of ours says: when it was made, its collision suffix (`.2` → 2),
 * whether it is a `.part` or `.incomplete`.
 */
export interface ParsedArchiveName {
  time: Date;
  suffix: number | null;
  partial: boolean;
  incomplete: boolean;
}

type Placeholder = 'hostname' | 'profile' | 'date';
type Segment = { literal: string } | { placeholder: Placeholder };

const PLACEHOLDERS: ReadonlySet<string> = new Set<Placeholder>(['hostname', 'profile', 'date']);

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
 * Example: `formatArchiveName('{hostname}-{profile}-{date}', { hostname: 'web1', profile: 'daily',
 * date: new Date('2024-05-06T07:08:09Z') }, 'yyyy-MM-dd_HH-mm-ss')` → `'web1-daily-2024-05-06_07-08-09'`.
 */
export function formatArchiveName(
  template: string,
  values: NameOwner & { date: Date },
  dateFormat: string = DEFAULT_DATE_FORMAT,
): string {
  return fill(segmentsOrThrow(template), values, formatArchiveDate(values.date, dateFormat));
}

/** One problem with a name template or its date format, with the config key it is about. */
export interface NameTemplateIssue {
  key: 'archive_name' | 'date_format';
  message: string;
}

/**
 * Given a name template and date format (and, when known, the host and profile it will be used
 * with), returns every problem with them, each with its key; an empty list means usable.
 * Example: `findNameTemplateIssues('{hostname}-{profile}', 'yyyy')` →
 * `[{ key: 'archive_name', message: 'must contain {date} exactly once (found 0)' }]`.
 */
export function findNameTemplateIssues(template: string, dateFormat: string, owner?: NameOwner): NameTemplateIssue[] {
  const { segments, problems } = splitTemplate(template);
  if (CONTROL_CHARACTERS.test(template)) problems.push('must not contain control characters (tabs, newlines)');
  const issues: NameTemplateIssue[] = [
    ...problems.map((message) => ({ key: 'archive_name' as const, message })),
    ...findDateFormatProblems(dateFormat).map((message) => ({ key: 'date_format' as const, message })),
  ];
  if (issues.length > 0) return issues;

  const nameProblems: string[] = [];
  const sample = fill(segments, owner ?? { hostname: '', profile: '' }, sampleArchiveDate(dateFormat));
  const bytes = new TextEncoder().encode(sample).length;
  const limit = MAX_ARCHIVE_NAME_BYTES - RESERVED_SUFFIX_BYTES;
  if (bytes === 0) nameProblems.push('archive names must not be empty');
  if (bytes > limit) {
    nameProblems.push(
      `archive names would be ${bytes} bytes; at most ${limit} leaves room for ".N.incomplete.part" within tarsnap's ${MAX_ARCHIVE_NAME_BYTES}`,
    );
  }
  if (sample.endsWith(PART_SUFFIX))
    nameProblems.push(`archive names must not end in "${PART_SUFFIX}" (tarsnap's mark of an interrupted archive)`);
  if (sample.endsWith(INCOMPLETE_SUFFIX))
    nameProblems.push(
      `archive names must not end in "${INCOMPLETE_SUFFIX}" (hotsnap's mark of an archive stored without a failed database)`,
    );
  return nameProblems.map((message) => ({ key: 'archive_name', message }));
}

/**
 * Given a name template and date format (and optionally its owner), returns the messages of
 * findNameTemplateIssues. Example: `validateNameTemplate('{hostname}-{profile}', 'yyyy')` →
 * `['must contain {date} exactly once (found 0)']`.
 */
export function validateNameTemplate(template: string, dateFormat: string, owner?: NameOwner): string[] {
  return findNameTemplateIssues(template, dateFormat, owner).map((issue) => issue.message);
}

/**
 * Given an archive name and the template, owner and date format of one profile, returns what the
 * name says if it is exactly one of that profile's names (optionally `.N`, then `.incomplete`,
 * then `.part`), else null. Other hosts' and other profiles' archives are never ours.
 * Example: `parseArchiveName('web1-daily-2024-05-06_07-08-09.2', DEFAULT_ARCHIVE_NAME,
 * { hostname: 'web1', profile: 'daily' }, DEFAULT_DATE_FORMAT)` →
 * `{ time: 2024-05-06T07:08:09Z, suffix: 2, partial: false, incomplete: false }`.
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
    const time = parseArchiveDate(base.slice(before.length, base.length - after.length), dateFormat);
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
