/** The commands around backups, in help order: copy-db, run, list, prune, check, restore, verify. */
import { Option, type Command } from 'commander';
import { contextOf, finish, profilesAction } from './actions.js';

/** Given the program, adds the backup commands to it. */
export function addBackupCommands(program: Command): void {
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
        const { copyDb } = await import('../commands/copy-db.js');
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
    .action(profilesAction(async () => (await import('../commands/run.js')).runBackups));

  program
    .command('list')
    .description(
      "list archives, grouped by profile (names parsed with each profile's archive_name), .part archives flagged",
    )
    .argument('[profile...]', 'only these profiles (default: all, plus archives of no profile)')
    .option('--last <count>', 'only the newest COUNT archives of each profile (and of no profile)')
    .option(
      '-v, --verbose',
      "each archive's sizes: total, compressed, unique (what deleting it frees); one more tarsnap call, --print-stats -f '*', which reads every archive's metadata",
    )
    .option(
      '--json',
      'print [{name, profile, time, partial, incomplete}] sorted by time; with -v also total_bytes, compressed_bytes, unique_bytes, unique_compressed_bytes',
    )
    .action(profilesAction(async () => (await import('../commands/list.js')).listCommand));

  program
    .command('ls')
    .description(
      "list what one archive holds: each member's type and mode, owner, size and modification time (UTC), from one tarsnap -t -v call",
    )
    .argument('<archive>', 'an archive name, latest (newest complete archive of any profile) or latest:PROFILE')
    .argument(
      '[path...]',
      'only these members and what lies below them, as absolute paths (/srv/ghost) or member names (srv/ghost)',
    )
    .option('--json', 'print [{path, member, type, size, mode, permissions, owner, group, mtime, target?}]')
    .action(async (archive: string, paths: string[], options: { json?: boolean }, command: Command) => {
      const { lsCommand } = await import('../commands/ls.js');
      finish(await lsCommand(await contextOf(command), archive, paths, options));
    });

  program
    .command('stats')
    .description(
      "stored bytes (total, compressed, unique) and the monthly storage cost, for the account and per profile, from one tarsnap --print-stats -f '*' call",
    )
    .argument('[profile...]', 'only these profiles (default: all, plus archives of no profile)')
    .option('--json', 'print {account, profiles: [{profile, archives, total_bytes, …}], other, prices}')
    .action(profilesAction(async () => (await import('../commands/stats.js')).statsCommand));

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
    .action(profilesAction(async () => (await import('../commands/prune.js')).pruneCommand));

  program
    .command('check')
    .description(
      'check the set-up without changing anything: Node.js and SQLite versions, config, tarsnap binary, key file (mode, which keys), cachedir, the key against the tarsnap server, databases (journal mode, writer pause), paths, staging space, state_dir, hooks',
    )
    .argument('[profile...]', 'profiles to check (default: all)')
    .option('--json', 'print [{check, status: ok|warn|problem, message, fix?}]')
    .option('--offline', 'do not contact the tarsnap server (by default one tarsnap --list-archives tries the key)')
    .addHelpText(
      'after',
      '\nExit 0 when there are no problems (warnings are printed but pass), 3 when a problem would make\n"hotsnap run" fail or exposes the key, 2 when the config itself is invalid.',
    )
    .action(profilesAction(async () => (await import('../commands/check.js')).checkCommand));

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
      'directory to restore into, created (mode 0700) when only its parent exists (required; --to / puts files back over the live ones: stop the applications first)',
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
        const { restoreCommand } = await import('../commands/restore.js');
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
    .action(profilesAction(async () => (await import('../commands/verify.js')).verifyCommand));
}
