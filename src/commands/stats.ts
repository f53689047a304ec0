/**
 * `hotsnap stats [PROFILE...]`: stored bytes and the monthly storage cost, for the account (what
 * tarsnap bills) and per profile (a lower bound), from one `tarsnap --print-stats -f '*'` call.
 */
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { BANDWIDTH_PICODOLLARS_PER_BYTE, PRICES_SOURCE, STORAGE_PICODOLLARS_PER_BYTE_MONTH } from '../core/cost.js';
import { planStorageReport, renderStorageReport } from '../core/storage-report.js';
import { readAccountStats } from '../workflows/account-stats.js';
import { tarsnapRunnerFor } from './common.js';
import { selectProfiles } from './select-profiles.js';
import type { CommandResult } from './result.js';

/** Given the context, profile names (all when none) and options, prints the report; exit 0, or 1 when tarsnap fails. */
export async function statsCommand(
  context: Context,
  names: readonly string[],
  options: { json?: boolean },
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names).map((profile) => profile.name);
  // A looking command: at most one short network retry (retryPolicyFor in common.ts).
  const tarsnap = tarsnapRunnerFor(config, context, { kind: 'looking' });
  const { stats, archives } = await readAccountStats(config, tarsnap);
  const report = planStorageReport(stats, archives, profiles, names.length === 0);
  if (options.json) {
    const prices = {
      storage_picodollars_per_byte_month: STORAGE_PICODOLLARS_PER_BYTE_MONTH,
      bandwidth_picodollars_per_byte: BANDWIDTH_PICODOLLARS_PER_BYTE,
      source: PRICES_SOURCE,
    };
    return { exitCode: ExitCode.ok, stdout: `${JSON.stringify({ ...report, prices }, null, 2)}\n` };
  }
  return { exitCode: ExitCode.ok, stdout: renderStorageReport(report) };
}
