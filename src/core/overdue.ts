/**
 * Is a profile's backup (or restore drill) overdue? The run that should have replaced the last
 * success was due at the schedule's first elapse after that success finished; it is overdue once
 * a grace of max(1 hour, 25% of the schedule's interval there) has passed too. Counting from the
 * elapse rather than from a fixed interval gets uneven schedules right (Mon..Fri, the 1st of the
 * month); the grace covers RandomizedDelaySec, a run's own duration and a waiting lock.
 */
import { formatCalendar, type CalendarSpec } from './calendar.js';
import { nextElapse } from './calendar-elapse.js';
import { maskSecrets } from './mask-secrets.js';

const HOUR_MS = 3_600_000;

/** Given a schedule's interval (ms; undefined when unknown), returns the grace: max(1h, 25%). */
export function graceFor(interval: number | undefined): number {
  return Math.max(HOUR_MS, (interval ?? 0) / 4);
}

/** What checkSchedule found: on time, overdue or never succeeded, with the times it used. */
export interface ScheduleCheck {
  state: 'ok' | 'overdue' | 'never';
  /** The first elapse after the last success (ms); undefined when never succeeded or none is left. */
  due?: number;
  /** From that elapse to the one after it (ms). */
  interval?: number;
  /** due + grace (ms). */
  deadline?: number;
}

/**
 * Given a schedule, the last success (ms, undefined for never), now and the machine's zone,
 * returns whether the next run is overdue. Example: daily, last success 2024-05-01T00:30Z, now
 * 2024-05-02T07:00Z → {state: 'overdue', due: 2024-05-02T00:00Z, interval: 1 day, deadline: 06:00Z}.
 */
export function checkSchedule(
  spec: CalendarSpec,
  lastSuccess: number | undefined,
  now: number,
  timeZone: string,
): ScheduleCheck {
  if (lastSuccess === undefined) return { state: 'never' };
  const due = nextElapse(spec, lastSuccess, timeZone);
  if (due === undefined) return { state: 'ok' };
  const following = nextElapse(spec, due, timeZone);
  const interval = following === undefined ? undefined : following - due;
  const deadline = due + graceFor(interval);
  return { state: now > deadline ? 'overdue' : 'ok', due, ...(interval === undefined ? {} : { interval }), deadline };
}

/** The parts of a profile's state file that status reads. */
export interface StatusRecords {
  last_attempt?: {
    started: string;
    finished: string;
    status: string;
    error?: string;
    archive?: string;
    prune_refused?: string;
  };
  last_success?: { started: string; finished: string; status: string; archive?: string };
  last_verify?: { time: string; status: string; error?: string; archive?: string };
  /** When the first known success finished: a never-run verify is due from there. */
  first_success?: string;
}

/** One profile's line of `hotsnap status` (also its --json form). */
export interface ProfileStatus {
  profile: string;
  /** As written in the config, or null when the profile is not scheduled. */
  schedule: string | null;
  /** systemd's normalised form of the schedule. */
  calendar: string | null;
  state: 'ok' | 'overdue' | 'never' | 'unscheduled';
  last_attempt: StatusRecords['last_attempt'] | null;
  last_success: StatusRecords['last_success'] | null;
  /** Seconds since the last success finished. */
  age_seconds: number | null;
  /** When the run after the last success was due, its deadline, and the interval there (ISO, seconds). */
  next_due: string | null;
  deadline: string | null;
  interval_seconds: number | null;
  verify: {
    schedule: string | null;
    /** pending: never run, and its first due date (the first elapse after the first success) + grace is ahead. */
    state: 'ok' | 'overdue' | 'never' | 'pending' | 'failed' | 'unscheduled';
    last: StatusRecords['last_verify'] | null;
    deadline: string | null;
  };
  /** What makes `status` exit 3, one sentence each. */
  problems: string[];
}

/** Given ms, returns a short age: 45s, 12m, 5h29m, 3d4h. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  return `${Math.floor(hours / 24)}d${hours % 24 ? `${hours % 24}h` : ''}`;
}

/** Given ms since the epoch, returns "2024-05-01 00:30Z". */
export function formatMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** What evaluateStatus needs about one profile: its schedules (when scheduled) and state records. */
export interface StatusInput {
  profile: string;
  schedule?: { text: string; spec: CalendarSpec };
  verify?: { text: string; spec: CalendarSpec };
  records: StatusRecords;
}

/**
 * Given a profile's schedules and state records, now and the machine's zone, returns its status
 * with the problems that make `status` exit 3: overdue, never succeeded while scheduled, and
 * (when verify is scheduled) a verify that failed, is overdue or never ran.
 */
export function evaluateStatus(input: StatusInput, now: number, timeZone: string): ProfileStatus {
  const { records } = input;
  const successAt = records.last_success ? Date.parse(records.last_success.finished) : undefined;
  const problems: string[] = [];
  const check = input.schedule ? checkSchedule(input.schedule.spec, successAt, now, timeZone) : undefined;
  if (check?.state === 'never')
    problems.push(`${input.profile}: scheduled (${input.schedule!.text}) but never backed up successfully`);
  if (check?.state === 'overdue') {
    problems.push(
      `${input.profile}: overdue: last success ${formatMinute(successAt!)} (${formatAge(now - successAt!)} ago); the next run was due ${formatMinute(check.due!)} (${input.schedule!.text}), at the latest by ${formatMinute(check.deadline!)}`,
    );
  }

  let verify: ProfileStatus['verify'] = {
    schedule: input.verify?.text ?? null,
    state: 'unscheduled',
    last: records.last_verify ?? null,
    deadline: null,
  };
  // Verify needs an archive: until the first success, "never backed up" says it all.
  if (input.verify && input.schedule && successAt !== undefined) {
    const last = records.last_verify;
    if (last?.status === 'failed') {
      verify = { ...verify, state: 'failed' };
      problems.push(
        `${input.profile}: the last verify (${formatMinute(Date.parse(last.time))}) failed${last.error ? `: ${last.error}` : ''}`,
      );
    } else if (!last) {
      // Not overdue before it was ever due: the first verify is due at the verify schedule's first
      // elapse after the first backup (plus the same grace as any run).
      const since = records.first_success ? Date.parse(records.first_success) : successAt;
      const first = checkSchedule(input.verify.spec, since, now, timeZone);
      const late = first.state === 'overdue';
      verify = { ...verify, state: late ? 'never' : 'pending', deadline: iso(first.deadline) };
      if (late)
        problems.push(
          `${input.profile}: verify is scheduled (${input.verify.text}) but has never run; the first was due by ${formatMinute(first.deadline!)}`,
        );
    } else {
      const verifyCheck = checkSchedule(input.verify.spec, Date.parse(last.time), now, timeZone);
      verify = { ...verify, state: verifyCheck.state, deadline: iso(verifyCheck.deadline) };
      if (verifyCheck.state === 'overdue')
        problems.push(
          `${input.profile}: verify overdue: last ${formatMinute(Date.parse(last!.time))}, due by ${formatMinute(verifyCheck.deadline!)}`,
        );
    }
  }

  return {
    profile: input.profile,
    schedule: input.schedule?.text ?? null,
    calendar: input.schedule ? formatCalendar(input.schedule.spec) : null,
    state: check?.state ?? 'unscheduled',
    last_attempt: records.last_attempt ?? null,
    last_success: records.last_success ?? null,
    age_seconds: successAt === undefined ? null : Math.floor((now - successAt) / 1000),
    next_due: iso(check?.due),
    deadline: iso(check?.deadline),
    interval_seconds: check?.interval === undefined ? null : check.interval / 1000,
    verify,
    problems,
  };
}

function stateText(status: ProfileStatus): string {
  const base =
    status.state === 'ok'
      ? status.next_due
        ? `ok, next due ${formatMinute(Date.parse(status.next_due))}`
        : 'ok'
      : status.state === 'overdue'
        ? `OVERDUE since ${formatMinute(Date.parse(status.deadline!))}`
        : status.state === 'never'
          ? 'NEVER SUCCEEDED'
          : 'not scheduled';
  const verify =
    status.verify.state === 'failed'
      ? 'VERIFY FAILED'
      : status.verify.state === 'overdue'
        ? 'VERIFY OVERDUE'
        : status.verify.state === 'never'
          ? 'NEVER VERIFIED'
          : status.verify.state === 'pending' && status.verify.deadline
            ? `first verify due by ${formatMinute(Date.parse(status.verify.deadline))}`
            : '';
  return verify ? `${base}; ${verify}` : base;
}

/** Longest failure line `status` prints: the first line says what happened; the state file has the rest. */
const MAX_NOTE_CHARS = 300;

/**
 * Given a profile's status, returns what its last run left to read: why it failed (the error's
 * first line, secrets masked), or that its prune was refused and what to run.
 * Example: → ['failed: daily: tarsnap failed to create the archive: …'].
 */
export function lastRunNotes(status: ProfileStatus): string[] {
  const last = status.last_attempt;
  const oneLine = (text: string) => {
    const line = maskSecrets([text.split('\n')[0]!.trim()])[0]!;
    return line.length > MAX_NOTE_CHARS ? `${line.slice(0, MAX_NOTE_CHARS)}…` : line;
  };
  if (last?.status === 'failed') return [`failed: ${status.profile}: ${oneLine(last.error ?? 'no reason recorded')}`];
  if (last?.status === 'ok' && last.prune_refused)
    return [`note: ${status.profile}: the last run's prune was refused: ${oneLine(last.prune_refused)}`];
  return [];
}

/** Given statuses and now, returns the readable table, the problems and a last summary line. */
export function renderStatusTable(statuses: readonly ProfileStatus[], now: number): string {
  const rows = statuses.map((status) => [
    status.profile,
    status.schedule ?? '-',
    status.last_attempt
      ? `${formatMinute(Date.parse(status.last_attempt.started))} ${status.last_attempt.status}`
      : 'never',
    status.last_success ? formatMinute(Date.parse(status.last_success.finished)) : 'never',
    status.last_success ? formatAge(now - Date.parse(status.last_success.finished)) : '-',
    status.verify.last
      ? `${formatMinute(Date.parse(status.verify.last.time))} ${status.verify.last.status}`
      : status.verify.schedule && status.schedule
        ? 'never'
        : '-',
    stateText(status),
  ]);
  const table = [['PROFILE', 'SCHEDULE', 'LAST RUN', 'LAST SUCCESS', 'AGE', 'LAST VERIFY', 'STATE'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
  );
  for (const status of statuses) lines.push(...lastRunNotes(status));
  const problems = statuses.flatMap((status) => status.problems);
  for (const problem of problems) lines.push(`problem: ${problem}`);
  lines.push(
    problems.length === 0
      ? `all ${statuses.length} profile${statuses.length === 1 ? '' : 's'} on schedule`
      : `${problems.length} problem${problems.length === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}
