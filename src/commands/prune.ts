/**
 * `hotsnap prune [PROFILE...]`: one list, a plan per profile, ONE `tarsnap -d` for every
 * deletion (oldest first, --keep-going), then one list to confirm what is gone.
 */
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { now } from '../clock.js';
import { formatUtcTime } from '../core/summary.js';
import { lockKeyUnlessDryRun, parseWaitOption, tarsnapRunnerFor } from './common.js';
import { selectProfiles } from './select-profiles.js';
import { pruneProfiles, type PruneReport } from '../workflows/prune.js';
import { addFreesAtLeast, formatFreed } from '../workflows/prune-frees.js';
import type { CommandResult } from './result.js';

export interface PruneOptions {
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
  maxDelete?: string;
  wait?: string;
}

/** Given a report, returns the readable plan (dry run) or result. */
export function renderPruneReport(report: PruneReport): string {
  const lines: string[] = [];
  if (report.error) lines.push(`prune failed: ${report.error}`);
  for (const entry of report.profiles) {
    const deleted = entry.refused ? 0 : entry.remove.length - (entry.not_deleted?.length ?? 0);
    const head = report.dry_run
      ? `${entry.profile}: would keep ${entry.keep.length}, would remove ${entry.remove.length}`
      : `${entry.profile}: kept ${entry.keep.length}, deleted ${deleted}`;
    lines.push(entry.note ? `${head}  (${entry.note})` : head);
    if (entry.frees_at_least) lines.push(`  frees at least ${formatFreed(entry.frees_at_least)}`);
    if (report.dry_run || entry.refused) {
      const rows = [
        ...entry.keep.map((keep) => ({
          time: keep.time,
          action: 'keep  ',
          name: keep.name,
          why: keep.reasons.join(', '),
        })),
        ...entry.remove.map((remove) => ({ time: remove.time, action: 'remove', name: remove.name, why: remove.why })),
      ].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
      const width = Math.max(0, ...rows.map((row) => row.name.length));
      for (const row of rows)
        lines.push(`  ${row.action}  ${formatUtcTime(row.time)}  ${row.name.padEnd(width)}  ${row.why}`);
    }
    if (entry.not_deleted?.length) lines.push(`  NOT deleted (still listed): ${entry.not_deleted.join(', ')}`);
  }
  if (report.freed) lines.push(`freed ${formatFreed(report.freed)} of stored data`);
  return `${lines.join('\n')}\n`;
}

/** Given the context, profile names and flags, prunes; exit 0, or 1 when any profile's prune failed. */
export async function pruneCommand(
  context: Context,
  names: readonly string[],
  options: PruneOptions,
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names);
  let maxDelete: number | undefined;
  if (options.maxDelete !== undefined) {
    if (!/^\d+$/.test(options.maxDelete))
      throw new UsageError(`--max-delete must be a whole number, not "${options.maxDelete}"`);
    maxDelete = Number(options.maxDelete);
  }
  const waitMs = parseWaitOption(options.wait);
  const dryRun = options.dryRun ?? false;
  const lock = await lockKeyUnlessDryRun(config, context, {
    dryRun,
    waitMs,
    command: `prune ${profiles.map((p) => p.name).join(' ')}`,
  });
  let report: PruneReport;
  const tarsnap = tarsnapRunnerFor(config, context, { dryRun });
  try {
    report = await pruneProfiles(
      config,
      profiles,
      { tarsnap, logger: context.logger, now },
      {
        dryRun,
        force: options.force ?? false,
        ...(maxDelete !== undefined ? { maxDelete } : {}),
      },
    );
    if (dryRun) await addFreesAtLeast(config, report.profiles, { tarsnap, logger: context.logger });
  } finally {
    lock?.release();
  }
  const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : renderPruneReport(report);
  return { exitCode: report.failed ? ExitCode.failed : ExitCode.ok, stdout };
}
