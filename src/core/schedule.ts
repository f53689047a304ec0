/**
 * What runs hotsnap on time: the scheduled jobs a config asks for (one `run` per scheduled
 * profile, plus `verify` when verify_schedule is set), and their crontab lines. systemd units are
 * rendered by core/systemd-units; the calendar syntax lives in core/calendar.
 */
import { ConfigError, UsageError, type ConfigIssue } from '../errors.js';
import { ALL_WEEKDAYS, fieldValues, formatCalendar, parseCalendar, type CalendarSpec } from './calendar.js';

/** One thing to run on a schedule. */
export interface ScheduledJob {
  /** Unit base name and cron comment label: "hotsnap-daily", "hotsnap-verify". */
  unit: string;
  kind: 'run' | 'verify';
  /** The profile a run backs up (undefined for verify, which covers every profile). */
  profile?: string;
  /** As written in the config ("daily", "Mon *-*-* 03:00"). */
  schedule: string;
  spec: CalendarSpec;
  /** hotsnap's arguments after `--config FILE`: ["run", "daily"] or ["verify"]. */
  args: string[];
}

/** What planScheduledJobs needs from the effective config. */
export interface ScheduleSource {
  file: string;
  profiles: readonly { name: string; schedule?: string }[];
  verify_schedule?: string;
}

/**
 * Given the effective config, returns its scheduled jobs in file order, verify last; throws a
 * ConfigError listing every schedule it cannot read. Example: a profile "daily" with no schedule
 * key → [{unit: "hotsnap-daily", args: ["run", "daily"], schedule: "daily", …}].
 */
export function planScheduledJobs(config: ScheduleSource): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  const issues: ConfigIssue[] = [];
  const parse = (text: string, path: string): CalendarSpec | undefined => {
    try {
      return parseCalendar(text);
    } catch (error) {
      issues.push({ path, message: (error as Error).message });
      return undefined;
    }
  };
  for (const profile of config.profiles) {
    if (profile.schedule === undefined) continue;
    const spec = parse(profile.schedule, `profiles.${profile.name}.schedule`);
    if (spec)
      jobs.push({
        unit: `hotsnap-${profile.name}`,
        kind: 'run',
        profile: profile.name,
        schedule: profile.schedule,
        spec,
        args: ['run', profile.name],
      });
  }
  if (config.verify_schedule !== undefined) {
    if (config.profiles.some((profile) => profile.name === 'verify')) {
      issues.push({
        path: 'profiles.verify',
        message:
          'a profile named "verify" would share the units hotsnap-verify.* with verify_schedule; rename the profile',
      });
    }
    const spec = parse(config.verify_schedule, 'verify_schedule');
    if (spec)
      jobs.push({ unit: 'hotsnap-verify', kind: 'verify', schedule: config.verify_schedule, spec, args: ['verify'] });
  }
  if (issues.length > 0) throw new ConfigError(config.file, issues);
  return jobs;
}

/**
 * Given a host and a job label, returns a minute 0–59 that is the same every time (FNV-1a), so
 * many hosts with the same config don't all call tarsnap at :00 and re-rendering is stable.
 * Example: scheduleMinute('web1', 'daily') → the same number on every call.
 */
export function scheduleMinute(hostname: string, label: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${hostname}\0${label}`)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 60;
}

/** The five fields of a crontab line. */
export interface CronFields {
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
}

/** Given sorted values and a field's range, returns cron text: "*", "*\/15", "1-5", "0,6". */
function cronField(values: readonly number[], min: number, max: number): string {
  if (values.length === max - min + 1) return '*';
  const step = values.length > 1 ? values[1]! - values[0]! : 0;
  const progression = values.every((value, index) => value === min + index * step);
  // "*/n" only when it reads better than the list (1,7 stays 1,7).
  if (step > 1 && progression && values.length >= 3 && values[values.length - 1]! + step > max) return `*/${step}`;
  const parts: string[] = [];
  for (let index = 0; index < values.length;) {
    let end = index;
    while (end + 1 < values.length && values[end + 1] === values[end]! + 1) end++;
    if (end - index >= 2) parts.push(`${values[index]}-${values[end]}`);
    else for (let at = index; at <= end; at++) parts.push(String(values[at]));
    index = end + 1;
  }
  return parts.join(',');
}

/**
 * Given a spec (and, for a shorthand, the minute to run at), returns its cron fields; throws an
 * Error saying why cron cannot express it. Example: parseCalendar('Mon,Thu 04:00') →
 * {minute: "0", hour: "4", dayOfMonth: "*", month: "*", dayOfWeek: "1,4"}.
 */
export function calendarToCron(spec: CalendarSpec, shorthandMinute?: number): CronFields {
  if (spec.timeZone !== undefined)
    throw new Error(`cron runs in the machine's time zone and cannot follow "${spec.timeZone}"`);
  if (spec.year !== undefined) throw new Error('cron has no year field');
  const seconds = fieldValues(spec.second, 0, 59);
  if (seconds.length !== 1 || seconds[0] !== 0) throw new Error('cron runs at whole minutes only (seconds must be 00)');
  const days = fieldValues(spec.day, 1, 31);
  // cron runs when EITHER day-of-month or weekday matches once both are restricted; OnCalendar needs both.
  if (days.length < 31 && spec.weekdays !== ALL_WEEKDAYS) {
    throw new Error('it restricts both the weekday and the day of the month, and cron would run when either matches');
  }
  const minutes =
    spec.shorthand !== undefined && spec.shorthand !== 'minutely' && shorthandMinute !== undefined
      ? [shorthandMinute]
      : fieldValues(spec.minute, 0, 59);
  // Monday is bit 0 in OnCalendar; cron counts 0 = Sunday … 6 = Saturday.
  const weekdays = [0, 1, 2, 3, 4, 5, 6].filter((cronDay) => spec.weekdays & (1 << ((cronDay + 6) % 7)));
  return {
    minute: cronField(minutes, 0, 59),
    hour: cronField(fieldValues(spec.hour, 0, 23), 0, 23),
    dayOfMonth: cronField(days, 1, 31),
    month: cronField(fieldValues(spec.month, 1, 12), 1, 12),
    dayOfWeek: cronField(weekdays, 0, 6),
  };
}

/** Given an argument, returns it quoted for /bin/sh when it needs to be: "it's" → 'it'\''s'. */
export function shellQuote(argument: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** Where things are, for renderCrontab. */
export interface CrontabOptions {
  hostname: string;
  /** Absolute path of node (process.execPath). */
  node: string;
  /** Absolute real path of bin/hotsnap.js. */
  script: string;
  /** Absolute path of the config file. */
  configFile: string;
  /** Absolute path hotsnap appends every line to (--log-file). */
  logFile: string;
  /** True when tarsnap.binary is a bare name: cron's PATH (/usr/bin:/bin) misses /usr/local/bin. */
  needsPath: boolean;
}

const CRON_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Given the jobs and where things are, returns crontab text (user crontab format, one line per
 * job with a comment above); throws a UsageError naming every job cron cannot express.
 * Example line: `37 0 * * * /usr/bin/node /opt/hotsnap/bin/hotsnap.js --config /etc/hotsnap/hotsnap.yaml
 * --log-file /var/log/hotsnap.log run daily`.
 */
export function renderCrontab(jobs: readonly ScheduledJob[], options: CrontabOptions): string {
  const problems: string[] = [];
  const lines = [
    `# hotsnap schedule for ${options.hostname}, written by "hotsnap schedule cron" from ${options.configFile}.`,
    '# Install with "crontab -e" (as the user that runs the backups). Times are in the cron daemon\'s',
    '# time zone. No flock needed: hotsnap takes its own lock and waits for a running backup.',
    `# Each run appends every line to ${options.logFile} and prints only warnings, errors and the`,
    '# summary of a failed run, so cron mails (MAILTO) exactly the runs that need a look. Rotate the',
    '# log with the snippet from "hotsnap schedule cron --logrotate".',
  ];
  for (const job of jobs) {
    let fields: CronFields;
    try {
      fields = calendarToCron(job.spec, scheduleMinute(options.hostname, job.profile ?? job.kind));
    } catch (error) {
      problems.push(
        `${job.kind === 'run' ? `profile ${job.profile}` : 'verify_schedule'}: "${job.schedule}" cannot be written as a cron line: ${(error as Error).message}`,
      );
      continue;
    }
    // No redirection: hotsnap writes the log itself, and whatever it (or node, crashing) prints is mail.
    const words = [
      options.node,
      options.script,
      '--config',
      options.configFile,
      '--log-file',
      options.logFile,
      ...job.args,
    ].map(shellQuote);
    const path = options.needsPath ? `PATH=${CRON_PATH} ` : '';
    // cron turns an unescaped % in the command into a newline.
    const command = `${path}${words.join(' ')}`.replaceAll('%', '\\%');
    const how =
      job.spec.shorthand && job.spec.shorthand !== 'minutely'
        ? `; minute ${fields.minute} chosen from the host name`
        : '';
    lines.push('', `# ${job.unit}: ${job.schedule} (${formatCalendar(job.spec)}${how})`);
    lines.push(`${fields.minute} ${fields.hour} ${fields.dayOfMonth} ${fields.month} ${fields.dayOfWeek} ${command}`);
  }
  if (problems.length > 0) {
    throw new UsageError(
      `${problems.join('\n')}\nuse "hotsnap schedule systemd" for these (systemd timers understand every OnCalendar expression), or change the schedule`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Given a path, throws a UsageError when a crontab or unit file could not hold it (a newline). */
export function assertPrintablePath(path: string, what: string): void {
  if (/[\n\r\0]/.test(path))
    throw new UsageError(
      `${what} ${JSON.stringify(path)} contains a line break; cron and systemd cannot run it from there`,
    );
}
