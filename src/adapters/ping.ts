/**
 * Healthchecks-style pings (`ping:` per profile): URL/start before the backup, URL on success,
 * URL/fail with the tail of the run's log on failure. A ping can never fail a backup: each try is
 * time-limited, failures are retried a few times, and what is left is a warning. The URL is a
 * secret: logs show it, and what the server answers, masked (ping-mask.ts).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { formatTimeSpan } from '../core/timespan.js';
import { silentLogger, type Logger } from '../log.js';
import { DEFAULT_PING_BODY_BYTES, tailText } from './log-tail.js';
import { describePingAnswer, maskPingUrl } from './ping-mask.js';

export type PingKind = 'start' | 'success' | 'fail';

export interface PingOptions {
  logger?: Logger;
  /** For log messages: the profile whose `ping:` this is. */
  profile?: string;
  /** Limit for one try (default 10 s). */
  timeoutMs?: number;
  /** Tries in all (default 3). */
  tries?: number;
  /** Wait before the second try, doubling after that (default 1 s). */
  backoffMs?: number;
  /** Healthchecks' `rid`: pairs a start with its success/fail so the duration is right. */
  runId?: string;
  /** Largest body sent; a longer one keeps its end, where the failure is (default 10 000 bytes). */
  maxBodyBytes?: number;
  userAgent?: string;
  sleep?: (ms: number) => Promise<unknown>;
}

export interface PingResult {
  ok: boolean;
  attempts: number;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Why it failed (URL masked). */
  error?: string;
}

export const DEFAULT_PING_TIMEOUT_MS = 10_000;

/**
 * Given the configured URL, a kind and an optional run id, returns the URL to request; a query
 * string in the configured URL is kept.
 * Example: buildPingUrl('https://hc-ping.com/abc', 'fail', 'r1') → 'https://hc-ping.com/abc/fail?rid=r1'.
 */
export function buildPingUrl(base: string, kind: PingKind, runId?: string): string {
  const url = new URL(base);
  if (kind !== 'success') url.pathname = `${url.pathname.replace(/\/+$/, '')}/${kind}`;
  if (runId !== undefined) url.searchParams.set('rid', runId);
  return url.toString();
}

/** Most of an answer read: a ping's answer is "OK"; a hostile or broken server may send much more. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Given a response, reads at most MAX_ANSWER_BYTES of its body (then stops reading) and returns them as text. */
async function readAnswer(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  while (bytes < MAX_ANSWER_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
  }
  if (bytes >= MAX_ANSWER_BYTES) await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

function describeFetchError(error: unknown, timeoutMs: number, urls: readonly string[]): string {
  const problem = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  let text: string;
  if (problem.name === 'TimeoutError') text = `no answer within ${formatTimeSpan(timeoutMs)}`;
  else text = problem.cause?.message ?? problem.cause?.code ?? problem.message ?? String(error);
  return describePingAnswer(text, urls);
}

/** 5xx and 429 may pass; anything else the server said (404: no such check) won't change on a retry. */
const worthRetrying = (status: number) => status >= 500 || status === 429;

/**
 * Given the configured URL and a kind, pings it; resolves to what happened and never rejects
 * (a monitoring hiccup must not fail a backup). Logs a warning when every try failed.
 * Example: `await sendPing(profile.ping, 'fail', {body: tail.text(), logger})` →
 * `{ok: true, attempts: 1, status: 200}`.
 */
export async function sendPing(
  base: string,
  kind: PingKind,
  options: PingOptions & { body?: string } = {},
): Promise<PingResult> {
  const logger = options.logger ?? silentLogger;
  const masked = maskPingUrl(base);
  const context = { ping: masked, kind, ...(options.profile ? { profile: options.profile } : {}) };
  const tries = Math.max(1, options.tries ?? 3);
  const timeoutMs = options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  let url: string;
  try {
    url = buildPingUrl(base, kind, options.runId);
  } catch {
    logger.warn(
      context,
      `cannot ping: the ping URL is not a valid URL${options.profile ? ` (profiles.${options.profile}.ping)` : ''}; the backup is not affected`,
    );
    return { ok: false, attempts: 0, error: 'invalid URL' };
  }
  const body =
    options.body === undefined ? undefined : tailText(options.body, options.maxBodyBytes ?? DEFAULT_PING_BODY_BYTES);
  let last: PingResult = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= tries; attempt++) {
    let retry = true;
    try {
      const response = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          'user-agent': options.userAgent ?? 'hotsnap',
          ...(body === undefined ? {} : { 'content-type': 'text/plain; charset=utf-8' }),
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      });
      // Read the (short) answer so the connection is released; its text helps when it is an error.
      // A server may echo the request (path, UUID) in it: it is masked like the URL.
      const answer = describePingAnswer(await readAnswer(response), [url, base, response.url]);
      if (response.ok) {
        logger.debug({ ...context, attempt }, 'pinged');
        return { ok: true, attempts: attempt, status: response.status };
      }
      retry = worthRetrying(response.status);
      last = {
        ok: false,
        attempts: attempt,
        status: response.status,
        error: `HTTP ${response.status}${answer ? ` ${answer}` : ''}`,
      };
    } catch (error) {
      last = { ok: false, attempts: attempt, error: describeFetchError(error, timeoutMs, [url, base]) };
    }
    if (!retry || attempt === tries) break;
    const delay = (options.backoffMs ?? 1000) * 2 ** (attempt - 1);
    logger.info(
      { ...context, attempt, of: tries },
      `ping failed (${last.error}); retrying in ${formatTimeSpan(delay)}`,
    );
    await sleep(delay);
  }
  const where = options.profile ? `check profiles.${options.profile}.ping` : 'check the ping URL';
  logger.warn(
    context,
    `cannot ping ${masked} (${kind}): ${last.error} after ${last.attempts} ${last.attempts === 1 ? 'try' : 'tries'}; the backup is not affected — ${where} and the network`,
  );
  return last;
}

/** One profile's pings for one run, sharing a run id; every method is a no-op without a URL. */
export interface Pinger {
  start(): Promise<PingResult | undefined>;
  success(body?: string): Promise<PingResult | undefined>;
  fail(body: string): Promise<PingResult | undefined>;
}

/**
 * Given a profile's `ping` (maybe undefined) and options, returns its pinger for one run.
 * Example: `const ping = createPinger(profile.ping, {logger, profile: profile.name});`
 * `await ping.start(); … await ping.fail(tail.text(mark))`.
 */
export function createPinger(base: string | undefined, options: PingOptions = {}): Pinger {
  const runId = options.runId ?? randomUUID();
  const send = async (kind: PingKind, body?: string) =>
    base === undefined
      ? undefined
      : sendPing(base, kind, { ...options, runId, ...(body === undefined ? {} : { body }) });
  return {
    start: () => send('start'),
    success: (body?: string) => send('success', body),
    fail: (body: string) => send('fail', body),
  };
}
