/**
 * Command hooks (`hooks:` per profile and once per run): each an argv array run through execa,
 * never a shell unless the user writes ["sh", "-c", "…"]. stdin is closed (or, for on_error, holds
 * the failed profile's log tail), output goes line by line into the log, HOTSNAP_* variables say
 * what happened (the passphrase's variable is removed; URLs and ping secrets masked),
 * and a time limit kills the hook's whole process group — a hook is started in its own group
 * because a grandchild (`sh -c "a; b"`) would otherwise keep the output pipes open, and the run
 * waiting, long after the kill.
 */
import { execa } from 'execa';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatCommandForLog } from '../core/command-display.js';
import { maskSecrets } from '../core/mask-secrets.js';
import { formatTimeSpan } from '../core/timespan.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { onInterrupt } from './cleanup.js';
import { buildHookEnvironment, type HookEvent, type HookVars } from './hook-env.js';
import { exitFailureOf, HookError, spawnFailureOf, type HookFailure } from './hook-failure.js';
import { createLineReader } from './line-reader.js';
import { maskPingText } from './ping-mask.js';

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
  /** Text on the hook's stdin (on_error: the failed profile's log tail); without it stdin is closed. */
  input?: string;
  /** URLs whose secrets (ping UUIDs, tokens) never reach a hook, in its input or HOTSNAP_ERROR. */
  secretUrls?: readonly string[];
}

/**
 * Given text bound for a hook (a log tail, an error) and the ping URLs, returns it masked as a ping
 * body is: URL credentials, query values and long path tokens, and every form of those URLs' secrets.
 * Example: maskHookText('GET https://hc-ping.com/0f4e…-abc failed', ['https://hc-ping.com/0f4e…-abc']) → 'GET https://hc-ping.com/… failed'.
 */
export function maskHookText(text: string, secretUrls: readonly string[] = []): string {
  return maskPingText(maskSecrets([text])[0]!, secretUrls);
}

export const DEFAULT_HOOK_TIMEOUT_MS = 10 * 60 * 1000;
const KILL_GRACE_MS = 5000;
/** After the hook exits, how long to keep reading output still held open by something it left running. */
const DRAIN_MS = 500;
const TAIL_LINES = 5;
/** A line longer than this (no newline in sight) is logged in pieces rather than held in memory. */
const MAX_LINE = 64 * 1024;

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
  const stdout = createLineReader(keep(stdoutTail), { stripCarriageReturn: true, maxLineLength: MAX_LINE });
  const stderr = createLineReader(keep(stderrTail), { stripCarriageReturn: true, maxLineLength: MAX_LINE });

  const started = performance.now();
  const subprocess = execa(program, args, {
    reject: false,
    buffer: false,
    // A hook that never reads its input is fine: the tail fits in a pipe, and execa ignores EPIPE.
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
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

  const spawnFailure = spawnFailureOf(event, argv, result, timedOut, env);
  if (spawnFailure) return spawnFailure;
  logger.debug(
    { ...context, exit: result.exitCode ?? result.signal, ms: Math.round(performance.now() - started) },
    'hook finished',
  );
  return exitFailureOf(event, argv, result, { timedOut, timeoutMs, outputTail });
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
  const secrets = options.secretUrls ?? [];
  const told = vars.error === undefined ? vars : { ...vars, error: maskHookText(vars.error, secrets) };
  const env = buildHookEnvironment(options.env ?? process.env, event, told, options.passphrase);
  const input = options.input === undefined ? undefined : maskHookText(options.input, secrets);
  const failures: HookFailure[] = [];
  for (const argv of commands) {
    if (argv.length === 0) continue;
    const failure = await runOne(event, argv, env, vars, { ...options, ...(input === undefined ? {} : { input }) });
    if (!failure) continue;
    failures.push(failure);
    if (event === 'before') break;
  }
  if (failures.length > 0) throw new HookError(event, vars.profile, failures);
}
