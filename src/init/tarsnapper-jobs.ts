/**
 * Reading tarsnapper's YAML config (github.com/miracle2k/tarsnapper), already parsed: its jobs,
 * with the global values merged in as tarsnapper merges them.
 *
 * What tarsnapper itself refuses (both `source` and `sources`, an undefined named delta, a target
 * without `$date`, unknown job keys, …) is refused here too, all problems at once: the file never
 * worked, so guessing its intent would be worse than saying so.
 */
import { usesPlaceholders } from './tarsnapper-names.js';

/** The parsed tarsnapper files. */
export interface TarsnapperInput {
  /** The main file as PyYAML reads it (YAML 1.1). */
  config: unknown;
  /** Job files matched by `include-jobs`, in tarsnapper's order (sorted paths), parsed. */
  included?: readonly { file: string; jobs: unknown }[];
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
export interface TarsnapperJob {
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

type Loose = Record<string, unknown>;
const isMapping = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** Given a value from the file, returns it as a message shows it: `quoted("1w")` → `"1w"` with the quotes. */
export const quoted = (value: unknown): string => JSON.stringify(value);

/** Given a deltas value, returns its words as tarsnapper takes them, or records why not (config.py's parse_deltas). */
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

/** Given a job's settings, returns the job with global values merged in, or records why tarsnapper would refuse it. */
function readJob(
  name: string,
  raw: unknown,
  where: string,
  globals: Globals,
  problems: string[],
): TarsnapperJob | undefined {
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
export function readJobs(input: TarsnapperInput, unconverted: string[]): TarsnapperJob[] {
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
  const jobs: TarsnapperJob[] = [];
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
