/**
 * `hotsnap schedule cron` and `hotsnap schedule systemd [--install] [--user] [--dir DIR]`: what
 * runs hotsnap on time, rendered from the config's schedules (core/schedule, core/systemd-units),
 * then printed, written into a directory, or installed and enabled.
 */
import { PACKAGE_ROOT } from '../package-info.js';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { machineTimeZone } from '../config/read.js';
import type { Config, Profile } from '../config/resolve.js';
import type { Context } from '../context.js';
import { ExitCode, UsageError, UserError } from '../errors.js';
import { now } from '../clock.js';
import {
  assertPrintablePath,
  planScheduledJobs,
  renderCrontab,
  shellQuote,
  type ScheduledJob,
} from '../core/schedule.js';
import { renderUnits, type SandboxProfile, type UnitOptions } from '../core/systemd-units.js';
import { existingTimers, runSystemctl, systemdAbsence, writeUnitFiles, type Systemctl } from '../adapters/systemd.js';
import { renderLogrotate } from '../core/logrotate.js';
import { defaultUnitDir, enableElsewhereLines, unitSearchPaths } from '../core/systemd-paths.js';
import { failureMailLines } from '../core/systemd-failure.js';
import { SOURCES } from '../sources/index.js';
import type { CommandResult } from './result.js';

/** What the schedule commands take from the machine; tests pass their own. */
export interface ScheduleDeps {
  /** Absolute path of node. */
  node: string;
  /** Absolute real path of bin/hotsnap.js. */
  script: string;
  uid: number;
  home: string;
  now: () => number;
  /** The machine's zone, for sampling schedules that name none. */
  timeZone: string;
  systemctl: Systemctl;
  /** Why systemd cannot take units here (user units when true), or undefined when it can. */
  systemdAbsence: (user: boolean) => string | undefined;
  /** $XDG_RUNTIME_DIR, where a user manager also reads units. */
  runtimeDir?: string;
}

/** Returns the real machine: this node, this package's bin/hotsnap.js, the current user. */
export function defaultScheduleDeps(): ScheduleDeps {
  // src/commands and dist/commands are both two levels below the package root.
  const script = `${PACKAGE_ROOT}bin/hotsnap.js`;
  let real = script;
  try {
    real = realpathSync(script);
  } catch {
    // Not built or not installed: keep the path as computed; it is still absolute.
  }
  return {
    node: process.execPath,
    script: real,
    uid: typeof process.getuid === 'function' ? process.getuid() : -1,
    home: homedir(),
    now: () => now().getTime(),
    timeZone: machineTimeZone(),
    systemctl: runSystemctl,
    systemdAbsence: (user) => systemdAbsence(user, typeof process.getuid === 'function' ? process.getuid() : -1),
    ...(process.env.XDG_RUNTIME_DIR ? { runtimeDir: process.env.XDG_RUNTIME_DIR } : {}),
  };
}

/** Given a profile, returns what its sandboxed run reaches: its sources' live paths and `paths`. */
export function sandboxProfile(profile: Profile): SandboxProfile {
  return {
    name: profile.name,
    read: [...SOURCES.flatMap((source) => source.sandboxReadPaths(profile)), ...profile.paths],
    // SQLite writes a WAL database's -shm and takes a rollback database's write lock beside it.
    write: profile.sqlite.map((database) => dirname(database)),
    link: SOURCES.flatMap((source) => source.sandboxLinkPaths?.(profile) ?? []),
  };
}

function scheduledJobs(config: Config): ScheduledJob[] {
  const jobs = planScheduledJobs(config);
  if (jobs.length === 0) {
    throw new UsageError(
      `nothing is scheduled in ${config.file}: add "schedule: daily" (or an OnCalendar expression) to a profile, name a profile hourly, daily, weekly or monthly, or set verify_schedule`,
    );
  }
  return jobs;
}

function locations(config: Config, deps: ScheduleDeps): { configFile: string } {
  const configFile = resolve(config.file);
  for (const [path, what] of [
    [deps.node, 'node'],
    [deps.script, 'hotsnap'],
    [configFile, 'the config file'],
  ] as const)
    assertPrintablePath(path, what);
  return { configFile };
}

/**
 * Given the context and options, returns crontab lines for every scheduled job (exit 0), or with
 * --logrotate the logrotate snippet for their log; a schedule cron cannot express is a UsageError
 * naming it. Example: `hotsnap schedule cron --log /var/log/hotsnap.log`.
 */
export async function scheduleCron(
  context: Pick<Context, 'loadConfig'>,
  options: { log?: string; logrotate?: boolean },
  deps: ScheduleDeps = defaultScheduleDeps(),
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const jobs = scheduledJobs(config);
  const { configFile } = locations(config, deps);
  // /var/log is root's; anyone else appends next to their state.
  const logFile = resolve(
    options.log ?? (deps.uid === 0 ? '/var/log/hotsnap.log' : join(config.state_dir, 'hotsnap.log')),
  );
  assertPrintablePath(logFile, '--log');
  if (options.logrotate) {
    const stateFile = join(config.state_dir, 'logrotate.state');
    return { exitCode: ExitCode.ok, stdout: renderLogrotate({ logFile, root: deps.uid === 0, stateFile }) };
  }
  const stdout = renderCrontab(jobs, {
    hostname: config.hostname,
    node: deps.node,
    script: deps.script,
    configFile,
    logFile,
    needsPath: !config.tarsnap.binary.includes('/'),
  });
  return { exitCode: ExitCode.ok, stdout };
}

/** The flags of `hotsnap schedule systemd`. */
export interface ScheduleSystemdOptions {
  install?: boolean;
  user?: boolean;
  dir?: string;
}

/**
 * Given the context and options, renders a .service and a .timer per scheduled job; prints them,
 * writes them into --dir, or with --install places them (/etc/systemd/system, or
 * ~/.config/systemd/user with --user), runs `systemctl [--user] daemon-reload` and
 * `systemctl [--user] enable --now <timers>`. Example: scheduleSystemd(context, {dir: '/tmp/units'}).
 */
export async function scheduleSystemd(
  context: Pick<Context, 'loadConfig'>,
  options: ScheduleSystemdOptions,
  deps: ScheduleDeps = defaultScheduleDeps(),
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const jobs = scheduledJobs(config);
  const { configFile } = locations(config, deps);
  const user = options.user === true;
  const unitOptions: UnitOptions = {
    node: deps.node,
    script: deps.script,
    configFile,
    user,
    stateDir: config.state_dir,
    cacheDir: config.tarsnap.cachedir,
    stagingDir: config.staging_dir,
    ...(config.metrics_file ? { metricsFile: config.metrics_file } : {}),
    profiles: config.profiles.map(sandboxProfile),
    reference: deps.now(),
    timeZone: deps.timeZone,
  };
  for (const path of [
    config.state_dir,
    config.tarsnap.cachedir,
    config.staging_dir,
    config.metrics_file ?? '',
    ...config.profiles.flatMap((p) => [...p.sqlite, ...p.git]),
  ]) {
    assertPrintablePath(path, 'path');
  }
  const files = renderUnits(jobs, unitOptions);

  if (options.install && !user && options.dir === undefined && deps.uid !== 0) {
    throw new UsageError(
      'installing system units into /etc/systemd/system needs root: run it as root, or add --user for units of your own user',
    );
  }
  // Before anything is written: units systemd never reads would look installed and never run.
  const absent = options.install ? deps.systemdAbsence(user) : undefined;
  if (absent !== undefined) {
    throw new UsageError(
      `cannot install systemd units: ${absent}; nothing was written. Use "hotsnap schedule cron" (and crontab -e) on this machine, or "hotsnap schedule systemd --dir DIR" to write units for another one`,
    );
  }
  const dir =
    options.dir !== undefined ? resolve(options.dir) : options.install ? defaultUnitDir(user, deps.home) : undefined;
  if (dir === undefined) {
    return { exitCode: ExitCode.ok, stdout: files.map((file) => `# ---- ${file.name} ----\n${file.text}`).join('\n') };
  }

  const systemctl = user ? 'systemctl --user' : 'systemctl';
  const userFlag = user ? ['--user'] : [];
  const timers = files.filter((file) => file.name.endsWith('.timer')).map((file) => file.name);
  const stale = existingTimers(dir).filter((name) => !timers.includes(name));
  const written = writeUnitFiles(dir, files);
  const lines = written.map((path) => `wrote ${path}`);
  const inUnitPath = unitSearchPaths(user, deps.home, deps.runtimeDir).includes(dir);
  if (options.install) {
    const steps = [
      // systemd reads only its own directories: `link` makes it read these files where they are.
      ...(inUnitPath ? [] : [[...userFlag, 'link', ...written]]),
      [...userFlag, 'daemon-reload'],
      [...userFlag, 'enable', '--now', ...timers],
    ];
    for (const step of steps) {
      try {
        await deps.systemctl(step);
      } catch (error) {
        throw new UserError(
          `${(error as Error).message}\nthe unit files are written in ${dir}; once systemctl works, run this again (or remove them: rm ${written.map(shellQuote).join(' ')})`,
        );
      }
      lines.push(`ran systemctl ${step.join(' ')}`);
    }
    lines.push(`check with: ${systemctl} list-timers 'hotsnap-*'`);
    if (user) lines.push('user timers run only while you are logged in, unless you run: loginctl enable-linger');
  } else if (inUnitPath) {
    lines.push(`to enable: ${systemctl} daemon-reload && ${systemctl} enable --now ${timers.join(' ')}`);
  } else {
    lines.push(...enableElsewhereLines(dir, written, timers, user, deps.home));
  }
  lines.push(...failureMailLines(user));
  for (const name of stale) {
    const base = name.slice(0, -'.timer'.length);
    lines.push(
      `note: ${name} is not in the config any more; remove it with: ${systemctl} disable --now ${name} && rm ${join(dir, `${base}.timer`)} ${join(dir, `${base}.service`)}`,
    );
  }
  return { exitCode: ExitCode.ok, stdout: `${lines.join('\n')}\n` };
}
