/**
 * Prometheus node_exporter textfile metrics (`metrics_file:`), rendered from plain data: the
 * profiles' state (last attempt, last success, last verify) and archive counts. Pure: the same
 * input always gives the same text, so it is tested against golden text.
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).
 */
import type { ArchiveInfo } from './archives.js';
import { accountFamilies } from './metrics-account.js';

/** A backup run as the state file records it (adapters/state RunRecord fits). */
export interface MetricsRun {
  /** ISO 8601 time the run finished. */
  finished: string;
  status: 'ok' | 'failed' | 'dry-run';
  duration_ms: number;
  stats?: {
    total_bytes: number;
    compressed_bytes: number;
    new_bytes: number;
    new_compressed_bytes?: number;
    /** The account's compressed unique data after this archive (what tarsnap bills for storage). */
    stored_bytes?: number;
  };
  databases?: number;
  writer_block_ms?: number;
  /** Why the prune after it was refused (max_delete, a wrong clock), when it was. */
  prune_refused?: string;
}

/** A restore drill as the state file records it (adapters/state VerifyRecord fits). */
export interface MetricsVerify {
  /** ISO 8601 time it finished. */
  time: string;
  status: 'ok' | 'failed';
  databases?: number;
}

export interface ArchiveCounts {
  complete: number;
  partial: number;
  /** `.incomplete` archives: stored without a database whose hot copy failed (absent: not counted). */
  incomplete?: number;
}

/** One profile (adapters/state ProfileState fits, plus the archive counts when they are known). */
export interface ProfileMetrics {
  profile: string;
  last_attempt?: MetricsRun;
  last_success?: MetricsRun;
  last_verify?: MetricsVerify;
  /** Absent when the archives could not be listed (e.g. a write-only key): those lines are left out. */
  archives?: ArchiveCounts;
}

export interface MetricsInput {
  profiles: readonly ProfileMetrics[];
}

interface Family {
  name: string;
  help: string;
  /** Given a profile, returns its value, or undefined to leave the profile out of this family. */
  value: (profile: ProfileMetrics) => number | undefined;
}

/** Seconds since the epoch, or undefined for a time that doesn't parse. */
function unixSeconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** A dry run changes nothing on the server: it is not the "last run" monitoring cares about. */
const lastRun = (profile: ProfileMetrics) =>
  profile.last_attempt?.status === 'dry-run' ? undefined : profile.last_attempt;
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

const FAMILIES: readonly Family[] = [
  {
    name: 'hotsnap_last_success_timestamp_seconds',
    help: 'Unix time the last successful backup of the profile finished (0 if it never succeeded).',
    value: (p) => (p.last_success ? unixSeconds(p.last_success.finished) : 0),
  },
  {
    name: 'hotsnap_last_run_timestamp_seconds',
    help: 'Unix time the last backup attempt finished.',
    value: (p) => unixSeconds(lastRun(p)?.finished),
  },
  {
    name: 'hotsnap_last_run_success',
    help: '1 if the last backup attempt succeeded, 0 if it failed.',
    value: (p) => (lastRun(p) ? Number(lastRun(p)!.status === 'ok') : undefined),
  },
  {
    name: 'hotsnap_last_run_duration_seconds',
    help: 'How long the last backup attempt took (hot copies, tarsnap, prune).',
    value: (p) => seconds(lastRun(p)?.duration_ms),
  },
  {
    name: 'hotsnap_last_run_databases_copied',
    help: 'SQLite databases hot-copied by the last backup attempt.',
    value: (p) => lastRun(p)?.databases,
  },
  {
    name: 'hotsnap_last_run_writer_block_seconds',
    help: 'How long the hot copies of the last backup attempt kept the applications from writing (summed over databases).',
    value: (p) => seconds(lastRun(p)?.writer_block_ms),
  },
  {
    name: 'hotsnap_last_success_total_bytes',
    help: 'Size of the last successful archive before compression and deduplication.',
    value: (p) => p.last_success?.stats?.total_bytes,
  },
  {
    name: 'hotsnap_last_success_compressed_bytes',
    help: 'Compressed size of the last successful archive.',
    value: (p) => p.last_success?.stats?.compressed_bytes,
  },
  {
    name: 'hotsnap_last_success_new_bytes',
    help: 'Data of the last successful archive not already stored by earlier archives (before compression).',
    value: (p) => p.last_success?.stats?.new_bytes,
  },
  {
    name: 'hotsnap_last_success_new_compressed_bytes',
    help: 'What the last successful archive added to the tarsnap account (compressed new data).',
    value: (p) => p.last_success?.stats?.new_compressed_bytes,
  },
  {
    name: 'hotsnap_prune_refused',
    help: '1 if the prune after the last backup was refused (max_delete, a wrong clock): the backup is stored, old archives pile up until the command in the log is run once.',
    value: (p) => (lastRun(p)?.status === 'ok' ? Number(lastRun(p)!.prune_refused !== undefined) : undefined),
  },
  {
    name: 'hotsnap_archives',
    help: 'Complete archives of the profile stored in tarsnap.',
    value: (p) => p.archives?.complete,
  },
  {
    name: 'hotsnap_partial_archives',
    help: 'Truncated .part archives of the profile (interrupted runs; never counted as backups).',
    value: (p) => p.archives?.partial,
  },
  {
    name: 'hotsnap_incomplete_archives',
    help: 'Archives of the profile stored without a database whose hot copy failed (.incomplete; never counted as backups).',
    value: (p) => p.archives?.incomplete,
  },
  {
    name: 'hotsnap_last_verify_timestamp_seconds',
    help: 'Unix time the last restore drill (hotsnap verify) of the profile finished.',
    value: (p) => unixSeconds(p.last_verify?.time),
  },
  {
    name: 'hotsnap_last_verify_success',
    help: '1 if the last restore drill succeeded, 0 if it failed.',
    value: (p) => (p.last_verify ? Number(p.last_verify.status === 'ok') : undefined),
  },
  {
    name: 'hotsnap_last_verify_databases',
    help: 'SQLite databases checked by the last restore drill.',
    value: (p) => p.last_verify?.databases,
  },
];

/** Given a label value, returns it escaped for the text format: `\` → `\\`, `"` → `\"`, newline → `\n`. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Given HELP text, returns it escaped (`\` and newline; quotes stay as they are there). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Given a number, returns it as the text format writes floats: 1.5, 1e+21, NaN, +Inf. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Given the profiles' data, returns the textfile contents: for each metric a `# HELP` and a
 * `# TYPE … gauge` line, then one sample per profile that has a value (families with none are
 * left out), in input order.
 * Example: renderMetrics({profiles:[{profile:'daily'}]}) →
 * '# HELP hotsnap_last_success_timestamp_seconds …\n…\nhotsnap_last_success_timestamp_seconds{profile="daily"} 0\n'.
 */
export function renderMetrics(input: MetricsInput): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const samples = input.profiles.flatMap((profile) => {
      const value = family.value(profile);
      return value === undefined
        ? []
        : [`${family.name}{profile="${escapeLabelValue(profile.profile)}"} ${formatSampleValue(value)}`];
    });
    if (samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`, ...samples);
  }
  for (const family of accountFamilies(input.profiles))
    lines.push(
      `# HELP ${family.name} ${escapeHelp(family.help)}`,
      `# TYPE ${family.name} gauge`,
      `${family.name} ${formatSampleValue(family.value)}`,
    );
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * Given classified archives and the profile names, returns each profile's complete, partial and
 * incomplete counts (zeros for a profile with none; archives of no profile are not counted).
 * Example: countArchives([{profile:'daily', partial:false, incomplete:false}], ['daily']) →
 * {daily:{complete:1,partial:0,incomplete:0}}.
 */
export function countArchives(
  archives: readonly Pick<ArchiveInfo, 'profile' | 'partial' | 'incomplete'>[],
  profiles: readonly string[],
): Record<string, ArchiveCounts> {
  // A Map, so a profile named like an Object property ("constructor") is just a name.
  const counts = new Map<string, Required<ArchiveCounts>>(
    profiles.map((name) => [name, { complete: 0, partial: 0, incomplete: 0 }]),
  );
  for (const archive of archives) {
    const entry = archive.profile === null ? undefined : counts.get(archive.profile);
    if (!entry) continue;
    if (archive.partial) entry.partial++;
    else if (archive.incomplete) entry.incomplete++;
    else entry.complete++;
  }
  return Object.fromEntries(counts);
}
