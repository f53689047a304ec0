/**
 * From a schema-valid config file to the effective config every command uses: defaults merged
 * under each profile, built-in defaults filled in, and the checks zod can't express (time zone,
 * something to back up, one retention style per profile, name templates).
 */
import type { ConfigIssue } from '../errors.js';
import { parseTimeSpan } from '../core/timespan.js';
import { describeExtraArgsProblem, findExtraArgsProblem } from '../core/tarsnap-extra-args.js';
import type { ConfigFile, ProfileFields, RetentionConfig } from './schema.js';

export const DEFAULT_ARCHIVE_NAME = '{hostname}-{profile}-{date}';
export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd_HH-mm-ss';
/** A profile with one of these names is scheduled that often unless it says otherwise. */
const SCHEDULE_NAMES = new Set(['hourly', 'daily', 'weekly', 'monthly']);

/** Hooks with every event as a list of argv arrays. */
export interface HookSettings {
  before: string[][];
  after: string[][];
  on_error: string[][];
  finally: string[][];
}

export const HOOK_EVENTS = ['before', 'after', 'on_error', 'finally'] as const;

type RawHooks = Partial<Record<(typeof HOOK_EVENTS)[number], string[] | string[][]>>;

/** Given hooks as written (one argv or a list of them per event), returns lists of argv. */
export function normaliseHooks(raw: RawHooks | undefined): HookSettings {
  const list = (value: string[] | string[][] | undefined): string[][] =>
    value === undefined ? [] : value.every((item) => Array.isArray(item)) ? (value as string[][]) : [value as string[]];
  return {
    before: list(raw?.before),
    after: list(raw?.after),
    on_error: list(raw?.on_error),
    finally: list(raw?.finally),
  };
}

export interface HotCopySettings {
  method: 'auto' | 'fast' | 'backup-api';
  verify: 'quick' | 'full' | 'none';
  busy_timeout_ms: number;
  copy_timeout_ms: number;
}

/** One profile with every default applied: what `config show` prints and `run` uses. */
export interface Profile {
  name: string;
  sqlite: string[];
  paths: string[];
  exclude: string[];
  archive_name: string;
  date_format: string;
  retention?: RetentionConfig;
  deltas?: string;
  adopt: { archive_name: string; date_format: string }[];
  prune: boolean;
  prune_partial: boolean;
  max_delete: number | string;
  hot_copy: HotCopySettings;
  /** hourly, daily, weekly, monthly or a systemd OnCalendar expression; undefined = not scheduled. */
  schedule?: string;
  hooks: HookSettings;
  ping?: string;
}

export interface TarsnapSettings {
  binary: string;
  keyfile: string;
  cachedir: string;
  extra_args: string[];
  retries: number;
  retry_delay_ms: number;
  auto_fsck: boolean;
  /** env:VAR or file:PATH for a passphrase-protected key. */
  passphrase?: string;
}

export interface Config {
  /** The file it was loaded from. */
  file: string;
  hostname: string;
  timezone: string;
  staging_dir: string;
  state_dir: string;
  metrics_file?: string;
  verify_schedule?: string;
  /** Run once per `hotsnap run`, around all profiles. */
  hooks: HookSettings;
  tarsnap: TarsnapSettings;
  /** In file order. */
  profiles: Profile[];
}

/** What the machine supplies for defaults (passed in so this stays testable). */
export interface MachineDefaults {
  hostname: string;
  timezone: string;
  tmpdir: string;
  stateDir: string;
}

/** Extra checks supplied by other modules (name templates, retention durations). */
export interface ResolveChecks {
  /** Given a template and date format, returns problems (empty when fine). */
  nameTemplate?: (template: string, dateFormat: string) => string[];
  /** Given a retention duration string, throws a clear Error when invalid. */
  retentionDuration?: (text: string) => unknown;
  /** Given a deltas string, throws a clear Error when invalid. */
  deltas?: (text: string) => unknown;
  /** Given a schedule (daily, or an OnCalendar expression), throws a clear Error when invalid. */
  schedule?: (text: string) => unknown;
}

/** Given an IANA name, returns whether this Node knows the zone. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function mergeProfile(defaults: ProfileFields, own: ProfileFields): ProfileFields {
  const merged: ProfileFields = { ...defaults, ...own };
  if (defaults.exclude || own.exclude) {
    merged.exclude = [...new Set([...(defaults.exclude ?? []), ...(own.exclude ?? [])])];
  }
  if (defaults.hot_copy || own.hot_copy) merged.hot_copy = { ...defaults.hot_copy, ...own.hot_copy };
  if (defaults.hooks || own.hooks) merged.hooks = { ...defaults.hooks, ...own.hooks };
  return merged;
}

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined;

function ownerOf(key: string, profile: Loose, defaults: Loose, at: string): string {
  if (profile[key] !== undefined) return `${at}.${key}`;
  if (defaults[key] !== undefined) return `defaults.${key}`;
  return at;
}

/** Given parsed YAML and its path, returns the paths of every string (or key) holding a NUL byte. */
function stringsWithNul(value: unknown, at: string): string[] {
  if (typeof value === 'string') return value.includes('\0') ? [at] : [];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : asObject(value)
      ? Object.entries(asObject(value)!)
      : [];
  return entries.flatMap(([key, item]) => {
    const path = at ? `${at}.${key}` : key;
    return key.includes('\0') ? [path] : stringsWithNul(item, path);
  });
}

/**
 * Given the parsed YAML (schema-valid or not), returns the problems that span several keys:
 * unknown time zone, a profile with nothing to back up, both retention styles, bad name templates,
 * bad durations, tarsnap.extra_args that `tarsnap -c` would misread. Runs even when the schema check failed, so every problem is reported at once.
 */
export function findCrossFieldIssues(data: unknown, checks: ResolveChecks = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const root = asObject(data) ?? {};
  // Every string ends up in a path, a pattern or a command's argv, none of which can hold a NUL:
  // found here it is exit 2, not a crash of `run` after everything was copied.
  // (tarsnap.extra_args says so itself, with the rest of its rule.)
  for (const path of stringsWithNul(root, '').filter((at) => !at.startsWith('tarsnap.extra_args.')))
    issues.push({
      path,
      message: 'contains a NUL byte ("\\0"), which no path, pattern or command can hold: remove it',
    });
  if (typeof root.timezone === 'string' && !isKnownTimeZone(root.timezone)) {
    issues.push({
      path: 'timezone',
      message: `unknown time zone "${root.timezone}": use an IANA name such as "UTC" or "Europe/Berlin"`,
    });
  }
  const checkSchedule = (value: unknown, path: string) => {
    if (typeof value !== 'string' || !checks.schedule) return;
    try {
      checks.schedule(value);
    } catch (error) {
      issues.push({ path, message: (error as Error).message });
    }
  };
  checkSchedule(root.verify_schedule, 'verify_schedule');
  // The create builder refuses the same words: found here, it is exit 2 before anything is copied.
  const extraArgs = asObject(root.tarsnap)?.extra_args;
  if (Array.isArray(extraArgs) && extraArgs.every((word) => typeof word === 'string')) {
    const problem = findExtraArgsProblem(extraArgs);
    if (problem)
      issues.push({ path: `tarsnap.extra_args.${problem.index}`, message: describeExtraArgsProblem(problem) });
  }
  const profiles = asObject(root.profiles);
  if (root.profiles !== undefined && profiles && Object.keys(profiles).length === 0) {
    issues.push({ path: 'profiles', message: 'no profiles: add at least one, e.g. "daily" with the paths to back up' });
  }
  const defaults = asObject(root.defaults) ?? {};
  for (const [name, value] of Object.entries(profiles ?? {})) {
    const at = `profiles.${name}`;
    const own = asObject(value) ?? {};
    const pick = (key: string): unknown => own[key] ?? defaults[key];
    const listLength = (key: string) => (Array.isArray(pick(key)) ? (pick(key) as unknown[]).length : 0);
    if (listLength('sqlite') === 0 && listLength('paths') === 0) {
      issues.push({ path: at, message: 'nothing to back up: add "paths" or "sqlite" (here or under defaults)' });
    }
    if (pick('retention') !== undefined && pick('deltas') !== undefined) {
      issues.push({
        path: ownerOf('deltas', own, defaults, at),
        message: 'use either "retention" or "deltas" in one profile, not both',
      });
    }
    const template = typeof pick('archive_name') === 'string' ? (pick('archive_name') as string) : DEFAULT_ARCHIVE_NAME;
    const dateFormat = typeof pick('date_format') === 'string' ? (pick('date_format') as string) : DEFAULT_DATE_FORMAT;
    for (const problem of checks.nameTemplate?.(template, dateFormat) ?? []) {
      const key = /date_format|date format|token/i.test(problem) ? 'date_format' : 'archive_name';
      issues.push({ path: ownerOf(key, own, defaults, at), message: problem });
    }
    const adopt = Array.isArray(pick('adopt')) ? (pick('adopt') as unknown[]) : [];
    adopt.forEach((entry, index) => {
      const legacy = asObject(entry);
      if (typeof legacy?.archive_name !== 'string' || typeof legacy.date_format !== 'string') return;
      for (const problem of checks.nameTemplate?.(legacy.archive_name, legacy.date_format) ?? []) {
        issues.push({ path: `${ownerOf('adopt', own, defaults, at)}.${index}`, message: problem });
      }
    });
    for (const [key, rule] of Object.entries(asObject(pick('retention')) ?? {})) {
      const path = `${ownerOf('retention', own, defaults, at)}.${key}`;
      if (typeof rule === 'string' && key.startsWith('keep_within') && checks.retentionDuration) {
        try {
          checks.retentionDuration(rule);
        } catch (error) {
          issues.push({ path, message: (error as Error).message });
        }
      }
      if (rule === 0)
        issues.push({ path, message: '0 keeps nothing by this rule: remove the key, or use -1 for unlimited' });
    }
    checkSchedule(pick('schedule'), ownerOf('schedule', own, defaults, at));
    const deltas = pick('deltas');
    if (typeof deltas === 'string' && checks.deltas) {
      try {
        checks.deltas(deltas);
      } catch (error) {
        issues.push({ path: ownerOf('deltas', own, defaults, at), message: (error as Error).message });
      }
    }
  }
  // One problem reported once, even when it comes from defaults shared by several profiles.
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\0${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Given a schema-valid file (whose cross-field checks passed), returns the effective config.
 * Example: resolveConfig(file, '/etc/hotsnap/hotsnap.yaml', machine).profiles[0].archive_name.
 */
export function resolveConfig(raw: ConfigFile, file: string, machine: MachineDefaults): Config {
  const profiles = Object.keys(raw.profiles).map((name): Profile => {
    const fields = mergeProfile(raw.defaults ?? {}, raw.profiles[name]!);
    const hotCopy = fields.hot_copy ?? {};
    return {
      name,
      sqlite: fields.sqlite ?? [],
      paths: fields.paths ?? [],
      exclude: fields.exclude ?? [],
      archive_name: fields.archive_name ?? DEFAULT_ARCHIVE_NAME,
      date_format: fields.date_format ?? DEFAULT_DATE_FORMAT,
      ...(fields.retention ? { retention: fields.retention } : {}),
      ...(fields.deltas ? { deltas: fields.deltas } : {}),
      adopt: fields.adopt ?? [],
      prune: fields.prune ?? true,
      prune_partial: fields.prune_partial ?? true,
      max_delete: fields.max_delete ?? '50%',
      hot_copy: {
        method: hotCopy.method ?? 'auto',
        verify: hotCopy.verify ?? 'quick',
        busy_timeout_ms: parseTimeSpan(hotCopy.busy_timeout ?? '10s'),
        copy_timeout_ms: parseTimeSpan(hotCopy.copy_timeout ?? '30m'),
      },
      ...((fields.schedule ?? (SCHEDULE_NAMES.has(name) ? name : undefined))
        ? { schedule: fields.schedule ?? name }
        : {}),
      hooks: normaliseHooks(fields.hooks),
      ...(fields.ping ? { ping: fields.ping } : {}),
    };
  });

  return {
    file,
    hostname: raw.hostname ?? machine.hostname,
    timezone: raw.timezone ?? machine.timezone,
    staging_dir: raw.staging_dir ?? machine.tmpdir,
    state_dir: raw.state_dir ?? machine.stateDir,
    ...(raw.metrics_file ? { metrics_file: raw.metrics_file } : {}),
    ...(raw.verify_schedule ? { verify_schedule: raw.verify_schedule } : {}),
    hooks: normaliseHooks(raw.hooks),
    tarsnap: {
      binary: raw.tarsnap.binary ?? 'tarsnap',
      keyfile: raw.tarsnap.keyfile,
      cachedir: raw.tarsnap.cachedir,
      extra_args: raw.tarsnap.extra_args ?? [],
      retries: raw.tarsnap.retries ?? 3,
      retry_delay_ms: parseTimeSpan(raw.tarsnap.retry_delay ?? '30s'),
      auto_fsck: raw.tarsnap.auto_fsck ?? false,
      ...(raw.tarsnap.passphrase ? { passphrase: raw.tarsnap.passphrase } : {}),
    },
    profiles,
  };
}
