/**
 * How a hook command failed, as people read it: never started (not found, not executable), timed
 * out, killed by a signal or a non-zero exit, with its last output lines; and the HookError that
 * names every failed command of one event.
 */
import { formatCommandForLog } from '../core/command-display.js';
import { formatTimeSpan } from '../core/timespan.js';
import { UserError } from '../errors.js';
import type { HookEvent } from './hook-env.js';

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

/** How a hook's process ended, as execa reports it (with `reject: false`). */
export interface HookExit {
  failed: boolean;
  exitCode?: number;
  signal?: string;
  /** The spawn error when it never started. */
  cause?: unknown;
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

/**
 * Given a hook that may never have started, returns its failure when spawning it failed, else undefined.
 * Example: (…, ['dump-db'], {failed: true, cause: {code: 'ENOENT'}}, false, env).spawnError → 'not-found'.
 */
export function spawnFailureOf(
  event: HookEvent,
  argv: readonly string[],
  result: HookExit,
  timedOut: boolean,
  env: NodeJS.ProcessEnv,
): HookFailure | undefined {
  const spawnCode = (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (!result.failed || result.exitCode !== undefined || result.signal !== undefined || timedOut || !spawnCode)
    return undefined;
  const kind = spawnCode === 'ENOENT' ? 'not-found' : spawnCode === 'EACCES' ? 'not-executable' : spawnCode;
  return {
    event,
    argv,
    timedOut,
    spawnError: kind,
    outputTail: [],
    reason: describeSpawnError(argv[0] ?? '', spawnCode, env),
  };
}

/**
 * Given how a started hook ended, returns its failure (time-out, signal, non-zero exit), or undefined after exit 0.
 * Example: (…, ['dump-db', '--all'], {failed: true, exitCode: 3}, {…}).reason → 'dump-db --all (exit 3)'.
 */
export function exitFailureOf(
  event: HookEvent,
  argv: readonly string[],
  result: HookExit,
  ending: { timedOut: boolean; timeoutMs: number; outputTail: string[] },
): HookFailure | undefined {
  const { timedOut, timeoutMs, outputTail } = ending;
  const [program, ...args] = argv as [string, ...string[]];
  const display = formatCommandForLog(program, args);
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
