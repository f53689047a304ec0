/**
 * Migrating from tarsnapper (github.com/miracle2k/tarsnapper): its YAML config, already parsed,
 * becomes a hotsnap config object plus notes on everything that could not be carried over.
 *
 * What tarsnapper itself refuses (both `source` and `sources`, an undefined named delta, a target
 * without `$date`, unknown job keys, …) is refused here too, all problems at once: the file never
 * worked, so guessing its intent would be worse than saying so. Everything else converts, and
 * whatever changes meaning (shell hooks, skipped jobs, unsupported date formats) becomes a note.
 *
 * Archive names stay tarsnapper's: `target` becomes `archive_name` and `dateformat` becomes
 * `date_format`, so the archives tarsnapper made are the profile's own and its deltas keep working
 * across the switch; archives made under an `alias` are adopted (`adopt:`).
 */
import { Document, isMap, type YAMLMap } from 'yaml';
import { profileFieldsSchema, profileNameSchema, type ConfigFile, type ProfileFields } from '../config/schema.js';
import { validateNameTemplate } from './archive-name.js';
import { parseDeltas } from './deltas.js';
import { UNIT_MS } from './timespan.js';
import {
  asComment,
  commentKey,
  commentTarsnapSection,
  descriptionOf,
  flowArgvLists,
  wrapComment,
  type TarsnapSection,
} from './starter-config.js';

/** tarsnapper's name format when a job sets no `dateformat` (script.py's DEFAULT_DATEFORMAT). */
export const TARSNAPPER_DATEFORMAT = '%Y%m%d-%H%M%S';

/** strftime directive → date-fns pattern (C locale, as tarsnapper runs from cron). */
const DIRECTIVES: Record<string, string> = {
  Y: 'yyyy',
  y: 'yy',
  m: 'MM',
  d: 'dd',
  H: 'HH',
  I: 'hh',
  M: 'mm',
  S: 'ss',
  p: 'a',
  b: 'MMM',
  h: 'MMM',
  B: 'MMMM',
  a: 'EEE',
  A: 'EEEE',
  u: 'i',
  G: 'RRRR',
  V: 'II',
  F: 'yyyy-MM-dd',
  T: 'HH:mm:ss',
  R: 'HH:mm',
  D: 'MM/dd/yy',
};
/** glibc's `%-d` (no padding) → date-fns' unpadded tokens. */
const UNPADDED: Record<string, string> = { d: 'd', m: 'M', H: 'H', I: 'h', M: 'm', S: 's' };
/** Why a directive has no counterpart, in words a user can act on. */
const UNSUPPORTED: Record<string, string> = {
  j: 'day of the year: hotsnap refuses day-of-year tokens, use %m%d',
  U: 'week of the year: date-fns has no Sunday-based week number',
  W: 'week of the year: date-fns has no Monday-based week number outside ISO weeks (%G-%V)',
  w: 'weekday number with Sunday = 0: date-fns has none (use %u, Monday = 1)',
  e: 'space-padded day: date-fns cannot pad with spaces (use %d)',
  k: 'space-padded hour: date-fns cannot pad with spaces (use %H)',
  l: 'space-padded hour: date-fns cannot pad with spaces (use %I)',
  f: 'microseconds: tarsnapper wrote real microseconds, and hotsnap names keep at most milliseconds',
  z: 'UTC offset: tarsnapper formats a zone-less UTC time, so it wrote nothing here',
  Z: 'zone name: tarsnapper formats a zone-less UTC time, so it wrote nothing here',
  c: "the locale's date and time: spell it out, e.g. %Y%m%d-%H%M%S",
  x: "the locale's date: spell it out, e.g. %Y%m%d",
  X: "the locale's time: spell it out, e.g. %H%M%S",
  s: "seconds since the epoch: Python took tarsnapper's UTC time for local time, so it is off by the host's UTC offset",
  C: 'century: date-fns has no century token',
  g: 'two-digit ISO year: date-fns has no such token that parses back',
  n: 'newline: archive names must not contain control characters',
  t: 'tab: archive names must not contain control characters',
};

/** Given literal text, returns it as date-fns reads it: letters and quotes inside '…'. */
function quoteLiteral(text: string): string {
  return /[A-Za-z']/.test(text) ? `'${text.replace(/'/g, "''")}'` : text;
}

/**
 * Given a Python strftime format, returns the date-fns format that writes the same text, or
 * throws an Error naming the directive and why it has no equivalent.
 * Example: `strftimeToDateFns('%Y%m%d-%H%M%S')` → `'yyyyMMdd-HHmmss'`; `strftimeToDateFns('%j')` throws.
 */
export function strftimeToDateFns(format: string): string {
  let out = '';
  let literal = '';
  const flush = (): void => {
    out += quoteLiteral(literal);
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      literal += char;
      continue;
    }
    const next = format[i + 1];
    if (next === undefined)
      throw new Error(`dateformat "${format}" ends with a lone "%" (write "%%" for a percent sign)`);
    i++;
    if (next === '%') {
      literal += '%';
      continue;
    }
    if (next === '-') {
      const directive = format[i + 1];
      const token = directive === undefined ? undefined : UNPADDED[directive];
      if (token === undefined)
        throw new Error(
          `dateformat "${format}": "%-${directive ?? ''}" is not supported (only %-d, %-m, %-H, %-I, %-M and %-S)`,
        );
      i++;
      flush();
      out += token;
      continue;
    }
    const token = DIRECTIVES[next];
    if (token === undefined) {
      const why =
        UNSUPPORTED[next] ??
        (/[_0^#1-9]/.test(next) ? 'padding and width flags are not supported' : 'not a strftime directive');
      throw new Error(`dateformat "${format}": %${next} has no date-fns equivalent (${why})`);
    }
    flush();
    out += token;
  }
  flush();
  return out;
}

type TemplatePart = { literal: string } | { identifier: string; raw: string };

/** Given a Python string.Template text, returns its parts the way Template reads them. */
function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  // string.Template: $$, $identifier (greedy, ASCII, case-insensitive pattern), ${identifier}; any other $ is kept.
  const pattern = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\})/gi;
  let rest = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > rest) parts.push({ literal: text.slice(rest, match.index) });
    if (match[1]) parts.push({ literal: '$' });
    else parts.push({ identifier: (match[2] ?? match[3])!, raw: match[0] });
    rest = match.index + match[0].length;
  }
  if (rest < text.length) parts.push({ literal: text.slice(rest) });
  return parts;
}

/** Given a target and placeholder names, returns whether each one is used (config.py's require_placeholders). */
function usesPlaceholders(target: string, names: readonly string[]): boolean {
  const used = new Set(parseTemplate(target).flatMap((part) => ('identifier' in part ? [part.identifier] : [])));
  return names.every((name) => used.has(name));
}

/**
 * Given a tarsnapper target, its job name and the hotsnap profile name, returns the hotsnap name
 * template, or the reason there is none. `$name` becomes `{profile}` when the names are equal,
 * else the job name itself (always, when no profile name is given).
 * Example: `targetToTemplate('/host/$name-$date', 'db', 'db')` → `{ template: '/host/{profile}-{date}', notes: [] }`.
 */
export function targetToTemplate(
  target: string,
  jobName: string,
  profileName?: string,
): { template: string; notes: string[] } | { problem: string } {
  const notes: string[] = [];
  let template = '';
  for (const part of parseTemplate(target)) {
    let text: string;
    if ('literal' in part) text = part.literal;
    else if (part.identifier === 'date') {
      template += '{date}';
      continue;
    } else if (part.identifier === 'name') {
      if (jobName === profileName) {
        template += '{profile}';
        continue;
      }
      text = jobName;
    } else {
      // tarsnapper's make kept an unknown "$x" as written, but its expire failed on it.
      notes.push(`"${part.raw}" is not a tarsnapper placeholder; kept as literal text`);
      text = part.raw;
    }
    if (/[{}]/.test(text))
      return { problem: `"${text}" contains "{" or "}", which hotsnap name templates cannot express` };
    template += text;
  }
  return { template, notes };
}

/** The parsed tarsnapper files. */
export interface TarsnapperInput {
  /** The main file as PyYAML reads it (YAML 1.1). */
  config: unknown;
  /** Job files matched by `include-jobs`, in tarsnapper's order (sorted paths), parsed. */
  included?: readonly { file: string; jobs: unknown }[];
}

/** A hotsnap config and what it leaves out. */
export interface TarsnapperConversion {
  config: ConfigFile;
  /** Profile name → the tarsnapper job it came from. */
  origins: Record<string, string>;
  /** One sentence per thing not converted or whose meaning changed, e.g. `job "www": …`. */
  unconverted: string[];
}

/** The tarsnapper file is one tarsnapper itself refuses; `problems` lists every reason. */
export class TarsnapperConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'TarsnapperConfigError';
    this.problems = problems;
  }
}

/** A job after tarsnapper's own merging of global values (config.py's load_job). */
interface Job {
  name: string;
  sources?: unknown[];
  aliases: unknown[];
  excludes: unknown[];
  target: string;
  dateformat?: string;
  deltas?: string[];
  force: unknown;
  execBefore: unknown;
  execAfter: unknown;
}

const JOB_KEYS = new Set([
  'source',
  'sources',
  'alias',
  'aliases',
  'exclude',
  'excludes',
  'delta',
  'deltas',
  'target',
  'force',
  'dateformat',
  'exec_before',
  'exec_after',
]);
const GLOBAL_KEYS = new Set(['dateformat', 'deltas', 'target', 'delta-names', 'include-jobs', 'jobs']);
const SQLITE_LOOKING = /\.(db|sqlite|sqlite3|db3)$/i;

type Loose = Record<string, unknown>;
const isMapping = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const quoted = (value: unknown): string => JSON.stringify(value);

/** Given a deltas value, returns its words as tarsnapper accepts them, or records why not (config.py's parse_deltas). */
function readDeltas(value: unknown, where: string, problems: string[]): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.push(`${where}: deltas must be a string such as "1d 7d 30d", not ${quoted(value)}`);
    return undefined;
  }
  const words = value.split(/\s+/).filter((word) => word !== '');
  // An empty string is no deltas (tarsnapper: an empty list), not "use the global ones".
  if (words.length === 0) return [];
  const bad = words.filter((word) => !/^\d+[shd]$/.test(word));
  if (bad.length > 0)
    problems.push(
      `${where}: ${bad.map(quoted).join(', ')} ${bad.length === 1 ? 'is not a delta' : 'are not deltas'} (units s, h, d)`,
    );
  else if (words.length === 1) problems.push(`${where}: at least two deltas are required, not ${quoted(value)}`);
  return bad.length === 0 && words.length >= 2 ? words : undefined;
}

/** Given `x` and `xs` of one job (e.g. source/sources), returns the list, or records that both are set. */
function oneOrMany(
  job: Loose,
  single: string,
  plural: string,
  where: string,
  problems: string[],
): unknown[] | undefined {
  if (job[single] !== undefined && job[plural] !== undefined) {
    problems.push(`${where}: use either "${single}" or "${plural}", not both`);
    return undefined;
  }
  if (job[single] !== undefined) return [job[single]];
  const many = job[plural];
  if (many === undefined || many === null) return undefined;
  // A plain string under the plural key is one value (tarsnapper would have split it into characters).
  return Array.isArray(many) ? many : [many];
}

interface Globals {
  target?: string;
  dateformat?: unknown;
  deltas?: string[];
  named: Map<string, string[]>;
}

function readJob(name: string, raw: unknown, where: string, globals: Globals, problems: string[]): Job | undefined {
  if (!isMapping(raw) && raw !== null && raw !== undefined) {
    problems.push(`${where}: a job must be a mapping of settings, not ${quoted(raw)}`);
    return undefined;
  }
  const job: Loose = isMapping(raw) ? raw : {};
  const unknown = Object.keys(job).filter((key) => !JOB_KEYS.has(key));
  if (unknown.length > 0)
    problems.push(`${where}: unsupported ${unknown.map(quoted).join(', ')} (a job has ${[...JOB_KEYS].join(', ')})`);
  const sources = oneOrMany(job, 'source', 'sources', where, problems);
  const aliases = oneOrMany(job, 'alias', 'aliases', where, problems) ?? [];
  const excludes = oneOrMany(job, 'exclude', 'excludes', where, problems) ?? [];
  let deltas: string[] | undefined;
  if (job.delta !== undefined && job.deltas !== undefined)
    problems.push(`${where}: use either "delta" or "deltas", not both`);
  else if (job.delta !== undefined) {
    deltas = globals.named.get(String(job.delta));
    if (deltas === undefined)
      problems.push(`${where}: named delta ${quoted(job.delta)} is not defined under delta-names`);
  } else deltas = readDeltas(job.deltas, `${where}.deltas`, problems) ?? globals.deltas;
  const target = job.target ?? globals.target;
  if (typeof target !== 'string' || target === '') {
    problems.push(`${where}: no target (set "target" here or globally, e.g. "$name-$date")`);
    return undefined;
  }
  if (!usesPlaceholders(target, ['date']))
    problems.push(`${where}: target ${quoted(target)} must use the $date placeholder`);
  const dateformat = job.dateformat ?? globals.dateformat;
  if (dateformat !== undefined && dateformat !== null && typeof dateformat !== 'string') {
    problems.push(`${where}: dateformat must be a string such as "%Y%m%d-%H%M%S", not ${quoted(dateformat)}`);
  }
  return {
    name,
    ...(sources ? { sources } : {}),
    aliases,
    excludes,
    target,
    ...(typeof dateformat === 'string' ? { dateformat } : {}),
    ...(deltas ? { deltas } : {}),
    force: job.force,
    execBefore: job.exec_before,
    execAfter: job.exec_after,
  };
}

/** Given the input, returns every job in tarsnapper's order, or throws listing every problem. */
function readJobs(input: TarsnapperInput, unconverted: string[]): Job[] {
  const problems: string[] = [];
  if (!isMapping(input.config)) throw new TarsnapperConfigError(['the file is not a YAML mapping with "jobs"']);
  const root = input.config;
  for (const key of Object.keys(root).filter((key) => !GLOBAL_KEYS.has(key))) {
    unconverted.push(
      `global key "${key}" is not a tarsnapper setting (tarsnapper hands such keys to plugins); not converted`,
    );
  }
  const named = new Map<string, string[]>();
  const namedRaw = root['delta-names'] ?? {};
  if (!isMapping(namedRaw)) problems.push('delta-names must be a mapping of name → deltas');
  else {
    for (const [name, value] of Object.entries(namedRaw)) {
      if (value === null || value === undefined) problems.push(`delta-names.${name}: no deltas specified`);
      const words = readDeltas(value, `delta-names.${name}`, problems);
      if (words) named.set(name, words);
    }
  }
  const globals: Globals = { dateformat: root.dateformat, named, deltas: readDeltas(root.deltas, 'deltas', problems) };
  if (root.target !== undefined && root.target !== null) {
    if (typeof root.target !== 'string' || !usesPlaceholders(root.target, ['name', 'date'])) {
      problems.push(`the global target ${quoted(root.target)} must use both placeholders $name and $date`);
    } else globals.target = root.target;
  }
  const jobs: Job[] = [];
  const seen = new Set<string>();
  const addJobs = (section: unknown, label: string, where: (name: string) => string): void => {
    if (section === null || section === undefined) return;
    if (!isMapping(section)) {
      problems.push(`${label} must be a mapping of job name → settings`);
      return;
    }
    for (const [name, raw] of Object.entries(section)) {
      if (seen.has(name)) problems.push(`${where(name)}: duplicated job name`);
      seen.add(name);
      const job = readJob(name, raw, where(name), globals, problems);
      if (job) jobs.push(job);
    }
  };
  addJobs(root.jobs, 'jobs', (name) => `jobs.${name}`);
  for (const { file, jobs: section } of input.included ?? [])
    addJobs(section, `included file ${file}`, (name) => `${file}: ${name}`);
  if (seen.size === 0 && problems.length === 0) problems.push('no jobs: tarsnapper needs at least one under "jobs"');
  if (problems.length > 0) throw new TarsnapperConfigError(problems);
  return jobs;
}

/**
 * Given tarsnapper delta words, returns hotsnap's `deltas` text (ascending, as hotsnap insists;
 * tarsnapper sorted them silently) and notes on what changed, or no text when it cannot be used.
 * Example: `convertDeltas(['7d', '1d'])` → `{ text: '1d 7d', notes: ['deltas "7d 1d" reordered …'] }`.
 */
export function convertDeltas(words: readonly string[]): { text?: string; notes: string[] } {
  const original = words.join(' ');
  const withMs = words.map((word) => ({
    word,
    ms: Number(word.slice(0, -1)) * UNIT_MS[word.slice(-1) as 's' | 'h' | 'd'],
  }));
  const sorted = [...withMs].sort((a, b) => a.ms - b.ms);
  const unique = sorted.filter((delta, index) => index === 0 || delta.ms !== sorted[index - 1]!.ms);
  const text = unique.map((delta) => delta.word).join(' ');
  const notes: string[] = [];
  if (unique.length < sorted.length)
    notes.push(`deltas "${original}" repeat a length; the repeats are dropped ("${text}")`);
  else if (text !== original)
    notes.push(`deltas "${original}" reordered to "${text}" (hotsnap wants them ascending; tarsnapper sorted them)`);
  try {
    parseDeltas(text);
  } catch (error) {
    return {
      notes: [
        ...notes,
        `${(error as Error).message}; not converted, so this profile is never pruned until you set retention or deltas`,
      ],
    };
  }
  return { text, notes };
}

interface Naming {
  archive_name: string;
  date_format: string;
}

/** Given a job and its profile name, returns the hotsnap naming of its archives, or why there is none. */
function namingOf(job: Job, alias: string, profileName: string | undefined): Naming | { problem: string } {
  const strftime = job.dateformat ?? TARSNAPPER_DATEFORMAT;
  let dateFormat: string;
  try {
    dateFormat = strftimeToDateFns(strftime);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const converted = targetToTemplate(job.target, alias, profileName);
  if ('problem' in converted) return converted;
  let problems: string[];
  try {
    problems = validateNameTemplate(converted.template, dateFormat);
  } catch (error) {
    // date-fns' parse throws for some token mixes (e.g. "hh" with "HH") that format accepts.
    problems = [`date format "${dateFormat}" cannot be parsed back: ${(error as Error).message}`];
  }
  if (problems.length > 0)
    return { problem: `archive name "${converted.template}" with date format "${dateFormat}": ${problems.join('; ')}` };
  return { archive_name: converted.template, date_format: dateFormat };
}

/** Given a job and its profile name, returns the profile (undefined when the job is not converted) and notes. */
function convertJob(job: Job, profileName: string): { profile?: ProfileFields; notes: string[] } {
  const notes: string[] = [];
  const naming = namingOf(job, job.name, profileName);
  // For another profile's adopt list: {profile} there would be that profile's name, so spell the job's out.
  const legacy = namingOf(job, job.name, undefined);
  const adoptHint =
    'problem' in legacy
      ? ''
      : ` (to prune its archives, add adopt: [{archive_name: "${legacy.archive_name}", date_format: "${legacy.date_format}"}] to a profile)`;
  if (!job.sources || job.sources.length === 0) {
    return { notes: [`no sources, so tarsnapper only listed or expired its archives; not converted${adoptHint}`] };
  }
  const paths: string[] = [];
  for (const source of job.sources) {
    if (typeof source === 'string' && source.startsWith('/')) {
      paths.push(source);
      if (SQLITE_LOOKING.test(source))
        notes.push(
          `source "${source}" looks like a SQLite database: if it is one, move it to sqlite: so hotsnap archives a consistent hot copy`,
        );
    } else if (typeof source === 'string' && source !== '') {
      notes.push(
        `source "${source}" is relative (tarsnap read it from tarsnapper's working directory); not converted: write it as an absolute path`,
      );
    } else notes.push(`source ${quoted(source)} is not a path; not converted`);
  }
  if (paths.length === 0) return { notes: [...notes, `no absolute source left; not converted${adoptHint}`] };

  const profile: ProfileFields = { paths };
  const exclude = job.excludes.filter((pattern): pattern is string => typeof pattern === 'string' && pattern !== '');
  for (const pattern of job.excludes.filter((pattern) => !exclude.includes(pattern as string)))
    notes.push(`exclude ${quoted(pattern)} is not a pattern; not converted`);
  if (exclude.length > 0) profile.exclude = exclude;

  if ('problem' in naming) {
    notes.push(
      `its archive names ("${job.target}", dateformat "${job.dateformat ?? TARSNAPPER_DATEFORMAT}") cannot be kept: ${naming.problem}. The profile uses hotsnap's default names, and tarsnapper's archives of this job are left alone: delete them by hand when no longer needed`,
    );
  } else {
    Object.assign(profile, naming);
    const converted = targetToTemplate(job.target, job.name, profileName);
    if ('notes' in converted) notes.push(...converted.notes.map((note) => `target: ${note}`));
    const adopt: Naming[] = [];
    for (const alias of job.aliases) {
      const legacy =
        typeof alias === 'string' && alias !== '' ? namingOf(job, alias, profileName) : { problem: 'not a name' };
      if ('problem' in legacy) notes.push(`alias ${quoted(alias)}: ${legacy.problem}; its archives are not adopted`);
      else if (
        legacy.archive_name !== naming.archive_name &&
        !adopt.some((entry) => entry.archive_name === legacy.archive_name)
      )
        adopt.push(legacy);
    }
    if (adopt.length > 0) profile.adopt = adopt;
  }

  if (job.deltas && job.deltas.length > 0) {
    const deltas = convertDeltas(job.deltas);
    notes.push(...deltas.notes);
    if (deltas.text) profile.deltas = deltas.text;
  } else
    notes.push(
      'no deltas: tarsnapper never expired its archives, and without retention or deltas hotsnap never prunes them either',
    );

  const hooks: NonNullable<ProfileFields['hooks']> = {};
  const moved: string[] = [];
  for (const [key, event, value] of [
    ['exec_before', 'before', job.execBefore],
    ['exec_after', 'finally', job.execAfter],
  ] as const) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      notes.push(`${key} ${quoted(value)} is not a command; not converted`);
      continue;
    }
    hooks[event] = [['sh', '-c', value]];
    moved.push(`${key} → hooks.${event}`);
  }
  if (moved.length > 0) {
    profile.hooks = hooks;
    const after = hooks.finally
      ? '; exec_after became "finally" because tarsnapper ran it whether or not the backup worked (hotsnap runs it after pruning)'
      : '';
    notes.push(`${moved.join(', ')}: tarsnapper ran them through a shell, so they run as ["sh", "-c", "…"]${after}`);
  }
  if (job.force !== undefined && job.force !== null && job.force !== false)
    notes.push('force: dropped; hotsnap never skips a profile whose sources are missing or empty');
  return { profile, notes };
}

const isProfileName = (name: string): boolean => profileNameSchema.safeParse(name).success;

/** Given a tarsnapper job name and the names taken, returns a valid, unused profile name. */
function profileNameFor(jobName: string, taken: ReadonlySet<string>): string {
  if (isProfileName(jobName)) return jobName;
  const base = jobName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'job';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** Keys every profile sets to the same value move to `defaults`, so the file says it once. */
const SHARED_KEYS = ['archive_name', 'date_format', 'deltas'] as const;

function hoistShared(profiles: Record<string, ProfileFields>, defaults: ProfileFields): void {
  const all = Object.values(profiles);
  if (all.length < 2) return;
  for (const key of SHARED_KEYS) {
    const first = all[0]![key];
    if (first === undefined || !all.every((profile) => profile[key] === first)) continue;
    defaults[key] = first;
    for (const profile of all) delete profile[key];
  }
}

/**
 * Given the parsed tarsnapper files and the tarsnap section (from tarsnap.conf), returns the hotsnap
 * config and what it leaves out; throws TarsnapperConfigError listing every problem when tarsnapper
 * itself would refuse the file, or when no job can be converted.
 * Example: `convertTarsnapper({ config: { target: '$name-$date', deltas: '1d 7d', jobs: { etc: { source: '/etc' } } } }, section).config.profiles.etc`
 * → `{ paths: ['/etc'], archive_name: '{profile}-{date}', date_format: 'yyyyMMdd-HHmmss', deltas: '1d 7d' }`.
 */
export function convertTarsnapper(input: TarsnapperInput, tarsnap: TarsnapSection): TarsnapperConversion {
  const unconverted: string[] = [];
  const jobs = readJobs(input, unconverted);
  const profiles: Record<string, ProfileFields> = {};
  const origins: Record<string, string> = {};
  const skipped: string[] = [];
  // Jobs whose names are valid profile names keep them; only the others are renamed around them.
  const taken = new Set(jobs.map((job) => job.name).filter(isProfileName));
  for (const job of jobs) {
    const profileName = profileNameFor(job.name, taken);
    taken.add(profileName);
    const { profile, notes } = convertJob(job, profileName);
    if (profile && profileName !== job.name)
      notes.unshift(`renamed to profile "${profileName}" (profile names use letters, digits, ".", "_" and "-")`);
    unconverted.push(...notes.map((note) => `job "${job.name}": ${note}`));
    if (!profile) {
      skipped.push(job.name);
      continue;
    }
    profiles[profileName] = profile;
    origins[profileName] = job.name;
  }
  if (Object.keys(profiles).length === 0) throw new TarsnapperConfigError(['no job can be converted', ...unconverted]);

  const converted = jobs.filter((job) => !skipped.includes(job.name));
  if (converted.some((job) => job.dateformat === undefined)) {
    unconverted.push(
      `jobs without dateformat: tarsnapper wrote ${TARSNAPPER_DATEFORMAT} but recognised any date python-dateutil could read; hotsnap recognises only yyyyMMdd-HHmmss, so archives with other dates are left alone`,
    );
  }
  if (converted.some((job) => !job.force)) {
    unconverted.push(
      'tarsnapper skipped a job when a source was missing or an empty directory (unless force: true); hotsnap never skips, and "hotsnap check" reports missing paths',
    );
  }
  const seenNames = new Map<string, string>();
  for (const [name, profile] of Object.entries(profiles)) {
    const key = `${(profile.archive_name ?? '').replaceAll('{profile}', name)}\0${profile.date_format ?? ''}`;
    const other = seenNames.get(key);
    if (other !== undefined && profile.archive_name !== undefined) {
      unconverted.push(
        `profiles "${other}" and "${name}" name their archives alike ("${profile.archive_name}"): hotsnap gives such archives to "${other}" only; give "${name}" its own archive_name`,
      );
    }
    seenNames.set(key, name);
  }
  unconverted.push(
    'tarsnapper ran from cron: set "schedule" on each profile (e.g. daily), install it with "hotsnap schedule", then remove the tarsnapper cron entry',
  );
  unconverted.push(...tarsnap.notes);

  const defaults: ProfileFields = {};
  if (tarsnap.exclude.length > 0) defaults.exclude = [...tarsnap.exclude];
  hoistShared(profiles, defaults);
  const config: ConfigFile = {
    tarsnap: tarsnap.settings,
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    profiles,
  };
  return { config, origins, unconverted };
}

/** Given notes, returns them as a comment list: "- " then the note, wrapped with a hanging indent. */
function bulletLines(notes: readonly string[]): string[] {
  return notes.flatMap((note) => wrapComment(note, 86).map((line, index) => `${index === 0 ? '  - ' : '    '}${line}`));
}

/**
 * Given a conversion, the tarsnapper file it came from and the tarsnap section, returns the YAML:
 * the notes as comments at the top, each profile marked with its job. It passes parseConfig.
 * Example: `renderTarsnapperConfig(conversion, '/etc/tarsnapper.yml', section)` → "# hotsnap configuration converted from …".
 */
export function renderTarsnapperConfig(
  conversion: TarsnapperConversion,
  source: string,
  tarsnap: TarsnapSection,
): string {
  const doc = new Document(conversion.config);
  doc.commentBefore = asComment([
    `hotsnap configuration converted from the tarsnapper config ${source}`,
    'by "hotsnap init --from-tarsnapper".',
    '',
    ...wrapComment(
      "Archive names stay tarsnapper's (target → archive_name, dateformat → date_format), so each profile " +
        "prunes the archives its job made, with the job's deltas; archives made under a job's alias are adopted.",
    ),
    '',
    'Review before the first run (not converted, or changed):',
    ...bulletLines(conversion.unconverted),
    '',
    'Then: hotsnap check; hotsnap run --dry-run; hotsnap schedule. All keys: hotsnap config schema.',
  ]);
  commentTarsnapSection(doc, tarsnap);
  const root = doc.contents as YAMLMap;
  if (conversion.config.defaults) {
    commentKey(
      root,
      'defaults',
      wrapComment(
        'Merged under every profile (the same in every tarsnapper job, or the exclude lines of tarsnap.conf).',
      ),
      true,
    );
  }
  commentKey(root, 'profiles', ['One profile per tarsnapper job.'], true);
  const profiles = doc.getIn(['profiles'], true);
  if (isMap(profiles)) {
    for (const [name, job] of Object.entries(conversion.origins)) {
      commentKey(profiles, name, [`From tarsnapper job "${job}".`]);
      const profile = profiles.get(name, true);
      if (!isMap(profile)) continue;
      commentKey(profile, 'hooks', [
        'exec_before → before, exec_after → finally; tarsnapper ran them through a shell.',
      ]);
      commentKey(profile, 'deltas', wrapComment(descriptionOf(profileFieldsSchema.shape.deltas)));
      commentKey(profile, 'adopt', ["Archives tarsnapper made under the job's aliases."]);
    }
  }
  flowArgvLists(doc);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Given a path or name, returns whether Python's glob treats it as a pattern: `hasGlobMagic('jobs.d/*.yml')` → true. */
export function hasGlobMagic(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * Given one path component of a Python glob pattern (tarsnapper's `include-jobs`), returns a RegExp
 * for the names it matches: fnmatch's `*`, `?`, `[seq]`, `[!seq]`; like glob, names starting with
 * "." match only a pattern starting with ".".
 * Example: `globComponentToRegExp('*.yml').test('web.yml')` → true; `.test('.hidden.yml')` → false.
 */
export function globComponentToRegExp(pattern: string): RegExp {
  let source = pattern.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      // fnmatch: a "]" right after "[" or "[!" belongs to the set; no closing "]" means a literal "[".
      let end = i + 1;
      if (pattern[end] === '!') end++;
      if (pattern[end] === ']') end++;
      while (end < pattern.length && pattern[end] !== ']') end++;
      if (end >= pattern.length) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end);
      const negate = set.startsWith('!');
      if (negate) set = set.slice(1);
      source += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`);
  }
  return new RegExp(`^${source}$`, 's');
}
