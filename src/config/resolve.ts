/**
 * From a schema-valid config file to the effective config every command uses: defaults merged
 * under each profile, built-in defaults filled in. The checks zod can't express run before, on the
 * parsed YAML (cross-field.ts).
 */
import { DEFAULT_DATE_FORMAT } from '../core/archive-date.js';
import { DEFAULT_ARCHIVE_NAME } from '../core/archive-name.js';
import { parseTimeSpan } from '../core/timespan.js';
import type { ConfigFile, ProfileFields, RetentionConfig } from './schema.js';
import { SOURCE_KEYS, type SourceKey } from '../sources/config.js';

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
export interface Profile extends Record<SourceKey, string[]> {
  name: string;
  /** Keep the snapshot at a stable path between runs (tarsnap's cache then skips what did not change). */
  keep_snapshot: boolean;
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

/** Given a profile's fields, returns each source kind's list of targets ([] when unset). */
function sourceLists(fields: ProfileFields): Record<SourceKey, string[]> {
  return Object.fromEntries(SOURCE_KEYS.map((key) => [key, fields[key] ?? []])) as Record<SourceKey, string[]>;
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
      ...sourceLists(fields),
      keep_snapshot: fields.keep_snapshot ?? true,
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
