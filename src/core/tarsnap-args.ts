/**
 * tarsnap calls as data: each builder returns the argv (without the binary) for tarsnap 1.0.41,
 * whether running it changes anything, a one-line summary and, for `-d`, the stdin to feed it.
 * One runner executes them (argv array, never a shell) and skips mutating ones in dry-run.
 *
 * Every option comes before the first operand: after a path, tarsnap reads `--print-stats` as a
 * file name. `--no-default-config` keeps `~/.tarsnaprc` from changing the output we parse.
 */
import { posix } from 'node:path';
import {
  liveDatabaseExcludes,
  normaliseAbsolutePath,
  safeOperand,
  stagedRelativePath,
  escapeExcludePattern,
} from './paths.js';
import { assertExtraArgs } from './tarsnap-extra-args.js';
import { progressBytesArgs } from './tarsnap-progress.js';

/** One tarsnap call. `stdin` is written to tarsnap's standard input when present. */
export type Invocation = { argv: readonly string[]; mutates: boolean; summary: string; stdin?: string };

/** Options every call shares. `passphrase` is tarsnap's `--passphrase` method (`env:VAR`, `file:PATH`). */
export type TarsnapCommon = {
  keyfile: string;
  cachedir: string;
  passphrase?: string;
  /** passed to `-c` only, after hotsnap's own options and before the excludes */
  extraArgs?: readonly string[];
};

export interface CreateOptions {
  name: string;
  /** absolute path of the staging directory holding the hot copies at their own paths */
  stageDir: string;
  /** each live path (database, git dir) whose copy is staged at the same path below the stage */
  stagedFiles: readonly {
    source: string;
    /** Keep the live files out of the walk; default: the database and its -wal/-shm/-journal. */
    excludes?: readonly string[];
  }[];
  /** other staged entries, relative to the stage (e.g. `.hotsnap` holding the manifest) */
  stagedExtra?: readonly string[];
  /** absolute paths walked as they are on disk */
  paths: readonly string[];
  /** user exclude patterns, passed through unchanged (tarsnap: unanchored unless they start with `/`) */
  exclude?: readonly string[];
  dryRun?: boolean;
  verbose?: boolean;
  printStats?: boolean;
  /** `--progress-bytes N`: a "Processed N entries, B bytes" line every N bytes (none if extraArgs set it). */
  progressBytes?: number;
}

const PASSPHRASE_METHOD = /^(?:env:.+|file:.+|dev:(?:tty-stdin|stdin-once|tty-once))$/s;
/** tarsnap's `--archive-names` reader splits lines at both `\n` and `\r`. */
const LINE_BREAK = /[\n\r]/;

function assertArgv(argv: readonly string[]): readonly string[] {
  const bad = argv.find((word) => word.includes('\0'));
  if (bad !== undefined) throw new Error(`a tarsnap argument cannot contain a NUL byte: ${JSON.stringify(bad)}`);
  return argv;
}

function assertNonEmpty(what: string, value: string): void {
  if (value.length === 0) throw new Error(`${what} must not be empty`);
}

/** `--keyfile K [--cachedir C] --no-default-config [--passphrase P]`, checked. */
function commonArgs(common: TarsnapCommon, withCachedir: boolean): string[] {
  assertNonEmpty('keyfile', common.keyfile);
  const args = ['--keyfile', common.keyfile];
  if (withCachedir) {
    assertNonEmpty('cachedir', common.cachedir);
    args.push('--cachedir', common.cachedir);
  }
  args.push('--no-default-config');
  if (common.passphrase !== undefined) {
    if (!PASSPHRASE_METHOD.test(common.passphrase)) {
      throw new Error(
        `passphrase must be env:VARIABLE or file:PATH (or dev:tty-stdin|stdin-once|tty-once), got ${JSON.stringify(common.passphrase)}`,
      );
    }
    args.push('--passphrase', common.passphrase);
  }
  return args;
}

function assertArchiveName(name: string): void {
  assertNonEmpty('archive name', name);
}

/** Given a relative path inside the stage, returns it normalised and safe as an operand; refuses escapes. */
function stagedExtraOperand(entry: string): string {
  const normalised = posix.normalize(entry);
  if (posix.isAbsolute(entry) || normalised === '..' || normalised.startsWith('../') || normalised === '.') {
    throw new Error(`staged entry must be a relative path inside the stage, got ${JSON.stringify(entry)}`);
  }
  return safeOperand(normalised.replace(/\/+$/, ''));
}

/**
 * Given the common options and what to archive, returns the `-c` invocation: hot copies as
 * relative operands after `-C STAGE` (so the random stage path never enters the archive), the live
 * databases excluded from the walk by anchored patterns, then the absolute paths.
 * Example: `buildCreateArgs({ keyfile: 'K', cachedir: 'C' }, { name: 'n', stageDir: '/S', stagedFiles: [],
 * paths: ['/etc'] }).argv` → `['-c', '--keyfile', 'K', '--cachedir', 'C', '--no-default-config',
 * '--exclude', '/S', '-f', 'n', '-C', '/S', '/etc']`.
 */
export function buildCreateArgs(common: TarsnapCommon, options: CreateOptions): Invocation {
  assertArchiveName(options.name);
  const stageDir = normaliseAbsolutePath(options.stageDir);
  const extraArgs = common.extraArgs ?? [];
  assertExtraArgs(extraArgs);

  const staged = options.stagedFiles.map((file) => normaliseAbsolutePath(file.source));
  const liveExcludes = options.stagedFiles.map((file, i) => file.excludes ?? liveDatabaseExcludes(staged[i]!));
  const duplicate = staged.find((source, i) => staged.indexOf(source) !== i);
  if (duplicate !== undefined) throw new Error(`database ${duplicate} is staged twice`);
  const operands = [
    ...staged.map((source) => safeOperand(stagedRelativePath(source))),
    ...(options.stagedExtra ?? []).map(stagedExtraOperand),
  ];
  // Absolute operands stay absolute after -C; a relative one would silently point into the stage.
  const paths = options.paths.map(normaliseAbsolutePath);
  if (operands.length + paths.length === 0) throw new Error('nothing to archive: no staged files and no paths');

  const excludes: string[] = [];
  for (const pattern of options.exclude ?? []) {
    assertNonEmpty('exclude pattern', pattern);
    excludes.push('--exclude', pattern);
  }
  // The stage may sit inside a walked path (e.g. `/`): leave it out of the walk; its relative
  // operands have no leading `/`, so this anchored pattern never drops them.
  excludes.push('--exclude', escapeExcludePattern(stageDir));
  for (const pattern of liveExcludes.flat()) excludes.push('--exclude', pattern);

  const argv = [
    '-c',
    ...commonArgs(common, true),
    ...(options.printStats ? ['--print-stats'] : []),
    ...(options.verbose ? ['-v'] : []),
    ...(options.dryRun ? ['--dry-run'] : []),
    ...progressBytesArgs(options.progressBytes, extraArgs),
    ...extraArgs,
    ...excludes,
    '-f',
    options.name,
    '-C',
    stageDir,
    ...operands,
    ...paths,
  ];
  return {
    argv: assertArgv(argv),
    // tarsnap's own --dry-run never contacts the server, so hotsnap's dry run can run it.
    mutates: !options.dryRun,
    summary: `${options.dryRun ? 'simulate creating' : 'create'} archive ${options.name}`,
  };
}

/**
 * Given archive names (oldest first), returns one `-d` invocation deleting them in that order:
 * names fed on stdin via `--archive-names -`, or, if any name contains a line break (which that
 * file format cannot carry), every name as its own `-f` so the order still holds.
 * Example: `buildDeleteArgs({ keyfile: 'K', cachedir: 'C' }, ['a', 'b'])` →
 * `{ argv: ['-d', '--keyfile', 'K', '--cachedir', 'C', '--no-default-config', '--keep-going',
 * '--archive-names', '-'], stdin: 'a\nb\n', … }`.
 */
export function buildDeleteArgs(
  common: TarsnapCommon,
  names: readonly string[],
  options: { keepGoing?: boolean; printStats?: boolean } = {},
): Invocation {
  const unique = [...new Set(names)];
  if (unique.length === 0) throw new Error('no archives to delete');
  unique.forEach(assertArchiveName);
  const viaStdin = !unique.some((name) => LINE_BREAK.test(name));
  const argv = [
    '-d',
    ...commonArgs(common, true),
    ...(options.printStats ? ['--print-stats'] : []),
    ...((options.keepGoing ?? true) ? ['--keep-going'] : []),
    ...(viaStdin ? ['--archive-names', '-'] : unique.flatMap((name) => ['-f', name])),
  ];
  const summary = `delete ${unique.length} archive${unique.length === 1 ? '' : 's'}`;
  return viaStdin
    ? { argv: assertArgv(argv), mutates: true, summary, stdin: `${unique.join('\n')}\n` }
    : { argv: assertArgv(argv), mutates: true, summary };
}

/**
 * Given the verbosity, returns the `--list-archives` invocation with `--null-output` (names may
 * hold tabs and newlines); -v adds creation times, -vv the create command lines.
 * Example: `buildListArgs({ keyfile: 'K', cachedir: 'C' }, { verbose: 1 }).argv` →
 * `['--list-archives', '--keyfile', 'K', '--no-default-config', '-v', '--null-output']`.
 */
export function buildListArgs(common: TarsnapCommon, options: { verbose: 0 | 1 | 2 }): Invocation {
  // No --cachedir: listing doesn't use the cache, and tarsnap would create the directory.
  const argv = [
    '--list-archives',
    ...commonArgs(common, false),
    ...Array<string>(options.verbose).fill('-v'),
    '--null-output',
  ];
  return { argv: assertArgv(argv), mutates: false, summary: 'list archives' };
}

/**
 * Given an archive member path, returns the `-x`/`-t` operand matching exactly it (and, as tarsnap
 * does for directories, what lies below): no leading `/`, glob characters escaped, `-`/`@` guarded.
 * Example: `memberOperand('/var/db[1].sqlite')` → `'var/db\\[1].sqlite'`.
 */
export function memberOperand(member: string): string {
  const relative = member.replace(/^\/+/, '');
  assertNonEmpty('archive member', relative);
  return safeOperand(escapeExcludePattern(relative));
}

/**
 * Given an archive and a target directory, returns the `-x` invocation restoring all of it, or
 * only `members` (archive paths, e.g. `var/www/ghost/content/data/ghost.db`), under `to`.
 * Example: `buildExtractArgs({ keyfile: 'K', cachedir: 'C' }, 'n', { to: '/restore' }).argv` →
 * `['-x', '--keyfile', 'K', '--no-default-config', '-f', 'n', '-C', '/restore']`.
 */
export function buildExtractArgs(
  common: TarsnapCommon,
  name: string,
  options: { to: string; members?: readonly string[]; verbose?: boolean },
): Invocation {
  assertArchiveName(name);
  const to = normaliseAbsolutePath(options.to);
  const members = (options.members ?? []).map(memberOperand);
  const verbose = options.verbose ? ['-v'] : []; // an "x PATH" line per member written: restore's progress
  const argv = ['-x', ...commonArgs(common, false), ...verbose, '-f', name, '-C', to, ...members];
  // It writes files on this machine, so a dry run must not perform it.
  return { argv: assertArgv(argv), mutates: true, summary: `extract archive ${name} into ${to}` };
}

/**
 * Given an archive, returns the `-t` invocation listing its members (`nullOutput`: NUL-separated,
 * safe for names with newlines).
 * Example: `buildContentsArgs({ keyfile: 'K', cachedir: 'C' }, 'n').argv` →
 * `['-t', '--keyfile', 'K', '--no-default-config', '-f', 'n']`.
 */
export function buildContentsArgs(
  common: TarsnapCommon,
  name: string,
  options: { verbose?: boolean; nullOutput?: boolean } = {},
): Invocation {
  assertArchiveName(name);
  const argv = [
    '-t',
    ...commonArgs(common, false),
    ...(options.verbose ? ['-v'] : []),
    ...(options.nullOutput ? ['--null-output'] : []),
    '-f',
    name,
  ];
  return { argv: assertArgv(argv), mutates: false, summary: `list the contents of archive ${name}` };
}

/**
 * Given the common options, returns the `--fsck` invocation rebuilding the cache directory, or
 * `--fsck-prune`, which also deletes corrupt data on the server.
 * Example: `buildFsckArgs({ keyfile: 'K', cachedir: 'C' }, { prune: false }).argv` →
 * `['--fsck', '--keyfile', 'K', '--cachedir', 'C', '--no-default-config']`.
 */
export function buildFsckArgs(common: TarsnapCommon, options: { prune?: boolean } = {}): Invocation {
  const argv = [options.prune ? '--fsck-prune' : '--fsck', ...commonArgs(common, true)];
  return {
    argv: assertArgv(argv),
    mutates: true,
    summary: options.prune
      ? 'check archives and prune corrupt data (fsck-prune)'
      : 'rebuild the cache directory (fsck)',
  };
}

/** Returns the `--version` invocation. Example: `buildVersionArgs().argv` → `['--version']`. */
export function buildVersionArgs(): Invocation {
  return { argv: ['--version'], mutates: false, summary: 'print the tarsnap version' };
}

/**
 * Given the common options, returns the `--print-stats` invocation (global totals on stdout).
 * Example: `buildStatsArgs({ keyfile: 'K', cachedir: 'C' }).argv` →
 * `['--print-stats', '--keyfile', 'K', '--cachedir', 'C', '--no-default-config']`.
 */
export function buildStatsArgs(common: TarsnapCommon): Invocation {
  return {
    argv: assertArgv(['--print-stats', ...commonArgs(common, true)]),
    mutates: false,
    summary: 'print storage statistics',
  };
}
