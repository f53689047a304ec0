/**
 * The one place that runs tarsnap: an argv array through execa (never a shell), stdin closed so a
 * passphrase prompt can't hang a cron job, `TZ=UTC` (list times are printed in the process's zone)
 * and `LC_ALL=C`. stderr is streamed into the log, progress lines into the call's progress (and
 * the log's debug level). Failures are classified (core/tarsnap-output) and some are retried: a
 * busy cache lock (bounded wait), the network (backoff, or a countdown on a terminal), an
 * out-of-sync cache (one --fsck when `auto_fsck` is set). With dry-run, a mutating call is logged
 * and skipped.
 */
import { execa } from 'execa';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { UserError } from '../errors.js';
import { describeArgvTooLong } from '../core/argv-too-long.js';
import { formatCommandForLog } from '../core/command-display.js';
import { buildFsckArgs, type Invocation, type TarsnapCommon } from '../core/tarsnap-args.js';
import { classifyTarsnapFailure, type TarsnapFailure } from '../core/tarsnap-failure.js';
import { formatTimeSpan } from '../core/timespan.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { createLineReader } from './line-reader.js';
import type { TarsnapProgress } from './tarsnap-progress.js';

export interface TarsnapResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** true when dry-run skipped a mutating call */
  skipped: boolean;
}

/** A tarsnap call that failed: what ran, how it ended, the last stderr lines and what to do. */
export class TarsnapError extends UserError {
  readonly invocation: Invocation;
  readonly code: number | null;
  readonly stderrTail: string;
  readonly failure: TarsnapFailure;
  constructor(invocation: Invocation, code: number | null, stderr: string, failure: TarsnapFailure) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    super(
      `tarsnap failed to ${invocation.summary} (${code === null ? 'killed' : `exit ${code}`}): ${failure.line ?? tail.split('\n').pop() ?? ''}\n  what to do: ${failure.hint}`,
    );
    this.invocation = invocation;
    this.code = code;
    this.stderrTail = tail;
    this.failure = failure;
  }
}

export interface TarsnapSettingsForRunner extends TarsnapCommon {
  binary: string;
  retries: number;
  retryDelayMs: number;
  autoFsck: boolean;
}

export interface RunnerOptions {
  dryRun?: boolean;
  logger?: Logger;
  /** Extra environment (tests point the emulator at its state here). */
  env?: NodeJS.ProcessEnv;
  /** How long to keep retrying while another tarsnap holds the cache lock (default 5 min). */
  lockWaitMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
  /** Waits out a network retry's delay (default: sleep; on a terminal, a countdown: adapters/retry-countdown). */
  waitToRetry?: (delayMs: number, attempt: number, of: number) => Promise<unknown>;
}

/** How one call runs: `retry: false` turns off the waits and retries; `progress` gets its stderr lines. */
export interface RunCallOptions {
  retry?: boolean;
  progress?: TarsnapProgress;
}

export interface TarsnapRunner {
  readonly settings: TarsnapSettingsForRunner;
  /**
   * Runs one invocation with the retry policy; throws TarsnapError when it finally fails.
   * `retry: false` turns off waiting for a busy cache and network retries (auto_fsck still applies);
   * `progress` is fed every stderr line and stopped when the call ends.
   */
  run(invocation: Invocation, options?: RunCallOptions): Promise<TarsnapResult>;
}

const LOCK_POLL_MS = 5000;

/** Given settings, returns the runner; e.g. `createTarsnapRunner(s, {logger}).run(buildListArgs(s, {verbose: 1}))`. */
export function createTarsnapRunner(settings: TarsnapSettingsForRunner, options: RunnerOptions = {}): TarsnapRunner {
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  const lockWaitMs = options.lockWaitMs ?? 5 * 60 * 1000;
  const waitToRetry = options.waitToRetry ?? ((delayMs: number) => sleep(delayMs));

  async function once(invocation: Invocation, progress?: TarsnapProgress): Promise<TarsnapResult> {
    const display = formatCommandForLog(settings.binary, invocation.argv);
    logger.debug({ command: display }, `running tarsnap to ${invocation.summary}`);
    const started = performance.now();
    const subprocess = execa(settings.binary, [...invocation.argv], {
      reject: false,
      stripFinalNewline: false,
      ...(invocation.stdin !== undefined ? { input: invocation.stdin } : { stdin: 'ignore' as const }),
      env: { ...options.env, TZ: 'UTC', LC_ALL: 'C' },
      extendEnv: true,
      maxBuffer: 1024 * 1024 * 1024,
    });
    const stderr = createLineReader((line) => {
      // Progress comes every few MB: detail for the log, news for the progress line.
      if (progress?.line(line)) logger.debug(`tarsnap: ${line}`);
      else logStderrLine(logger, line);
    });
    subprocess.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const result = await subprocess;
    stderr.end();
    // bench/cli-overhead sums these to tell hotsnap's own time from tarsnap's.
    logger.debug(
      { tarsnap_ms: Math.round((performance.now() - started) * 10) / 10, exit: result.exitCode ?? null },
      `tarsnap finished: ${invocation.summary}`,
    );
    if (result.failed && result.exitCode === undefined) {
      const cause = (result as { cause?: NodeJS.ErrnoException }).cause;
      if (cause?.code === 'ENOENT') {
        throw new UserError(
          `tarsnap binary "${settings.binary}" not found: install tarsnap, or set tarsnap.binary to its path`,
        );
      }
      // The system refused the argument list (ARG_MAX, or one argument over 128 KiB): say which.
      if (cause?.code === 'E2BIG') throw new UserError(describeArgvTooLong(settings.binary, invocation.argv));
      if (result.signal) {
        const failure = {
          kind: 'unknown' as const,
          hint: `tarsnap was killed by ${result.signal}; nothing is counted as backed up`,
          serverModified: false,
        };
        throw new TarsnapError(invocation, null, String(result.stderr ?? ''), failure);
      }
      // Not execa's shortMessage: it holds the whole command line, which may be megabytes long.
      throw new UserError(
        `cannot run tarsnap (${settings.binary}): ${cause?.code ?? cause?.message ?? 'it did not start'}; check that tarsnap.binary is the tarsnap program and this user can run it`,
      );
    }
    return {
      exitCode: result.exitCode ?? 1,
      stdout: String(result.stdout),
      stderr: String(result.stderr),
      skipped: false,
    };
  }

  async function run(invocation: Invocation, runOptions: RunCallOptions = {}): Promise<TarsnapResult> {
    try {
      return await runWithRetries(invocation, runOptions);
    } finally {
      runOptions.progress?.stop();
    }
  }

  async function runWithRetries(invocation: Invocation, runOptions: RunCallOptions): Promise<TarsnapResult> {
    if (invocation.mutates && options.dryRun) {
      logger.info(`[dry run] would run: ${formatCommandForLog(settings.binary, invocation.argv)}`);
      return { exitCode: 0, stdout: '', stderr: '', skipped: true };
    }
    const retry = runOptions.retry ?? true;
    let networkRetries = 0;
    let lockWaited = 0;
    let fsckDone = false;
    for (;;) {
      const result = await once(invocation, runOptions.progress);
      if (result.exitCode === 0) return result;
      const failure = classifyTarsnapFailure(result.exitCode, result.stderr, settings);
      // Exit 2 changed the server: never retry, the caller must list to see what was stored.
      if (failure.serverModified) throw new TarsnapError(invocation, result.exitCode, result.stderr, failure);
      if (retry && failure.kind === 'lock-busy' && lockWaited < lockWaitMs) {
        logger.warn(
          { waited: formatTimeSpan(lockWaited) },
          'another tarsnap transaction is in progress on this cache; waiting',
        );
        await sleep(LOCK_POLL_MS);
        lockWaited += LOCK_POLL_MS;
        continue;
      }
      if (retry && failure.kind === 'network' && networkRetries < settings.retries) {
        const delay = settings.retryDelayMs * 2 ** networkRetries;
        networkRetries++;
        logger.warn(
          { attempt: networkRetries, of: settings.retries, delay: formatTimeSpan(delay) },
          `cannot reach the tarsnap server; retrying in ${formatTimeSpan(delay)}`,
        );
        await waitToRetry(delay, networkRetries, settings.retries);
        continue;
      }
      // Both refusals happen before tarsnap changes anything, so fixing the cache and trying once
      // more is safe even for calls that must not be retried otherwise.
      if ((failure.kind === 'needs-fsck' || failure.kind === 'no-cache') && settings.autoFsck && !fsckDone) {
        fsckDone = true;
        logger.warn(
          'the tarsnap cache is out of step with the server; running tarsnap --fsck once (tarsnap.auto_fsck)',
        );
        const fsck = buildFsckArgs(settings);
        const fsckResult = await once(fsck);
        if (fsckResult.exitCode !== 0) {
          throw new TarsnapError(
            fsck,
            fsckResult.exitCode,
            fsckResult.stderr,
            classifyTarsnapFailure(fsckResult.exitCode, fsckResult.stderr, settings),
          );
        }
        continue;
      }
      throw new TarsnapError(invocation, result.exitCode, result.stderr, failure);
    }
  }

  return { settings, run };
}

/**
 * `-v` entry lines, the leading-slash notice and the --print-stats table (with `-d` of several
 * archives a row is named by its archive, so any line ending in two sizes): detail, not news.
 */
const DETAIL =
  /^(a |tarsnap: Removing leading|\s+Total size|All archives|\s+\(unique data\)|This archive|New data|Deleted data|Deleting archive|.* +\d+ +\d+$)/;

function logStderrLine(logger: Logger, line: string): void {
  if (!line.trim()) return;
  if (DETAIL.test(line)) logger.debug(`tarsnap: ${line.replace(/^tarsnap: /, '')}`);
  else logger.info(`tarsnap: ${line.replace(/^tarsnap: /, '')}`);
}
