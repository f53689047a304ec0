/**
 * The config checks zod can't express, on the parsed YAML: time zone, something to back up, one
 * retention style per profile, name templates, durations, schedules, tarsnap.extra_args, NUL bytes.
 */
import type { ConfigIssue } from '../errors.js';
import { DEFAULT_DATE_FORMAT } from '../core/archive-date.js';
import { DEFAULT_ARCHIVE_NAME, type NameTemplateIssue } from '../core/archive-name.js';
import { describeExtraArgsProblem, findExtraArgsProblem } from '../core/tarsnap-extra-args.js';
import { isTimeZone } from '../core/time-zone.js';
import { SOURCE_KEYS } from '../sources/config.js';

/** Extra checks supplied by other modules (name templates, retention durations, deltas, schedules). */
export interface CrossFieldChecks {
  /** Given a template and date format, returns its problems, each with its key (empty when fine). */
  nameTemplate?: (template: string, dateFormat: string) => NameTemplateIssue[];
  /** Given a retention duration string, throws a clear Error when invalid. */
  retentionDuration?: (text: string) => unknown;
  /** Given a deltas string, throws a clear Error when invalid. */
  deltas?: (text: string) => unknown;
  /** Given a schedule (daily, or an OnCalendar expression), throws a clear Error when invalid. */
  schedule?: (text: string) => unknown;
}

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined;

/**
 * Given a profile's key, returns the YAML path that sets it:
 * the profile's, else defaults', else the profile's own path.
 */
function pathOfKey(key: string, profile: Loose, defaults: Loose, at: string): string {
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
 * bad durations, tarsnap.extra_args that `tarsnap -c` would misread. Runs even when the schema
 * check failed, so every problem is reported at once.
 */
export function findCrossFieldIssues(data: unknown, checks: CrossFieldChecks = {}): ConfigIssue[] {
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
  if (typeof root.timezone === 'string' && !isTimeZone(root.timezone)) {
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
    if ([...SOURCE_KEYS, 'paths'].every((key) => listLength(key) === 0)) {
      const keys = ['paths', ...SOURCE_KEYS].map((key) => `"${key}"`);
      const choices = `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}`;
      issues.push({ path: at, message: `nothing to back up: add ${choices} (here or under defaults)` });
    }
    if (pick('retention') !== undefined && pick('deltas') !== undefined) {
      issues.push({
        path: pathOfKey('deltas', own, defaults, at),
        message: `deltas ${JSON.stringify(pick('deltas'))} and a retention are both set: use either "retention" or "deltas" in one profile, not both`,
      });
    }
    const template = typeof pick('archive_name') === 'string' ? (pick('archive_name') as string) : DEFAULT_ARCHIVE_NAME;
    const dateFormat = typeof pick('date_format') === 'string' ? (pick('date_format') as string) : DEFAULT_DATE_FORMAT;
    for (const { key, message } of checks.nameTemplate?.(template, dateFormat) ?? [])
      issues.push({ path: pathOfKey(key, own, defaults, at), message });
    const adopt = Array.isArray(pick('adopt')) ? (pick('adopt') as unknown[]) : [];
    adopt.forEach((entry, index) => {
      const legacy = asObject(entry);
      if (typeof legacy?.archive_name !== 'string' || typeof legacy.date_format !== 'string') return;
      for (const { message } of checks.nameTemplate?.(legacy.archive_name, legacy.date_format) ?? [])
        issues.push({ path: `${pathOfKey('adopt', own, defaults, at)}.${index}`, message });
    });
    for (const [key, rule] of Object.entries(asObject(pick('retention')) ?? {})) {
      const path = `${pathOfKey('retention', own, defaults, at)}.${key}`;
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
    checkSchedule(pick('schedule'), pathOfKey('schedule', own, defaults, at));
    const deltas = pick('deltas');
    if (typeof deltas === 'string' && checks.deltas) {
      try {
        checks.deltas(deltas);
      } catch (error) {
        issues.push({ path: pathOfKey('deltas', own, defaults, at), message: (error as Error).message });
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
