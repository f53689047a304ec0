/**
 * The text of hotsnap's systemd units: per scheduled job a oneshot `.service` and a `.timer`.
 *
 * System units are sandboxed so hotsnap can read everything (it backs up arbitrary paths) but
 * write only where it must: state_dir (state, run lock), the tarsnap cachedir, staging_dir, the
 * metrics file's directory and the directories its sources write (SQLite's: reading a WAL database
 * writes its -shm; a rollback database is copied under BEGIN IMMEDIATE, a write lock). Git
 * repositories need reading only, but a hard link cannot cross the bind mount systemd makes of
 * each ReadWritePaths entry (link(2) gives EXDEV), so their objects are copied into the kept snapshot
 * once and linked from it after; the unit says so.
 * User units (--user) get no mount namespacing: it needs unprivileged user namespaces, which many
 * kernels disable, and the user's own permissions already bound what hotsnap can touch.
 */
import { dirname } from 'node:path/posix';
import type { CalendarSpec } from './calendar.js';
import { shortestInterval } from './calendar-elapse.js';
import type { ScheduledJob } from './schedule.js';
import { FAILURE_UNIT, renderFailureUnit } from './systemd-failure.js';

/** A unit file to write: its name and text. */
export interface UnitFile {
  /** "hotsnap-daily.service" */
  name: string;
  text: string;
}

/** What one profile's run reaches besides hotsnap's own directories. */
export interface SandboxProfile {
  name: string;
  /** Live paths it reads (only decides whether /tmp and /var/tmp must stay visible). */
  read: readonly string[];
  /** Directories it writes (a SQLite database's, for its -shm and locks). */
  write: readonly string[];
  /** Live paths whose files it hard-links into staging_dir when it can (Git repositories). */
  link?: readonly string[];
}

/** Where things are, from the effective config and the running node. */
export interface UnitOptions {
  node: string;
  script: string;
  configFile: string;
  /** Render user units (systemctl --user). */
  user: boolean;
  stateDir: string;
  cacheDir: string;
  stagingDir: string;
  metricsFile?: string;
  /** Per profile: what its sandboxed run must reach (from its sources and `paths`). */
  profiles: readonly SandboxProfile[];
  /** An instant to sample the schedule's spacing from (ms), for RandomizedDelaySec. */
  reference: number;
  /** Zone for that sampling when a schedule names none. */
  timeZone: string;
}

const HOUR_MS = 3_600_000;
const TEMP_DIRS = ['/tmp', '/var/tmp'];

/** Given an argument, returns it escaped for an ExecStart= line: % → %%, $ → $$, quoted when needed. */
export function systemdQuote(argument: string): string {
  const escaped = argument.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (/^[A-Za-z0-9_@%$+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent === '/' ? '/' : `${parent}/`);
}

/** Given two absolute paths, returns the deepest directory holding both; e.g. ('/srv/git', '/srv/stage') → '/srv'. */
export function commonDirectory(a: string, b: string): string {
  const left = a.split('/').filter(Boolean);
  const right = b.split('/').filter(Boolean);
  let shared = 0;
  while (shared < left.length && shared < right.length && left[shared] === right[shared]) shared++;
  return `/${left.slice(0, shared).join('/')}`;
}

/** Given the linked paths of a job and staging_dir, returns comment lines saying they are copied and how to link. */
function linkNote(linked: readonly string[], stagingDir: string, unit: string): string[] {
  if (linked.length === 0) return [];
  const common = outermost(linked.map((path) => commonDirectory(path, stagingDir)));
  const dropIn = common.includes('/')
    ? [
        '# first run; uses space), then linked from it. To hard-link them, set staging_dir beside them on',
        '# their file system and let the run write the directory holding both (it can then write the',
        '# repositories too):',
        `#   systemctl edit ${unit}.service, then add: [Service] ReadWritePaths=/that/dir`,
      ]
    : [
        '# first run; uses space), then linked from it. To hard-link them, let the run write a directory',
        '# holding staging_dir and them (it can then write the repositories too): systemctl edit',
        `# ${unit}.service, then add:`,
        `#   [Service] ReadWritePaths=${common.map(systemdQuote).join(' ')}`,
      ];
  return [
    `# Git repositories (${linked.join(', ')}): staging_dir is a mount of its own in this sandbox and`,
    '# a hard link cannot cross mounts, so their objects are copied into the kept snapshot once (a slow',
    ...dropIn,
  ];
}

/** Given paths, returns them sorted without duplicates and without those inside another. */
function outermost(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  return sorted.filter((path) => !sorted.some((other) => other !== path && isWithin(path, other)));
}

/** Given a spec, returns RandomizedDelaySec in seconds: a quarter of its shortest gap, at most 1 hour. */
export function randomizedDelaySeconds(spec: CalendarSpec, reference: number, timeZone: string): number {
  const interval = shortestInterval(spec, reference, timeZone) ?? HOUR_MS * 4;
  return Math.floor(Math.min(HOUR_MS, interval / 4) / 1000);
}

function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}min`;
  return `${seconds}s`;
}

function header(options: UnitOptions): string {
  return [
    `# Written by "hotsnap schedule systemd${options.user ? ' --user' : ''}" from ${options.configFile}.`,
    '# Run it again after changing the config; put local changes in a drop-in (systemctl edit).',
  ].join('\n');
}

/** The sandbox lines of a system service for one job. */
function hardening(job: ScheduledJob, options: UnitOptions): string[] {
  const own = job.kind === 'run' ? options.profiles.filter((profile) => profile.name === job.profile) : [];
  const sourceDirs = own.flatMap((profile) => profile.write);
  const created = [options.stateDir, options.cacheDir, options.stagingDir];
  const writable = [...created, ...(options.metricsFile ? [dirname(options.metricsFile)] : []), ...sourceDirs];
  const linked = own.flatMap((profile) => profile.link ?? []);
  const read = own.flatMap((profile) => [...profile.read, ...linked]);
  // PrivateTmp hides the real /tmp and /var/tmp: only when hotsnap needs nothing there.
  const usesTemp = [...writable, ...read].some((path) => TEMP_DIRS.some((temp) => isWithin(path, temp)));
  const writablePaths = outermost(usesTemp ? [...writable, ...TEMP_DIRS] : writable);
  const toCreate = outermost(created).filter((path) => !TEMP_DIRS.includes(path));
  return [
    '# hotsnap reads everything it backs up but writes only below these paths (its state, the',
    '# tarsnap cache, staging, metrics, and the directories of hot-copied SQLite databases, whose',
    '# -shm and locks SQLite writes). A hook that writes elsewhere needs a drop-in:',
    `#   systemctl edit ${job.unit}.service, then add: [Service] ReadWritePaths=/that/dir`,
    ...linkNote(linked, options.stagingDir, job.unit),
    // "+": runs outside the sandbox, so a first run can create them; "-": a missing path is no error.
    ...(toCreate.length > 0 ? [`ExecStartPre=+/bin/mkdir -p -m 0700 ${toCreate.map(systemdQuote).join(' ')}`] : []),
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    `ReadWritePaths=${writablePaths.map((path) => systemdQuote(TEMP_DIRS.includes(path) ? path : `-${path}`)).join(' ')}`,
    ...(usesTemp ? [] : ['PrivateTmp=yes']),
    'PrivateDevices=yes',
    'NoNewPrivileges=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictRealtime=yes',
    'LockPersonality=yes',
    "# Not set: MemoryDenyWriteExecute (node's JIT needs W+X pages), SystemCallFilter and",
    '# RestrictAddressFamilies (hooks run arbitrary commands), RestrictSUIDSGID (verify restores',
    '# file modes as archived), UMask (the metrics file must stay readable by node_exporter).',
  ];
}

/** Given a job and the options, returns its oneshot .service text. */
export function renderService(job: ScheduledJob, options: UnitOptions): string {
  const what = job.kind === 'run' ? `backup of profile ${job.profile}` : 'restore drill (verify)';
  const command = [options.node, options.script, '--config', options.configFile, ...job.args]
    .map(systemdQuote)
    .join(' ');
  const lines = [
    header(options),
    '[Unit]',
    `Description=hotsnap ${what}`,
    // tarsnap needs the network; user managers have no network-online.target.
    ...(options.user ? [] : ['Wants=network-online.target', 'After=network-online.target']),
    '# To be mailed when this fails, add in a drop-in (systemctl edit): [Unit] OnFailure=hotsnap-failure@%n.service',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${command}`,
    `SyslogIdentifier=${job.unit}`,
    // No TimeoutStartSec: a first upload can take days; status reports a run that never ends.
    '# Gentle on the host: lowest CPU priority, lowest best-effort I/O priority. Not the idle I/O',
    '# class, which can starve while the application keeps the disk busy, and a hot copy pins',
    "# the database's WAL (which then grows) for as long as the copy takes.",
    'Nice=19',
    'CPUSchedulingPolicy=batch',
    'IOSchedulingClass=best-effort',
    'IOSchedulingPriority=7',
    ...(options.user ? ['NoNewPrivileges=yes'] : hardening(job, options)),
  ];
  return `${lines.join('\n')}\n`;
}

/** Given a job and the options, returns its .timer text. */
export function renderTimer(job: ScheduledJob, options: UnitOptions): string {
  const delay = randomizedDelaySeconds(job.spec, options.reference, options.timeZone);
  const lines = [
    header(options),
    '[Unit]',
    `Description=hotsnap ${job.kind === 'run' ? `backup of profile ${job.profile}` : 'restore drill (verify)'}: ${job.schedule}`,
    '',
    '[Timer]',
    `OnCalendar=${job.schedule}`,
    '# Run at boot when the machine was off at the scheduled time.',
    'Persistent=true',
    '# Spread hosts sharing a schedule over a window; the delay is fixed per host and timer.',
    `RandomizedDelaySec=${formatSeconds(delay)}`,
    'FixedRandomDelay=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
  ];
  return `${lines.join('\n')}\n`;
}

/** Given the jobs, returns their unit files: service then timer per job, in order, then the failure-mail template. */
export function renderUnits(jobs: readonly ScheduledJob[], options: UnitOptions): UnitFile[] {
  return [
    ...jobs.flatMap((job) => [
      { name: `${job.unit}.service`, text: renderService(job, options) },
      { name: `${job.unit}.timer`, text: renderTimer(job, options) },
    ]),
    { name: FAILURE_UNIT, text: renderFailureUnit(options.user, header(options)) },
  ];
}
