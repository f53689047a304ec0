/**
 * Writes the node_exporter textfile (`metrics_file:`) atomically: a hidden temp file in the same
 * directory (node_exporter only reads `*.prom`, and a rename within one file system is atomic),
 * mode 0644 whatever the umask (node_exporter usually runs as another user), then a rename, so a
 * scrape never sees half a file.
 */
import { closeSync, fchmodSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { renderMetrics, type ArchiveCounts, type MetricsInput } from '../core/metrics.js';
import { ExitCode, UserError } from '../errors.js';
import { readProfileState } from './state.js';

/** The metrics file could not be written; the message says how to fix it. */
export class MetricsError extends UserError {}

function explain(file: string, error: NodeJS.ErrnoException): string {
  const dir = dirname(file);
  if (error.code === 'ENOENT')
    return `cannot write metrics file ${file}: directory ${dir} does not exist (create it, e.g. node_exporter's --collector.textfile.directory, or change metrics_file)`;
  if (error.code === 'EACCES' || error.code === 'EPERM')
    return `cannot write metrics file ${file}: permission denied in ${dir} (run hotsnap as root, or make ${dir} writable by its user)`;
  return `cannot write metrics file ${file}: ${error.message}`;
}

/**
 * Given a path and text, replaces the file atomically with mode 0644; throws MetricsError.
 * Example: writeMetricsFile('/var/lib/node_exporter/textfile/hotsnap.prom', renderMetrics(input)).
 */
export function writeMetricsFile(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    // A crash of an earlier process with this pid may have left one; 'wx' then never follows a planted link.
    rmSync(temporary, { force: true });
    const fd = openSync(temporary, 'wx', 0o644);
    try {
      fchmodSync(fd, 0o644);
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    // No fsync: after a power cut the next run rewrites the file, and node_exporter copes with a missing one.
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new MetricsError(explain(file, error as NodeJS.ErrnoException), ExitCode.failed, { cause: error });
  }
}

/**
 * Given the state dir, the profile names and (when the archives were listed) their counts,
 * returns the metrics input from the profiles' state files.
 * Example: readMetricsInput('/var/lib/hotsnap', ['daily'], {daily: {complete: 7, partial: 0}})
 * .profiles[0].archives.complete → 7.
 */
export function readMetricsInput(
  stateDir: string,
  profiles: readonly string[],
  archiveCounts?: Readonly<Record<string, ArchiveCounts>>,
): MetricsInput {
  return {
    profiles: profiles.map((name) => {
      const state = readProfileState(stateDir, name);
      const counts = archiveCounts && Object.hasOwn(archiveCounts, name) ? archiveCounts[name] : undefined;
      return { ...state, profile: name, ...(counts ? { archives: counts } : {}) };
    }),
  };
}

/**
 * Given the metrics file, state dir, profiles and archive counts, renders and writes the metrics.
 * Example: `updateMetricsFile(config.metrics_file, config.state_dir, config.profiles.map(p => p.name), counts)`.
 */
export function updateMetricsFile(
  file: string,
  stateDir: string,
  profiles: readonly string[],
  archiveCounts?: Readonly<Record<string, ArchiveCounts>>,
): void {
  writeMetricsFile(file, renderMetrics(readMetricsInput(stateDir, profiles, archiveCounts)));
}
