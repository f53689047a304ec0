/** Words and numbers for people: byte sizes, one summary line per profile. */
import { formatDollars, transferCost } from './cost.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Given 1_234_567, returns "1.2 MB" (decimal units, as tarsnap's --humanize-numbers). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Given a time, returns it as people read it in tables: "2026-11-26 03:00:00Z" (UTC, seconds). */
export function formatUtcTime(time: Date | string): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export interface ProfileSummary {
  profile: string;
  status: 'ok' | 'failed' | 'dry-run';
  archive?: string;
  total_bytes?: number;
  compressed_bytes?: number;
  new_compressed_bytes?: number;
  /** What uploading the new data cost (bandwidth price × new compressed bytes), in dollars. */
  upload_cost_dollars?: number;
  duration_ms: number;
  databases: number;
  databases_failed: number;
  /** Git repositories captured and failed (absent when the profile has none). */
  repositories?: number;
  repositories_failed?: number;
  writer_block_ms: number;
  pruned?: number;
  prune_note?: string;
  error?: string;
}

/**
 * Given a profile's outcome, returns its one summary line.
 * Example: "daily: ok  archive blog-daily-2026-11-26_03-00-00  total 1.2 GB, compressed 800.0 MB,
 * new upload 3.1 MB ($0.00077)  12.3s  2 databases (writers stalled 0 ms)".
 */
export function formatSummaryLine(summary: ProfileSummary): string {
  const parts = [`${summary.profile}: ${summary.status === 'failed' ? 'FAILED' : summary.status}`];
  if (summary.archive) parts.push(`archive ${summary.archive}`);
  if (summary.total_bytes !== undefined) {
    const sizes = [`total ${formatBytes(summary.total_bytes)}`];
    if (summary.compressed_bytes !== undefined) sizes.push(`compressed ${formatBytes(summary.compressed_bytes)}`);
    if (summary.new_compressed_bytes !== undefined)
      sizes.push(
        `new upload ${formatBytes(summary.new_compressed_bytes)} (${formatDollars(transferCost(summary.new_compressed_bytes))})`,
      );
    parts.push(sizes.join(', '));
  }
  parts.push(`${(summary.duration_ms / 1000).toFixed(1)}s`);
  if (summary.databases + summary.databases_failed > 0) {
    const failed = summary.databases_failed > 0 ? `, ${summary.databases_failed} failed` : '';
    parts.push(
      `${summary.databases} database${summary.databases === 1 ? '' : 's'} copied${failed} (writers stalled ${Math.round(summary.writer_block_ms)} ms)`,
    );
  }
  const repositories = summary.repositories ?? 0;
  const repositoriesFailed = summary.repositories_failed ?? 0;
  if (repositories + repositoriesFailed > 0) {
    const failed = repositoriesFailed > 0 ? `, ${repositoriesFailed} failed` : '';
    parts.push(`${repositories} Git repositor${repositories === 1 ? 'y' : 'ies'} captured${failed}`);
  }
  if (summary.pruned !== undefined) parts.push(`pruned ${summary.pruned}`);
  if (summary.prune_note) parts.push(summary.prune_note);
  // One line, but with the "what to do" part: it is what the reader of cron mail needs most.
  if (summary.error) parts.push(`error: ${summary.error.replace(/\s*\n\s*/g, ' — ')}`);
  return parts.join('  ');
}
