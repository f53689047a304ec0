/**
 * The commander program. The ONLY place that turns results and errors into exit codes.
 * Heavy modules (SQLite, execa, pino, zod) load lazily inside each action so `--help` stays fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, systemErrorAsUserError } from './errors.js';
import type { CommandResult } from './commands/result.js';
import type { Context, GlobalOptions } from './context.js';
import { VERSION as version } from './package-info.js';

const EXIT_CODES_HELP = `
Exit codes:
  0   all good
  1   a profile failed (backup, prune, restore or verify)
  2   usage or config error; nothing was attempted
  3   check found problems, or status found an overdue profile
  75  another hotsnap run holds the lock (try again later)`;

async function contextOf(command: Command): Promise<Context> {
  const { createContext } = await import('./context.js');
  return createContext(command.optsWithGlobals() as GlobalOptions);
}

function finish(result: CommandResult): void {
  if (result.stdout) process.stdout.write(result.stdout);
  process.exitCode = result.exitCode;
}

/** Given argv (without node and script), builds the program. Exported for tests of the wiring. */
export function buildProgram(): Command {
  const program = new Command('hotsnap')
    .description('Run tarsnap backups: hot copies of live SQLite databases, dated archives, retention.')
    .version(version, '-V, --version')
    .option(
      '-c, --config <file>',
      'config file (default: $HOTSNAP_CONFIG, /etc/hotsnap/hotsnap.yaml, ~/.config/hotsnap/hotsnap.yaml)',
    )
    .addOption(
      new Option('--log-format <format>', 'log lines on stderr: text (default) or json').choices(['text', 'json']),
    )
    .addOption(
      new Option('--log-level <level>', 'least severe log level shown (default info)').choices([
        'trace',
        'debug',
        'info',
        'warn',
        'error',
        'silent',
      ]),
    )
    .option('-q, --quiet', 'log warnings and errors only')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('copy-db')
    .description(
      'hot-copy one live SQLite database to DEST: consistent, verified and durable, without stopping the application (no config needed)',
    )
    .argument('<source>', 'the live database file')
    .argument(
      '<dest>',
      "the copy to create, or an existing directory to put it in; like cp -p it keeps SOURCE's owner, group and mode as far as this user may set them (all three as root)",
    )
    .option('--force', 'replace DEST if it exists')
    .addOption(
      new Option(
        '--verify <level>',
        'check the copy: quick = PRAGMA quick_check (default), full = integrity_check, none',
      ).choices(['quick', 'full', 'none']),
    )
    .addOption(
      new Option(
        '--method <method>',
        'auto (default): WAL → pinned read + cp, rollback → BEGIN IMMEDIATE + cp; fast; backup-api',
      ).choices(['auto', 'fast', 'backup-api']),
    )
    .option('--busy-timeout <duration>', "how long to wait for the application's locks (default 10s)")
    .option('--copy-timeout <duration>', 'give up after this long (default 30m)')
    .option('--json', 'print the manifest entry (size, pages, journal mode, sha256, timings) as JSON')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .action(
      async (source: string, dest: string, options: Record<string, string | boolean | undefined>, command: Command) => {
        const { copyDb } = await import('./commands/copy-db.js');
        const context = await contextOf(command);
        finish(await copyDb({ ...options, source, dest }, { logger: context.logger }));
      },
    );

  program
    .command('run')
    .description(
      'back up each profile (all when none named): hot-copy its databases, create a dated archive, then prune it',
    )
    .argument('[profile...]', 'profiles to run (default: all)')
    .option('-n, --dry-run', 'stage and verify the copies and run tarsnap -c --dry-run; store and delete nothing')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--wait <duration>', 'how long to wait for another hotsnap run holding the lock, e.g. 30m (default 2h)')
    .option('--no-prune', 'do not prune after the backup')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .action(
      async (
        profiles: string[],
        options: { dryRun?: boolean; json?: boolean; wait?: string; prune?: boolean; progress?: boolean },
        command: Command,
      ) => {
        const { runBackups } = await import('./commands/run.js');
        finish(await runBackups(await contextOf(command), profiles, options));
      },
    );

  program
    .command('list')
    .description(
      "list archives, grouped by profile (names parsed with each profile's archive_name), .part archives flagged",
    )
    .argument('[profile...]', 'only these profiles (default: all, plus archives of no profile)')
    .option('--json', 'print [{name, profile, time, partial, incomplete}] sorted by time')
    .action(async (profiles: string[], options: { json?: boolean }, command: Command) => {
      const { listCommand } = await import('./commands/list.js');
      finish(await listCommand(await contextOf(command), profiles, options));
    });

  program
    .command('prune')
    .description(
      'delete archives the retention policy no longer keeps (restic forget semantics), in one tarsnap -d call',
    )
    .argument('[profile...]', 'profiles to prune (default: all)')
    .option('-n, --dry-run', 'print the plan (kept archives with their reasons, removed ones) and delete nothing')
    .option('--json', 'print {profiles: [{profile, keep: [{name, time, reasons}], remove: [{name, time}]}]}')
    .option(
      '--max-delete <count>',
      'refuse a plan deleting more archives than this (default: max_delete, 50% of the profile)',
    )
    .option('--force', 'carry out a plan even when it deletes more than max_delete')
    .option('--wait <duration>', 'how long to wait for another hotsnap run holding the lock (default 2h)')
    .action(
      async (
        profiles: string[],
        options: { dryRun?: boolean; json?: boolean; maxDelete?: string; force?: boolean; wait?: string },
        command: Command,
      ) => {
        const { pruneCommand } = await import('./commands/prune.js');
        finish(await pruneCommand(await contextOf(command), profiles, options));
      },
    );

  program
    .command('check')
    .description(
      'check the set-up without changing anything: config, tarsnap binary, key file (mode, which keys), cachedir, databases (journal mode, writer pause), paths, staging space, state_dir, hooks',
    )
    .argument('[profile...]', 'profiles to check (default: all)')
    .option('--json', 'print [{check, status: ok|warn|problem, message, fix?}]')
    .addHelpText(
      'after',
      '\nExit 0 when there are no problems (warnings are printed but pass), 3 when a problem would make\n"hotsnap run" fail or exposes the key, 2 when the config itself is invalid.',
    )
    .action(async (profiles: string[], options: { json?: boolean }, command: Command) => {
      const { checkCommand } = await import('./commands/check.js');
      finish(await checkCommand(await contextOf(command), profiles, options));
    });

  program
    .command('restore')
    .description(
      "extract an archive (or the named PATHs) into DIR, then check every restored database against the archive's manifest (SHA-256, integrity_check)",
    )
    .argument('<archive>', 'an archive name, latest (newest complete archive of any profile) or latest:PROFILE')
    .argument(
      '[path...]',
      'only these members, as absolute paths (/srv/ghost) or member names (srv/ghost); default: everything',
    )
    .option(
      '--to <dir>',
      'existing directory to restore into (required; --to / puts files back over the live ones: stop the applications first)',
    )
    .option(
      '--force',
      'with --to /: restore even over a database that looks in use (its -shm exists: the application may be running); without it hotsnap refuses, exit 1',
    )
    .option(
      '--json',
      'print {archive, target, files, manifest, databases: [{source, status, sha256, …}], warnings, ok}',
    )
    .action(
      async (
        archive: string,
        paths: string[],
        options: { to?: string; json?: boolean; force?: boolean },
        command: Command,
      ) => {
        const { restoreCommand } = await import('./commands/restore.js');
        finish(await restoreCommand(await contextOf(command), archive, paths, options));
      },
    );

  program
    .command('verify')
    .description(
      "restore drill: restore each profile's newest complete archive into a private directory under staging_dir, check its databases (SHA-256, integrity_check) and paths, record the result",
    )
    .argument('[profile...]', 'profiles to verify (default: all)')
    .option('--json', 'print {profiles: [{profile, status, archive, databases, missing_paths, error}]}')
    .action(async (profiles: string[], options: { json?: boolean }, command: Command) => {
      const { verifyCommand } = await import('./commands/verify.js');
      finish(await verifyCommand(await contextOf(command), profiles, options));
    });

  program
    .command('init')
    .description(
      'write a commented starter config (keyfile and cachedir from ~/.tarsnaprc), or convert a tarsnapper config',
    )
    .option(
      '--from-tarsnapper <file>',
      'convert this tarsnapper YAML config (jobs → profiles); what could not be converted is listed on stderr and atop the file',
    )
    .option(
      '-o, --output <file>',
      'where to write, - for stdout (default: --config, $HOTSNAP_CONFIG, /etc/hotsnap/hotsnap.yaml as root, else ~/.config/hotsnap/hotsnap.yaml)',
    )
    .option('--force', 'replace an existing file')
    .action(async (options: { fromTarsnapper?: string; output?: string; force?: boolean }, command: Command) => {
      const { initCommand } = await import('./commands/init.js');
      const context = await contextOf(command);
      finish(await initCommand(options, { logger: context.logger, configFlag: context.configFlag }));
    });

  const schedule = program
    .command('schedule')
    .description(
      "render what runs hotsnap on time from each profile's schedule (and verify_schedule): crontab lines or systemd timers",
    );
  schedule
    .command('cron')
    .description(
      'print crontab lines: absolute paths, --config, output appended to a log, a stable per-host minute for hourly/daily/weekly/monthly (no flock: hotsnap locks itself)',
    )
    .option(
      '--log <file>',
      "append each run's output here (default /var/log/hotsnap.log as root, else state_dir/hotsnap.log)",
    )
    .addHelpText(
      'after',
      '\nInstall the lines with "crontab -e". An OnCalendar expression cron cannot express (a weekday and a\nday of the month together, seconds, years, a time zone) is an error: use "hotsnap schedule systemd".',
    )
    .action(async (options: { log?: string }, command: Command) => {
      const { scheduleCron } = await import('./commands/schedule.js');
      finish(await scheduleCron(await contextOf(command), options));
    });
  schedule
    .command('systemd')
    .description(
      'a oneshot hotsnap-<profile>.service and a .timer per scheduled profile (Persistent, randomised delay, sandboxed), plus hotsnap-verify with verify_schedule; printed unless --dir or --install',
    )
    .option(
      '--install',
      'place the units (/etc/systemd/system as root, ~/.config/systemd/user with --user, or --dir), then run systemctl daemon-reload and systemctl enable --now on the timers',
    )
    .option(
      '--user',
      'units for the user\'s own systemd (systemctl --user); they run while the user is logged in, unless "loginctl enable-linger"',
    )
    .option('--dir <dir>', 'write the unit files into this directory')
    .addHelpText(
      'after',
      `
--install runs, after writing the files:
  systemctl [--user] daemon-reload
  systemctl [--user] enable --now hotsnap-<profile>.timer …
Then: systemctl [--user] list-timers 'hotsnap-*'; logs: journalctl [--user] -u hotsnap-<profile>.
Units of profiles no longer in the config are reported, not removed.`,
    )
    .action(async (options: { install?: boolean; user?: boolean; dir?: string }, command: Command) => {
      const { scheduleSystemd } = await import('./commands/schedule.js');
      finish(await scheduleSystemd(await contextOf(command), options));
    });

  program
    .command('status')
    .description(
      "each profile's last run, last success, age, last verify and whether it is overdue for its schedule (reads the state files; no tarsnap call)",
    )
    .argument('[profile...]', 'only these profiles (default: all)')
    .option(
      '--json',
      'print {now, ok, verify_schedule, profiles: [{profile, schedule, state, last_attempt, last_success, age_seconds, next_due, deadline, verify, problems}]}',
    )
    .addHelpText(
      'after',
      `
Exit 0 when every scheduled profile is on time; 3 when one is overdue (no success by the run its
schedule set after the last success, plus a grace of max(1h, 25% of the interval)), has never
succeeded, or - with verify_schedule - its last verify failed, is overdue or never ran.
Usable as a monitoring check (Nagios-style; note Nagios reads 3 as UNKNOWN, map it if needed).`,
    )
    .action(async (profiles: string[], options: { json?: boolean }, command: Command) => {
      const { statusCommand } = await import('./commands/status.js');
      finish(await statusCommand(await contextOf(command), profiles, options));
    });

  const config = program.command('config').description('check and show the config file');
  config
    .command('validate')
    .description('check the config file; exit 0 when valid, 2 listing every problem when not')
    .action(async (_options, command: Command) => {
      const { validateConfig } = await import('./commands/config.js');
      finish(await validateConfig(await contextOf(command)));
    });
  config
    .command('show')
    .description('print the effective config (defaults merged into each profile)')
    .argument('[profile...]', 'only these profiles')
    .option('--json', 'print JSON instead of YAML')
    .action(async (profiles: string[], options: { json?: boolean }, command: Command) => {
      const { showConfig } = await import('./commands/config.js');
      finish(await showConfig(await contextOf(command), profiles, options));
    });
  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editor completion and checks)')
    .action(async () => {
      const { printConfigSchema } = await import('./commands/config.js');
      finish(printConfigSchema());
    });

  return program;
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every parse error is a usage error.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  // A full disk or a permission is the operator's to fix, never "a bug in hotsnap".
  const expected = systemErrorAsUserError(error);
  if (expected) {
    process.stderr.write(`hotsnap: ${expected.message}\n`);
    return expected.exitCode;
  }
  process.stderr.write(
    `hotsnap: internal error (this is a bug in hotsnap; please report it with the text below${(process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled ? '' : ', after running again with NODE_OPTIONS=--enable-source-maps for source line numbers'})\n`,
  );
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}

/** Given argv (without node and script), runs hotsnap; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    return reportError(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
