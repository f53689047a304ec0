/**
 * The commander program: global options and the exit codes. With src/cli/ (the commands, and
 * cli/actions.ts for a result's exit code), the ONLY place that turns results and errors into
 * exit codes. Heavy modules (SQLite, execa, pino, zod) load lazily inside each action so `--help`
 * stays fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, systemErrorAsUserError } from './errors.js';
import { VERSION as version } from './package-info.js';
import { addBackupCommands } from './cli/backup-commands.js';
import { addSetupCommands } from './cli/setup-commands.js';
import { appendErrorToLogFile } from './adapters/log-file.js';

const EXIT_CODES_HELP = `
Exit codes:
  0   all good
  1   a profile failed (backup, prune, restore or verify)
  2   usage or config error; nothing was attempted
  3   check found problems, or status found an overdue profile
  4   run: every backup was stored, but a prune was refused (the log names the command to run once)
  70  internal error: a bug in hotsnap (please report it)
  75  another hotsnap run holds the lock (try again later)`;

/** Returns the commander program with its global options and every command. Exported for tests of the wiring. */
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
    .option(
      '--retries <count>',
      'network retries of each tarsnap call, e.g. 0 (default: list, ls, stats and restore retry once after at most 5 s; run, prune and verify use tarsnap.retries)',
    )
    .option(
      '--log-file <file>',
      'append every log line and the result to this file; stderr then shows warnings and errors only, stdout the result only when the command did not succeed (for cron, which mails what a job prints)',
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  addBackupCommands(program);
  addSetupCommands(program);
  return program;
}

/** Given what main caught, prints it as hotsnap's one-line message (or a bug's stack) and returns the exit code. */
function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every parse error is a usage error.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  // A full disk or a permission is the operator's to fix, never "a bug in hotsnap".
  const expected = systemErrorAsUserError(error);
  if (expected) {
    process.stderr.write(`hotsnap: ${expected.message}\n`);
    appendErrorToLogFile(`hotsnap: ${expected.message}`);
    return expected.exitCode;
  }
  appendErrorToLogFile(
    `hotsnap: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.stderr.write(
    `hotsnap: internal error (this is a bug in hotsnap; please report it with the text below${(process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled ? '' : ', after running again with NODE_OPTIONS=--enable-source-maps for source line numbers'})\n`,
  );
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.internal;
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
