/**
 * `hotsnap init [--from-tarsnapper FILE] [--output FILE|-] [--force]`: writes a commented starter
 * config (suggesting the Git repositories it finds on this machine under `git:`), or one converted
 * from a tarsnapper config, after checking it passes hotsnap's own
 * validation. Never overwrites without --force; the file is private (0600), since it names the key.
 */
import { chmodSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { detectTarsnapConf, tarsnapConfFiles } from '../adapters/tarsnaprc.js';
import { locateConfig, machineDefaults, parseConfig, plainYamlData, SYSTEM_CONFIG } from '../config/load.js';
import { readConfigText } from '../config/read.js';
import type { MachineDefaults } from '../config/resolve.js';
import { globComponentToRegExp, hasGlobMagic } from '../init/python-glob.js';
import { renderStarterConfig } from '../init/starter-config.js';
import { planTarsnapSection } from '../init/tarsnap-section.js';
import { convertTarsnapper } from '../init/tarsnapper-convert.js';
import { TarsnapperConfigError, type TarsnapperInput } from '../init/tarsnapper-jobs.js';
import { renderTarsnapperConfig } from '../init/tarsnapper-render.js';
import { ConfigError, ExitCode, UsageError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { findGitRepositories, gitSearchRoots } from './init-git.js';
import type { CommandResult } from './result.js';

export interface InitOptions {
  /** A tarsnapper YAML config to convert. */
  fromTarsnapper?: string;
  /** Where to write; `-` is stdout. Default: --config, $HOTSNAP_CONFIG, else the standard location. */
  output?: string;
  /** Replace an existing file. */
  force?: boolean;
}

export interface InitDeps {
  logger: Logger;
  /** The global --config flag: where to write when --output is not given. */
  configFlag?: string;
  env: NodeJS.ProcessEnv;
  home: string;
  isRoot: boolean;
  machine: MachineDefaults;
  /** tarsnap's config files, user file first. */
  tarsnapConfFiles: readonly string[];
  /** Directories searched for Git repositories to suggest under `git:` (not for --from-tarsnapper). */
  gitSearchRoots: readonly string[];
}

export interface InitResult extends CommandResult {
  /** The file written, or `-` for stdout. */
  file: string;
  /** The YAML written. */
  text: string;
  /** What was not converted or needs attention (also logged as warnings). */
  notes: string[];
}

/** Given whether we run as root and the home directory, returns where init writes by default (where hotsnap looks). */
export function defaultConfigPath(isRoot: boolean, home: string): string {
  return isRoot ? SYSTEM_CONFIG : join(home, '.config/hotsnap/hotsnap.yaml');
}

function realDeps(partial: Partial<InitDeps>): InitDeps {
  const home = partial.home ?? homedir();
  return {
    logger: partial.logger ?? silentLogger,
    ...(partial.configFlag !== undefined ? { configFlag: partial.configFlag } : {}),
    env: partial.env ?? process.env,
    home,
    isRoot: partial.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0),
    machine: partial.machine ?? machineDefaults(partial.env ?? process.env),
    tarsnapConfFiles: partial.tarsnapConfFiles ?? tarsnapConfFiles(home),
    gitSearchRoots: partial.gitSearchRoots ?? gitSearchRoots(partial.env ?? process.env, home),
  };
}

/** Given a tarsnapper file's text, returns it parsed as PyYAML would (YAML 1.1: `yes` is true). */
function parseTarsnapperYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { version: '1.1', prettyErrors: false });
  if (doc.errors.length > 0)
    throw new UsageError(`${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const plain = plainYamlData(doc);
  if ('problem' in plain) throw new UsageError(`${file}: ${plain.problem}`);
  return plain.data;
}

/** Given a tarsnapper file and what it is, returns its text (converted, never run, so its owner is not checked). */
function readTarsnapperText(file: string, what: string): string {
  return readConfigText(file, {
    what,
    checkTrust: false,
    reasons: { ENOENT: 'it does not exist', EACCES: 'permission denied (run as its owner, or as root)' },
  });
}

/** Given tarsnapper's `include-jobs` pattern, returns the parsed job files in tarsnapper's order, and notes. */
function readIncludedJobs(
  pattern: string,
  configFile: string,
): { included: NonNullable<TarsnapperInput['included']>; notes: string[] } {
  const notes: string[] = [];
  // Python's glob resolves a relative pattern against tarsnapper's working directory, unknown here.
  const absolute = isAbsolute(pattern) ? pattern : resolve(dirname(configFile), pattern);
  if (!isAbsolute(pattern))
    notes.push(
      `include-jobs "${pattern}" is relative; read from ${dirname(absolute)} (the tarsnapper config's directory)`,
    );
  const directory = dirname(absolute);
  if (hasGlobMagic(directory)) {
    return {
      included: [],
      notes: [
        ...notes,
        `include-jobs "${pattern}" has wildcards in its directories; those job files were not read: convert them separately`,
      ],
    };
  }
  const name = basename(absolute);
  let candidates: string[];
  if (hasGlobMagic(name)) {
    const matcher = globComponentToRegExp(name);
    try {
      candidates = readdirSync(directory)
        .filter((entry) => matcher.test(entry))
        .map((entry) => join(directory, entry));
    } catch {
      candidates = [];
    }
  } else candidates = [absolute];
  const files = candidates.filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile()).sort();
  if (files.length === 0) notes.push(`include-jobs "${pattern}" matches no file; no jobs included`);
  return {
    included: files.map((file) => ({
      file,
      jobs: parseTarsnapperYaml(readTarsnapperText(file, 'tarsnapper job file'), file),
    })),
    notes,
  };
}

/** Given a tarsnapper config file, returns the converted YAML and its notes. */
function fromTarsnapper(
  file: string,
  tarsnap: ReturnType<typeof planTarsnapSection>,
): { text: string; notes: string[] } {
  const source = resolve(file);
  const config = parseTarsnapperYaml(readTarsnapperText(source, 'tarsnapper config'), source);
  const include =
    config && typeof config === 'object' ? (config as Record<string, unknown>)['include-jobs'] : undefined;
  const { included, notes } =
    typeof include === 'string' ? readIncludedJobs(include, source) : { included: [], notes: [] };
  try {
    const conversion = convertTarsnapper({ config, included }, tarsnap);
    conversion.unconverted.unshift(...notes);
    return { text: renderTarsnapperConfig(conversion, source, tarsnap), notes: conversion.unconverted };
  } catch (error) {
    if (!(error instanceof TarsnapperConfigError)) throw error;
    const list = [...notes, ...error.problems].map((problem) => `  - ${problem}`).join('\n');
    throw new UsageError(`cannot convert the tarsnapper config ${source}:\n${list}`);
  }
}

/** Given the target and --force, throws the UsageError for a directory there, or an existing file without --force. */
function refuseToOverwrite(file: string, force: boolean): void {
  const existing = statSync(file, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new UsageError(`${file} is a directory; pass --output FILE`);
  if (existing && !force)
    throw new UsageError(`${file} already exists; pass --force to replace it, or --output FILE to write elsewhere`);
}

/** Given a path and text, writes it with mode 0600, whole or not at all; replaces an existing file only if forced. */
function writePrivateFile(file: string, text: string, force: boolean): void {
  const directory = dirname(file);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UsageError(
      `cannot create ${directory}: ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied; run as root, or pass --output FILE' : (error as Error).message}`,
    );
  }
  refuseToOverwrite(file, force);
  const temporary = join(directory, `.${basename(file)}.${process.pid}.tmp`);
  try {
    // A new file is created 0600 from the start, so the key path is never readable by others.
    writeFileSync(temporary, text, { flag: 'wx', mode: 0o600 });
    chmodSync(temporary, 0o600);
    // link() refuses an existing name, so a file created meanwhile is never clobbered without --force.
    if (force) renameSync(temporary, file);
    else linkSync(temporary, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && !force)
      throw new UsageError(`${file} already exists; pass --force to replace it, or --output FILE to write elsewhere`);
    throw new UsageError(
      `cannot write ${file}: ${code === 'EACCES' ? 'permission denied; run as root, or pass --output FILE' : (error as Error).message}`,
    );
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Given the file written, returns the command prefix that finds it (`hotsnap` or `hotsnap --config FILE`). */
function hotsnapFor(file: string, deps: InitDeps): string {
  try {
    if (locateConfig(undefined, deps.env, deps.home) === file) return 'hotsnap';
  } catch {
    // Not found where hotsnap looks: say --config.
  }
  return `hotsnap --config ${file}`;
}

function nextSteps(file: string, notes: number, converted: boolean, repositories: boolean, deps: InitDeps): string {
  const hotsnap = hotsnapFor(file, deps);
  const review = converted
    ? `review it: the ${notes} note${notes === 1 ? '' : 's'} at its top say what was not converted`
    : `edit it: the paths, databases${repositories ? ', Git repositories' : ''} and retention (every key is explained in it)`;
  return [
    `wrote ${file} (mode 0600)`,
    'next:',
    `  1. ${review}`,
    `  2. ${hotsnap} check`,
    `  3. ${hotsnap} run --dry-run`,
    // Before the first scheduled run prunes: adopted or older archives may make its plan large.
    `  4. ${hotsnap} prune --dry-run   (what the first run's prune will delete; if it is refused, run the prune it names once)`,
    `  5. ${hotsnap} schedule`,
    '',
  ].join('\n');
}

/** Given the deps, returns the starter config with the Git repositories found on this machine, and notes. */
function starter(
  tarsnap: ReturnType<typeof planTarsnapSection>,
  deps: InitDeps,
): { text: string; notes: string[]; repositories: number } {
  const search = findGitRepositories(deps.gitSearchRoots, undefined, (message) => deps.logger.debug(message));
  const git = search.repositories.map((repository) => repository.path);
  return {
    text: renderStarterConfig({ ...deps.machine, tarsnap, ...(git.length > 0 ? { git } : {}) }),
    notes: [...tarsnap.notes, ...search.notes],
    repositories: git.length,
  };
}

/**
 * Given the options, writes the starter (or converted) config and returns what was written; the
 * notes go to the logger as warnings (stderr).
 * Example: `initCommand({ output: '/tmp/h.yaml' })` →
 * `{ exitCode: 0, file: '/tmp/h.yaml', stdout: 'wrote /tmp/h.yaml (mode 0600)\nnext: …' }`.
 */
export async function initCommand(options: InitOptions, partialDeps: Partial<InitDeps> = {}): Promise<InitResult> {
  const deps = realDeps(partialDeps);
  const target =
    options.output ?? deps.configFlag ?? (deps.env.HOTSNAP_CONFIG || defaultConfigPath(deps.isRoot, deps.home));
  const file = target === '-' ? '-' : resolve(target);
  // Refused before anything is read or any warning printed: notes about a file never written only confuse.
  if (file !== '-') refuseToOverwrite(file, options.force === true);
  const { detected, warnings } = detectTarsnapConf(deps.tarsnapConfFiles, deps.home);
  const tarsnap = planTarsnapSection(detected);
  const { text, notes, repositories } = options.fromTarsnapper
    ? { ...fromTarsnapper(options.fromTarsnapper, tarsnap), repositories: 0 }
    : starter(tarsnap, deps);
  notes.unshift(...warnings);

  try {
    parseConfig(text, file === '-' ? 'hotsnap.yaml' : file, deps.machine);
  } catch (error) {
    // Whatever the input, init must write a valid file: a failure here is a bug in init.
    if (error instanceof ConfigError)
      throw new Error(`hotsnap init produced an invalid config:\n${error.message}\n---\n${text}`, { cause: error });
    throw error;
  }
  for (const note of notes) deps.logger.warn(note);
  if (file === '-') return { exitCode: ExitCode.ok, stdout: text, file, text, notes };
  writePrivateFile(file, text, options.force === true);
  return {
    exitCode: ExitCode.ok,
    stdout: nextSteps(file, notes.length, Boolean(options.fromTarsnapper), repositories > 0, deps),
    file,
    text,
    notes,
  };
}
