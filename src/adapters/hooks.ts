/**
 * Command hooks (`hooks:` per profile and once per run): each an argv array run through execa,
 * never a shell unless the user writes ["sh", "-c", "…"]. stdin is closed, output goes line by
 * line into the log, HOTSNAP_* variables say what happened (the passphrase's variable is removed),
 * and a time limit kills the hook's whole process group — a hook is started in its own group
 * because a grandchild (`sh -c "a; b"`) would otherwise keep the output pipes open, and the run
 * waiting, long after the kill.
 */
import { execa } from 'execa';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HOOK_EVENTS } from '../config/resolve.js';
import { formatCommandForLog } from '../core/tarsnap-args.js';
import { formatTimeSpan } from '../core/timespan.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { onInterrupt } from './cleanup.js';

export type HookEvent = (typeof HOOK_EVENTS)[number];

/** What hooks are told; every field optional (unknown values leave their variable unset). */
export interface HookVars {
  /** The profile this hook belongs to; absent for global hooks (HOTSNAP_PROFILE is then empty). */
  profile?: string;
  /** Every profile of this run, in order. */
  profiles?: readonly string[];
  archive?: string;
  /** Never passed to `before` hooks: nothing has happened yet. */
  status?: 'ok' | 'failed' | 'dry-run';
  error?: string;
  total_bytes?: number;
  compressed_bytes?: number;
  new_bytes?: number;
  databases?: number;
  writer_block_ms?: number;
  dry_run?: boolean;
  /** The config file, so a hook can call `hotsnap list` on the same config. */
  config?: string;
}

export interface HookRunOptions {
  logger?: Logger;
  /** Time limit for one hook command (default 10 minutes). */
  timeoutMs?: number;
  /** After the time limit, SIGTERM to the group; this long later, SIGKILL (default 5 s). */
  killGraceMs?: number;
  /** Base environment (default process.env); the HOTSNAP_* event variables in it are replaced. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** tarsnap.passphrase: when it is `env:VAR`, VAR is removed from the hook's environment. */
  passphrase?: string;
}

/** How one hook command failed. */
export interface HookFailure {
  event: HookEvent;
  argv: readonly string[];
  /** Exit code when it exited. */
  exitCode?: number;
  /** The signal that ended it, when one did. */
  signal?: string;
  timedOut: boolean;
  /** It never started: 'not-found' (ENOENT), 'not-executable' (EACCES) or another errno code. */
  spawnError?: string;
  /** Its last lines of stderr (or of stdout when it wrote nothing to stderr). */
  outputTail: string[];
  /** One line for people, e.g. `"dump-db" --all (exit 3)`. */
  reason: string;
}

/** One or more hook commands failed; the message names each with its exit and last output lines. */
export class HookError extends UserError {
  readonly event: HookEvent;
  readonly profile: string | undefined;
  readonly failures: readonly HookFailure[];
  constructor(event: HookEvent, profile: string | undefined, failures: readonly HookFailure[]) {
    const scope = profile ? `of profile ${profile}` : '(global)';
    const head =
      failures.length === 1 ? `${event} hook ${scope} failed` : `${failures.length} ${event} hooks ${scope} failed`;
    const details = failures.map((failure) => {
      const tail = failure.outputTail.map((line) => `\n    | ${line}`).join('');
      return `${failures.length === 1 ? ' ' : '\n  '}${failure.reason}${tail}`;
    });
    super(`${head}:${details.join('')}`);
    this.event = event;
    this.profile = profile;
    this.failures = failures;
  }
}

export const DEFAULT_HOOK_TIMEOUT_MS = 10 * 60 * 1000;
const KILL_GRACE_MS = 5000;
/** After the hook exits, how long to keep reading output still held open by something it left running. */
const DRAIN_MS = 500;
const TAIL_LINES = 5;
/** A line longer than this (no newline in sight) is logged in pieces rather than held in memory. */
const MAX_LINE = 64 * 1024;
/** Linux refuses an environment string over 128 KiB (MAX_ARG_STRLEN); an error message is far shorter. */
const MAX_ERROR_CHARS = 4000;

/** Every variable a hook may be told, cleared from the inherited environment so a stale one never leaks in. */
export const HOOK_ENV_NAMES = [
  'HOTSNAP_EVENT',
  'HOTSNAP_PROFILE',
  'HOTSNAP_PROFILES',
  'HOTSNAP_ARCHIVE',
  'HOTSNAP_STATUS',
  'HOTSNAP_ERROR',
  'HOTSNAP_TOTAL_BYTES',
  'HOTSNAP_COMPRESSED_BYTES',
  'HOTSNAP_NEW_BYTES',
  'HOTSNAP_DATABASES',
  'HOTSNAP_WRITER_BLOCK_MS',
  'HOTSNAP_DRY_RUN',
] as const;

/**
 * Given tarsnap.passphrase, returns the environment variable holding the passphrase (`env:VAR`),
 * else undefined. Example: passphraseVariable('env:TARSNAP_PASS') → 'TARSNAP_PASS'.
 */
export function passphraseVariable(passphrase: string | undefined): string | undefined {
  return passphrase?.startsWith('env:') ? passphrase.slice('env:'.length) : undefined;
}

/** An environment value can't hold NUL; whole numbers read best in shell arithmetic. */
const clean = (text: string) => text.replace(/\0/g, '');
const whole = (value: number) => String(Math.round(value));

/**
 * Given an event and what is known, returns the HOTSNAP_* variables for a hook (unknowns unset).
 * Example: buildHookEnv('after', {profile:'daily', status:'ok'}) → {HOTSNAP_EVENT:'after', HOTSNAP_PROFILE:'daily', HOTSNAP_STATUS:'ok', HOTSNAP_DRY_RUN:'0'}.
 */
export function buildHookEnv(event: HookEvent, vars: HookVars): Record<string, string> {
  const env: Record<string, string> = { HOTSNAP_EVENT: event, HOTSNAP_PROFILE: clean(vars.profile ?? '') };
  if (vars.profiles) env.HOTSNAP_PROFILES = clean(vars.profiles.join(' '));
  if (vars.archive !== undefined) env.HOTSNAP_ARCHIVE = clean(vars.archive);
  if (vars.status !== undefined && event !== 'before') env.HOTSNAP_STATUS = vars.status;
  if (vars.error !== undefined) {
    const error = clean(vars.error);
    env.HOTSNAP_ERROR = error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error;
  }
  const numbers: [string, number | undefined][] = [
    ['HOTSNAP_TOTAL_BYTES', vars.total_bytes],
    ['HOTSNAP_COMPRESSED_BYTES', vars.compressed_bytes],
    ['HOTSNAP_NEW_BYTES', vars.new_bytes],
    ['HOTSNAP_DATABASES', vars.databases],
    ['HOTSNAP_WRITER_BLOCK_MS', vars.writer_block_ms],
  ];
  for (const [name, value] of numbers) if (value !== undefined && Number.isFinite(value)) env[name] = whole(value);
  env.HOTSNAP_DRY_RUN = vars.dry_run ? '1' : '0';
  if (vars.config !== undefined) env.HOTSNAP_CONFIG = clean(vars.config);
  return env;
}

/** Splits a stream into lines for the log, keeping the last few for the error message. */
function lineReader(onLine: (line: string) => void) {
  let pending = '';
  return {
    push(chunk: Buffer | string) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
      while (pending.length > MAX_LINE) {
        onLine(pending.slice(0, MAX_LINE));
        pending = pending.slice(MAX_LINE);
      }
    },
    end() {
      if (pending) onLine(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}

function describeSpawnError(program: string, code: string, env: NodeJS.ProcessEnv): string {
  const quoted = JSON.stringify(program);
  if (code === 'ENOENT') {
    // cron's PATH is short (/usr/bin:/bin): say which one was searched.
    const where = program.includes('/') ? '' : ` (PATH=${env.PATH ?? ''})`;
    return `hook command ${quoted} not found; use an absolute path or check PATH${where}`;
  }
  if (code === 'EACCES')
    return `hook command ${quoted} is not executable; run chmod +x ${program}, or name its interpreter first, e.g. ["sh", ${quoted}]`;
  return `hook command ${quoted} could not be started (${code})`;
}

async function runOne(
  event: HookEvent,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  vars: HookVars,
  options: HookRunOptions,
): Promise<HookFailure | undefined> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const [program, ...args] = argv as [string, ...string[]];
  const label = `${event}:${basename(program)}`;
  const context = { hook: label, ...(vars.profile ? { profile: vars.profile } : {}) };
  logger.info({ ...context, command: formatCommandForLog(program, args) }, 'running hook');

  const stderrTail: string[] = [];
  const stdoutTail: string[] = [];
  const keep = (tail: string[]) => (line: string) => {
    if (!line.trim()) return;
    logger.info(context, line);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const stdout = lineReader(keep(stdoutTail));
  const stderr = lineReader(keep(stderrTail));

  const started = performance.now();
  const subprocess = execa(program, args, {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    env,
    extendEnv: false,
    // Its own process group, so the time limit and an interrupt reach everything it started.
    detached: true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const killGroup = (signal: NodeJS.Signals) => {
    if (subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // A detached group is not killed with us: on SIGINT/SIGTERM/SIGHUP take it down first.
  const unregister = onInterrupt(() => killGroup('SIGTERM'));
  let timedOut = false;
  let forceKill: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    logger.warn(context, `hook still running after ${formatTimeSpan(timeoutMs)}; stopping it`);
    killGroup('SIGTERM');
    forceKill = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? KILL_GRACE_MS);
  }, timeoutMs);
  let drain: NodeJS.Timeout | undefined;
  subprocess.on('exit', () => {
    // Something it started in the background may hold the pipes for hours: stop reading after a moment.
    drain = setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    }, DRAIN_MS);
  });
  subprocess.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  subprocess.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

  let result;
  try {
    result = await subprocess;
  } finally {
    clearTimeout(timer);
    clearTimeout(drain);
    // After a time-out, whatever in the group ignored SIGTERM still gets its SIGKILL.
    if (timedOut) forceKill?.unref();
    else clearTimeout(forceKill);
    unregister();
  }
  stdout.end();
  stderr.end();
  const outputTail = stderrTail.length > 0 ? stderrTail : stdoutTail;
  const display = formatCommandForLog(program, args);

  const spawnCode = (result as { cause?: NodeJS.ErrnoException }).cause?.code;
  if (result.failed && result.exitCode === undefined && result.signal === undefined && !timedOut && spawnCode) {
    const kind = spawnCode === 'ENOENT' ? 'not-found' : spawnCode === 'EACCES' ? 'not-executable' : spawnCode;
    return {
      event,
      argv,
      timedOut,
      spawnError: kind,
      outputTail: [],
      reason: describeSpawnError(program, spawnCode, env),
    };
  }
  logger.debug(
    { ...context, exit: result.exitCode ?? result.signal, ms: Math.round(performance.now() - started) },
    'hook finished',
  );
  if (timedOut) {
    return {
      event,
      argv,
      timedOut,
      ...(result.signal ? { signal: result.signal } : {}),
      outputTail,
      reason: `${display} timed out after ${formatTimeSpan(timeoutMs)} and was stopped`,
    };
  }
  if (result.exitCode === 0) return undefined;
  if (result.signal)
    return {
      event,
      argv,
      timedOut,
      signal: result.signal,
      outputTail,
      reason: `${display} (killed by ${result.signal})`,
    };
  return {
    event,
    argv,
    timedOut,
    exitCode: result.exitCode ?? 1,
    outputTail,
    reason: `${display} (exit ${result.exitCode ?? 1})`,
  };
}

/**
 * Given an event, its commands and what to tell them, runs them in order. A `before` failure stops
 * at once (nothing after it runs); after/on_error/finally run every command. Throws a HookError
 * naming each failed command; resolves when all succeeded (or there were none).
 * Example: `await runHooks('before', [['systemctl', 'stop', 'ghost']], {profile: 'daily'}, {logger})`.
 */
export async function runHooks(
  event: HookEvent,
  commands: readonly (readonly string[])[],
  vars: HookVars,
  options: HookRunOptions = {},
): Promise<void> {
  if (commands.length === 0) return;
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const name of HOOK_ENV_NAMES) delete env[name];
  // Only tarsnap needs the key's passphrase; a hook (or whatever it runs, or logs) never sees it.
  const secret = passphraseVariable(options.passphrase);
  if (secret !== undefined) delete env[secret];
  Object.assign(env, buildHookEnv(event, vars));
  const failures: HookFailure[] = [];
  for (const argv of commands) {
    if (argv.length === 0) continue;
    const failure = await runOne(event, argv, env, vars, options);
    if (!failure) continue;
    failures.push(failure);
    if (event === 'before') break;
  }
  if (failures.length > 0) throw new HookError(event, vars.profile, failures);
}
