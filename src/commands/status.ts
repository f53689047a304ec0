/**
 * `hotsnap status [PROFILE...] [--json]`: each profile's last run, last success, age, last verify
 * and whether it is overdue for its schedule, from the state files alone (no tarsnap call, so it
 * is cheap enough for a monitoring check every few minutes). Exit 3 when anything is wrong.
 */
import type { Context } from '../context.js';
import { machineTimeZone } from '../config/read.js';
import { ExitCode } from '../errors.js';
import { now } from '../clock.js';
import { planScheduledJobs } from '../core/schedule.js';
import { evaluateStatus, renderStatusTable } from '../core/overdue.js';
import { readProfileState, type ProfileState } from '../adapters/state.js';
import { selectProfiles } from './select-profiles.js';
import type { CommandResult } from './result.js';

/** What status takes from the machine; tests pass a fixed clock. */
export interface StatusDeps {
  now: () => number;
  /** The machine's zone: the one cron and systemd timers count in. */
  timeZone: string;
  readState: (stateDir: string, profile: string) => ProfileState;
}

/** Returns the real clock, zone and state files. */
export function defaultStatusDeps(): StatusDeps {
  return {
    now: () => now().getTime(),
    timeZone: machineTimeZone(),
    readState: readProfileState,
  };
}

/**
 * Given the context, profile names (none: all) and options, returns the status table or JSON;
 * exit 0 when every scheduled profile is on time, 3 (ExitCode.problems) when one is overdue, has
 * never succeeded, or (with verify_schedule) its verify failed, is overdue or never ran.
 */
export async function statusCommand(
  context: Pick<Context, 'loadConfig'>,
  names: readonly string[],
  options: { json?: boolean },
  deps: StatusDeps = defaultStatusDeps(),
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names);
  // Every schedule is checked, also of profiles not asked about: a bad one is a config error.
  const jobs = planScheduledJobs(config);
  const verifyJob = jobs.find((job) => job.kind === 'verify');
  const now = deps.now();
  const statuses = profiles.map((profile) => {
    const job = jobs.find((candidate) => candidate.kind === 'run' && candidate.profile === profile.name);
    return evaluateStatus(
      {
        profile: profile.name,
        ...(job ? { schedule: { text: job.schedule, spec: job.spec } } : {}),
        ...(verifyJob ? { verify: { text: verifyJob.schedule, spec: verifyJob.spec } } : {}),
        records: deps.readState(config.state_dir, profile.name),
      },
      now,
      deps.timeZone,
    );
  });
  const problems = statuses.some((status) => status.problems.length > 0);
  const exitCode = problems ? ExitCode.problems : ExitCode.ok;
  if (options.json) {
    const body = {
      now: new Date(now).toISOString(),
      ok: !problems,
      verify_schedule: config.verify_schedule ?? null,
      profiles: statuses,
    };
    return { exitCode, stdout: `${JSON.stringify(body, null, 2)}\n` };
  }
  return { exitCode, stdout: renderStatusTable(statuses, now) };
}
