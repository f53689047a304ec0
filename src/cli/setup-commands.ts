/** The commands that set hotsnap up and watch it, in help order: init, schedule, status, config. */
import type { Command } from 'commander';
import { contextOf, finish, optionsAction, profilesAction } from './actions.js';
import { UsageError } from '../errors.js';

/** Given the program, adds the set-up and monitoring commands to it. */
export function addSetupCommands(program: Command): void {
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
      const { initCommand } = await import('../commands/init.js');
      const context = await contextOf(command);
      finish(await initCommand(options, { logger: context.logger, configFlag: context.configFlag }));
    });

  const schedule = program
    .command('schedule')
    .description(
      "render what runs hotsnap on time from each profile's schedule (and verify_schedule): crontab lines or systemd timers",
    )
    // Alone (or with a typo) it names the two subcommands instead of printing help and exit 1.
    .usage('cron|systemd [options]')
    .argument('[subcommand]')
    .action((subcommand: string | undefined) => {
      throw new UsageError(
        `${subcommand === undefined ? '"hotsnap schedule" needs a subcommand' : `"hotsnap schedule" has no subcommand "${subcommand}"`}: cron (print crontab lines) or systemd (timers; --install to enable them), e.g. hotsnap schedule cron; see hotsnap schedule --help`,
      );
    });
  schedule
    .command('cron')
    .description(
      'print crontab lines: absolute paths, --config, --log-file, a stable per-host minute for hourly/daily/weekly/monthly (no flock: hotsnap locks itself)',
    )
    .option(
      '--log <file>',
      'the log each run appends every line to (default /var/log/hotsnap.log as root, else state_dir/hotsnap.log)',
    )
    .option('--logrotate', 'print a logrotate snippet for that log instead (root: > /etc/logrotate.d/hotsnap)')
    .addHelpText(
      'after',
      `
Install the lines with "crontab -e". Each run appends every line to the log itself (--log-file) and
prints only warnings, errors and the summary of a failed run: cron mails that output (set MAILTO),
so a good run sends no mail. An OnCalendar expression cron cannot express (a weekday and a day of
the month together, seconds, years, a time zone) is an error: use "hotsnap schedule systemd".`,
    )
    .action(optionsAction(async () => (await import('../commands/schedule.js')).scheduleCron));
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
--install first checks that systemd runs here (exit 2, nothing written, when not), then writes the
files and runs:
  systemctl [--user] link <files>     (only with a --dir systemd does not read units from)
  systemctl [--user] daemon-reload
  systemctl [--user] enable --now hotsnap-<profile>.timer …
Then: systemctl [--user] list-timers 'hotsnap-*'; logs: journalctl [--user] -u hotsnap-<profile>.
Failure mail: hotsnap-failure@.service mails a failed run's status once a drop-in adds
"[Unit] OnFailure=hotsnap-failure@%n.service" (systemctl edit hotsnap-<profile>.service).
Units of profiles no longer in the config are reported, not removed.`,
    )
    .action(optionsAction(async () => (await import('../commands/schedule.js')).scheduleSystemd));

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
    .action(profilesAction(async () => (await import('../commands/status.js')).statusCommand));

  const config = program.command('config').description('check and show the config file');
  config
    .command('validate')
    .description('check the config file; exit 0 when valid, 2 listing every problem when not')
    .action(async (_options, command: Command) => {
      const { validateConfig } = await import('../commands/config.js');
      finish(await validateConfig(await contextOf(command)));
    });
  config
    .command('show')
    .description('print the effective config (defaults merged into each profile)')
    .argument('[profile...]', 'only these profiles')
    .option('--json', 'print JSON instead of YAML')
    .action(profilesAction(async () => (await import('../commands/config.js')).showConfig));
  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editor completion and checks)')
    .action(async () => {
      const { printConfigSchema } = await import('../commands/config.js');
      finish(printConfigSchema());
    });
}
