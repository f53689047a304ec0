/**
 * Healthchecks-style pings (`ping:` per profile): URL/start before the backup, URL on success,
 * URL/fail with the tail of the run's log on failure. A ping can never fail a backup: each try is
 * time-limited, failures are retried a few times, and what is left is a warning. The URL is a
 * secret (the UUID or ping key in it lets anyone report for the check), so logs show only
 * scheme and host, and whatever the server answers or an error says is masked the same way.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { formatTimeSpan } from '../core/timespan.js';
import { formatLogLine, silentLogger, type Logger } from '../log.js';

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
export const DEFAULT_PING_BODY_BYTES = 10_000;

/**
 * Given a ping URL, returns it fit for logs: scheme and host only.
 * Example: maskPingUrl('https://hc-ping.com/0f4e…-abc/start') → 'https://hc-ping.com/…'.
 */
export function maskPingUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(invalid ping URL)';
  }
}

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

/**
 * Given text and a byte limit, returns at most that many UTF-8 bytes from its end, starting at a
 * line when it has to cut, with a note saying so.
 * Example: tailText('a\nb\nc', 3) → '[… earlier lines cut]\nc' (the note doesn't count).
 */
export function tailText(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let kept = bytes.subarray(bytes.length - maxBytes).toString('utf8');
  // The cut may split a character (U+FFFD) or a line: start at the next whole line when there is one.
  const newline = kept.indexOf('\n');
  kept = newline >= 0 && newline < kept.length - 1 ? kept.slice(newline + 1) : kept.replace(/^\uFFFD+/, '');
  return `[… earlier lines cut]\n${kept}`;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Shorter path segments and values (`ping`, `fail`, `create=1`) say nothing secret, and masking them would garble the text. */
const MIN_SECRET_LENGTH = 6;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Given a ping URL, returns every form of its secret parts a server or an error may echo, longest first. */
function secretPartsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const parts = [url, parsed.href, parsed.pathname.replace(/\/+$/, ''), parsed.search];
  parts.push(...parsed.pathname.split('/'), parsed.username, parsed.password);
  for (const value of parsed.searchParams.values()) parts.push(value);
  const forms = parts.flatMap((part) => [part, safeDecode(part), encodeURIComponent(safeDecode(part))]);
  return [...new Set(forms)].filter((part) => part.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * Given text a ping produced (the server's answer, an error message) and the URLs involved, returns
 * it with every form of their secrets masked: whole URLs down to scheme and host, their paths, path
 * segments, query values and credentials (any case, encoded or not), and anything shaped like a UUID.
 * Example: maskPingText('no check /0f4e…-abc/start', ['https://hc-ping.com/0f4e…-abc']) → 'no check /…/start'.
 */
export function maskPingText(text: string, urls: readonly string[]): string {
  const known = urls.filter((url) => url.length >= MIN_SECRET_LENGTH);
  let masked = text;
  for (const url of known) masked = masked.replace(new RegExp(escapeRegExp(url), 'gi'), maskPingUrl(url));
  const parts = [...new Set(known.flatMap(secretPartsOf))].sort((a, b) => b.length - a.length);
  for (const part of parts)
    masked = masked.replace(new RegExp(escapeRegExp(part), 'gi'), part.startsWith('/') ? '/…' : '…');
  return masked.replace(UUID, '…');
}

/** Given a server's answer, returns it fit for one log line: masked first (so a cut can't leave half a secret), then control characters and runs of space made one space, at most 200 characters. */
function describeAnswer(answer: string, urls: readonly string[]): string {
  const line = maskPingText(answer, urls)
    .replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
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
  return describeAnswer(text, urls);
}

/** 5xx and 429 may pass; anything else the server said (404: no such check) won't change on a retry. */
const worthRetrying = (status: number) => status >= 500 || status === 429;

/**
 * Given the configured URL and a kind, pings it; resolves to what happened and never rejects
 * (a monitoring hiccup must not fail a backup). Logs a warning when every try failed.
 * Example: `await sendPing(profile.ping, 'fail', {body: tail.text(), logger})` → `{ok: true, attempts: 1, status: 200}`.
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
      const answer = describeAnswer(await readAnswer(response), [url, base, response.url]);
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
 * Example: `const ping = createPinger(profile.ping, {logger, profile: profile.name}); await ping.start(); … await ping.fail(tail.text(mark))`.
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

/** The last lines of the log, kept for a failure ping's body. */
export interface LogTail {
  /** Takes pino's NDJSON records (add it to the logger with pino.multistream) and keeps them as readable lines. */
  readonly stream: Writable;
  /** Keeps one line as it is. */
  push(line: string): void;
  /** Returns a cursor: `text(cursor)` gives only lines kept after it (one profile's part of the run). */
  mark(): number;
  /** Returns the kept lines since `cursor` (default: all kept), at most `maxBytes` of them from the end. */
  text(cursor?: number): string;
}

/**
 * Given a byte budget, returns an empty log tail; lines past the budget are dropped oldest first.
 * Example: `const tail = createLogTail(); pino({}, pino.multistream([{stream: stderr}, {stream: tail.stream}]))`.
 */
export function createLogTail(options: { maxBytes?: number } = {}): LogTail {
  const maxBytes = options.maxBytes ?? DEFAULT_PING_BODY_BYTES;
  const lines: { seq: number; text: string; bytes: number }[] = [];
  let bytes = 0;
  let nextSeq = 0;
  let dropped = -1;
  let pending = '';

  function push(line: string): void {
    const text = line.replace(/\n+$/, '');
    const size = Buffer.byteLength(text, 'utf8') + 1;
    lines.push({ seq: nextSeq++, text, bytes: size });
    bytes += size;
    while (bytes > maxBytes && lines.length > 1) {
      const old = lines.shift()!;
      bytes -= old.bytes;
      dropped = old.seq;
    }
  }

  function record(line: string): void {
    if (!line.trim()) return;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      // `--log-format json` stamps ISO strings; the readable line wants epoch milliseconds.
      if (typeof parsed.time === 'string') parsed.time = Date.parse(parsed.time);
      push(formatLogLine(parsed));
    } catch {
      push(line);
    }
  }

  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      parts.forEach(record);
      callback();
    },
  });

  return {
    stream,
    push,
    mark: () => nextSeq,
    text(cursor = 0) {
      const body = lines
        .filter((line) => line.seq >= cursor)
        .map((line) => line.text)
        .join('\n');
      // Only one line longer than the whole budget can still be over it.
      if (Buffer.byteLength(body, 'utf8') > maxBytes) return tailText(body, maxBytes);
      return dropped >= cursor ? `[… earlier lines cut]\n${body}` : body;
    },
  };
}
