/**
 * `hotsnap check [PROFILE...] [--json] [--offline]`: the set-up doctor. Looks at everything a run
 * needs, changes nothing (tarsnap calls: `--version` and one `--list-archives` with the key unless
 * --offline; databases opened read-only and closed at once, no file created), and says for each
 * finding what to do. Reports the Node.js and SQLite versions in use.
 *
 * Exit 0: no problems (warnings allowed); 3: problems; 2: the config itself is invalid.
 * Problems are what makes `hotsnap run` fail, or exposes the key:
 *   tarsnap binary missing or failing; key file missing, unreadable, not a tarsnap key, readable
 *   or writable by others, without the write keys, or without the delete key while a profile
 *   prunes; a `file:` passphrase missing, empty, unreadable, or readable or writable by others;
 *   cachedir/staging_dir/state_dir unusable; staging_dir too small for the copies; a
 *   database missing, unreadable, not SQLite, or in rollback mode without write permission; a
 *   `paths` entry missing or unreadable; the tarsnap server unreachable or refusing the key; a
 *   hook program that does not resolve; a `git:` path that is not a repository and holds none, or
 *   that this user cannot read; `git` missing; a kept snapshot a run would refuse (not a private
 *   directory of this user); a native SQLite library that does not load.
 * Warnings are things a run survives: rollback journal mode (writers pause; the estimate is in
 * the message), a key or passphrase file readable by its group, a write-only key on a host that
 * prunes (pruning is skipped), a write-only key (it cannot list, so the server is not reached), a
 * passphrase-protected key, a cache without a chunk directory (prune and an out-of-sync cache may
 * need --fsck), a Node.js outside the supported versions, a tarsnap older than 1.0.41, a symlink in
 * `paths`, a hook given by a relative path, a Git repository on another file system than
 * staging_dir (its objects are copied instead of hard-linked). Notes: where each kept snapshot is
 * and its size; repositories borrowing objects (alternates), which are copied in.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Config, Profile } from '../config/resolve.js';
import { HOOK_EVENTS } from '../config/resolve.js';
import type { Context } from '../context.js';
import { ExitCode, UserError } from '../errors.js';
import { checkExitCode, renderCheckJson, renderCheckText, type CheckItem } from '../core/check-report.js';
import { checkCachedir, checkStaging, checkStateDir } from '../adapters/check-dirs.js';
import { checkKeyfile, checkPassphraseFile } from '../adapters/check-key.js';
import { checkPath } from '../adapters/check-paths.js';
import { checkHook, checkTarsnapBinary, runTarsnapVersion, type VersionProbe } from '../adapters/check-programs.js';
import { checkKeptSnapshot } from '../adapters/check-kept.js';
import { checkNode, checkSqliteLibrary } from '../adapters/check-runtime.js';
import { checkServer, type ServerCall } from '../adapters/check-server.js';
import { createTarsnapRunner } from '../adapters/tarsnap.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import { checkDatabase } from '../adapters/check-sqlite.js';
import { freeBytes, requiredBytes, type FreeSpaceProbe } from '../adapters/sqlite/space.js';
import { SOURCES } from '../sources/index.js';
import { selectProfiles } from './select-profiles.js';
import type { CommandResult } from './result.js';

export interface CheckDeps {
  /** Free bytes in a directory's file system (statfs); tests simulate a full disk with it. */
  freeBytes: FreeSpaceProbe;
  /** Runs `tarsnap --version`. */
  tarsnapVersion: VersionProbe;
  /** The environment programs are resolved in (PATH) and tarsnap runs with. */
  env: NodeJS.ProcessEnv;
  /** Pause before the one retry of the server call after a network failure (default 2 s). */
  serverRetryDelayMs?: number;
}

export interface CheckOptions {
  json?: boolean;
  /** Do not contact the tarsnap server. */
  offline?: boolean;
}

/** Given the config and the environment, returns a runner of single tarsnap calls: no retries, nothing logged. */
function serverCall(config: Config, env: NodeJS.ProcessEnv): ServerCall {
  const runner = createTarsnapRunner(
    { ...tarsnapCommon(config), binary: config.tarsnap.binary, retries: 0, retryDelayMs: 0, autoFsck: false },
    { env },
  );
  return (invocation) => runner.run(invocation, { retry: false });
}

/** Given the findings so far, returns why the server must not be contacted, or undefined. */
function serverSkipReason(config: Config, items: readonly CheckItem[], keyKnown: boolean, offline: boolean) {
  if (offline) return 'asked not to (--offline)';
  if (items.some((item) => item.check === 'tarsnap' && item.status === 'problem'))
    return 'tarsnap does not run (see above)';
  if (items.some((item) => ['keyfile', 'key', 'passphrase'].includes(item.check) && item.status === 'problem'))
    return 'the key is not usable (see above)';
  if (!keyKnown && !config.tarsnap.passphrase)
    return 'the key is passphrase-protected and tarsnap.passphrase is not set (tarsnap would wait at a prompt)';
  return undefined;
}

/** Given a profile, returns whether `run` will prune it (prune on, with rules to apply). */
function prunes(profile: Profile): boolean {
  const rules =
    profile.deltas !== undefined || Object.values(profile.retention ?? {}).some((value) => value !== undefined);
  return profile.prune && rules;
}

/** Given items keyed by path, returns each path with the profiles listing it, in first-seen order. */
function byPath(profiles: readonly Profile[], pick: (profile: Profile) => readonly string[]): Map<string, Profile[]> {
  const map = new Map<string, Profile[]>();
  for (const profile of profiles) {
    for (const path of pick(profile)) map.set(path, [...(map.get(path) ?? []), profile]);
  }
  return map;
}

function hookItems(config: Config, profiles: readonly Profile[], env: NodeJS.ProcessEnv): CheckItem[] {
  const items: CheckItem[] = [];
  const scopes = [
    { at: 'hooks', hooks: config.hooks },
    ...profiles.map((profile) => ({ at: `profiles.${profile.name}.hooks`, hooks: profile.hooks })),
  ];
  for (const { at, hooks } of scopes) {
    for (const event of HOOK_EVENTS) {
      const commands = hooks[event];
      commands.forEach((argv, index) =>
        items.push(checkHook(`${at}.${event}${commands.length > 1 ? `[${index}]` : ''}`, argv, env)),
      );
    }
  }
  return items;
}

/**
 * Given the config, the profiles to check, the probes and options, returns every finding in a stable order:
 * config, node, SQLite library, tarsnap, key, cache, server, databases, the other sources (Git), paths,
 * staging, state, kept snapshots, hooks.
 */
export async function runChecks(
  config: Config,
  profiles: readonly Profile[],
  deps: CheckDeps,
  options: CheckOptions = {},
): Promise<CheckItem[]> {
  const names = profiles.map((profile) => profile.name);
  const items: CheckItem[] = [
    {
      check: 'config',
      status: 'ok',
      message: `${config.file} is valid (${names.length} profile${names.length === 1 ? '' : 's'} checked: ${names.join(', ')})`,
    },
  ];
  items.push(checkNode(), checkSqliteLibrary());
  items.push(await checkTarsnapBinary(config.tarsnap.binary, deps.tarsnapVersion, deps.env));

  const pruning = profiles.filter(prunes).map((profile) => profile.name);
  const key = checkKeyfile(config.tarsnap.keyfile, pruning, config.tarsnap.passphrase);
  items.push(...key.items);
  const passphrase = checkPassphraseFile(config.tarsnap.passphrase);
  if (passphrase) items.push(passphrase);
  items.push(
    checkCachedir(config.tarsnap.cachedir, config.tarsnap.keyfile, {
      autoFsck: config.tarsnap.auto_fsck,
      ...(key.capabilities ? { capabilities: key.capabilities } : {}),
    }),
  );
  items.push(
    await checkServer(tarsnapCommon(config), serverCall(config, deps.env), {
      skip: serverSkipReason(config, items, key.capabilities !== undefined, options.offline ?? false),
      retryDelayMs: deps.serverRetryDelayMs ?? 2000,
      sleep: (ms) => sleepFor(ms),
    }),
  );

  const sizes = new Map<string, { bytes: number; walBytes: number }>();
  for (const [source, listing] of byPath(profiles, (profile) => profile.sqlite)) {
    const findings = checkDatabase(
      source,
      listing.map((profile) => profile.name),
      listing[0]!.hot_copy,
    );
    sizes.set(source, { bytes: findings.bytes, walBytes: findings.walBytes });
    items.push(findings.item);
  }
  for (const source of SOURCES) {
    if (source.check) items.push(...(await source.check(profiles, { stagingDir: config.staging_dir, env: deps.env })));
  }
  for (const [path, listing] of byPath(profiles, (profile) => profile.paths)) {
    items.push(
      checkPath(
        path,
        listing.map((profile) => profile.name),
      ),
    );
  }

  // Profiles run one after another and each removes its stage, so the largest one must fit.
  let need: { bytes: number; profile?: string } = { bytes: 0 };
  for (const profile of profiles) {
    if (profile.sqlite.length === 0) continue;
    const total = profile.sqlite.reduce(
      (sum, source) => ({
        bytes: sum.bytes + (sizes.get(source)?.bytes ?? 0),
        walBytes: sum.walBytes + (sizes.get(source)?.walBytes ?? 0),
      }),
      { bytes: 0, walBytes: 0 },
    );
    const bytes = requiredBytes(total.bytes, total.walBytes);
    if (bytes > need.bytes) need = { bytes, profile: profile.name };
  }
  items.push(...(await checkStaging(config.staging_dir, need, deps.freeBytes)));
  items.push(checkStateDir(config.state_dir));
  for (const profile of profiles.filter((p) => p.keep_snapshot)) {
    const bytes = profile.sqlite.reduce((sum, source) => sum + (sizes.get(source)?.bytes ?? 0), 0);
    items.push(checkKeptSnapshot(config.staging_dir, config.state_dir, profile.name, bytes));
  }
  items.push(...hookItems(config, profiles, deps.env));
  return items;
}

/**
 * Given the context, profile names (none = all) and options, checks the set-up; returns exit 0
 * (warnings allowed) or 3 (problems) with one line per finding, or the JSON list with --json.
 * An invalid config throws its ConfigError (exit 2); with --json it is also printed as a finding.
 */
export async function checkCommand(
  context: Context,
  names: readonly string[],
  options: CheckOptions,
  overrides: Partial<CheckDeps> = {},
): Promise<CommandResult> {
  let config: Config;
  try {
    config = await context.loadConfig({ cache: false });
  } catch (error) {
    if (options.json && error instanceof UserError && error.exitCode === ExitCode.usage) {
      const item: CheckItem = {
        check: 'config',
        status: 'problem',
        message: error.message,
        fix: 'fix each problem listed, then run hotsnap config validate',
      };
      return { exitCode: ExitCode.usage, stdout: renderCheckJson([item]) };
    }
    throw error;
  }
  const profiles = selectProfiles(config, names);
  const deps: CheckDeps = { freeBytes, tarsnapVersion: runTarsnapVersion, env: process.env, ...overrides };
  const items = await runChecks(config, profiles, deps, options);
  return { exitCode: checkExitCode(items), stdout: options.json ? renderCheckJson(items) : renderCheckText(items) };
}
