/**
 * Pings against a real HTTP server on 127.0.0.1: the order and shape of the requests, retries,
 * a server that never answers, refused connections, and a URL that never shows up in the log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPingUrl, createPinger, sendPing } from '../../src/adapters/ping.js';
import { maskPingText, maskPingUrl } from '../../src/adapters/ping-mask.js';
import { createLogTail, tailText } from '../../src/adapters/log-tail.js';
import { createLogger } from '../../src/log.js';

const UUID = '0f4e5c2a-1b2c-4d5e-8f90-123456789abc';

interface Seen {
  method: string;
  url: string;
  body: string;
  contentType?: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Starts a server whose handler decides per request (by its index); returns its base URL and what it saw. */
async function startServer(handle: (index: number, request: IncomingMessage, response: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method!,
        url: request.url!,
        body: Buffer.concat(chunks).toString('utf8'),
        contentType: request.headers['content-type'],
      });
      handle(seen.length - 1, request, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, seen };
}

const answer =
  (status: number, text = 'OK') =>
  (_index: number, _request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(text);
  };

function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    format: 'json',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream,
  });
  return { logger, lines };
}

const noWait = async () => undefined;

describe('buildPingUrl and maskPingUrl', () => {
  it.each([
    ['https://hc-ping.com/abc', 'start', undefined, 'https://hc-ping.com/abc/start'],
    ['https://hc-ping.com/abc/', 'fail', undefined, 'https://hc-ping.com/abc/fail'],
    ['https://hc-ping.com/abc', 'success', 'r1', 'https://hc-ping.com/abc?rid=r1'],
    [
      'https://hc-ping.com/key/backup-daily?create=1',
      'start',
      'r1',
      'https://hc-ping.com/key/backup-daily/start?create=1&rid=r1',
    ],
  ] as const)('%s %s → %s', (base, kind, runId, expected) => {
    expect(buildPingUrl(base, kind, runId)).toBe(expected);
  });

  it('keeps only scheme and host', () => {
    expect(maskPingUrl(`https://user:pw@hc-ping.com/${UUID}/fail?token=s3cret`)).toBe('https://hc-ping.com/…');
    expect(maskPingUrl('not a url')).toBe('(invalid ping URL)');
  });
});

describe('maskPingText', () => {
  const base = `https://hc.example.com/ping/${UUID}?token=s3cretvalue`;
  it.each([
    ['the whole URL', `cannot reach ${base}`, 'cannot reach https://hc.example.com/…'],
    ['the path with the kind added', `no check at /ping/${UUID}/start`, 'no check at /…/start'],
    ['the UUID alone, in capitals', `check ${UUID.toUpperCase()} is paused`, 'check … is paused'],
    ['the path percent-encoded', `not found: %2Fping%2F${UUID}`, 'not found: …'],
    ['a query value', 'bad token s3cretvalue', 'bad token …'],
    ['any UUID, e.g. one the server made up', 'id 11111111-2222-4333-8444-555555555555', 'id …'],
    ['text with no secret', 'HTTP 503 maintenance: try later', 'HTTP 503 maintenance: try later'],
  ])('%s', (_what, text, expected) => {
    expect(maskPingText(text, [base])).toBe(expected);
  });

  it('a ping key and slug URL: both long segments', () => {
    expect(
      maskPingText('no check fT5uGxQmR3kLpW8zA1bC9d/backup-daily', [
        'https://hc-ping.com/fT5uGxQmR3kLpW8zA1bC9d/backup-daily',
      ]),
    ).toBe('no check …/…');
  });
});

describe('tailText', () => {
  it('keeps short text whole and cuts long text at a line, from the end', () => {
    expect(tailText('a\nb', 10)).toBe('a\nb');
    expect(tailText('line one\nline two\nline three', 14)).toBe('[… earlier lines cut]\nline three');
    const cut = tailText(`${'é'.repeat(20)}`, 7);
    expect(Buffer.byteLength(cut.split('\n')[1]!, 'utf8')).toBeLessThanOrEqual(7);
    expect(cut).not.toContain('\uFFFD');
  });
});

describe('createPinger against a real server', () => {
  it('start then success: GET URL/start then GET URL, with one run id', async () => {
    const { base, seen } = await startServer(answer(200));
    const pinger = createPinger(`${base}/${UUID}`);
    expect(await pinger.start()).toEqual({ ok: true, attempts: 1, status: 200 });
    expect(await pinger.success()).toEqual({ ok: true, attempts: 1, status: 200 });
    expect(seen.map((s) => [s.method, s.url.replace(/rid=[^&]+/, 'rid=X')])).toEqual([
      ['GET', `/${UUID}/start?rid=X`],
      ['GET', `/${UUID}?rid=X`],
    ]);
    const rids = seen.map((s) => new URL(s.url, base).searchParams.get('rid'));
    expect(rids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(rids[1]).toBe(rids[0]);
  });

  it('start then fail: POST URL/fail with the log tail as a text body, capped from the end', async () => {
    const { base, seen } = await startServer(answer(200));
    const pinger = createPinger(`${base}/${UUID}`, { maxBodyBytes: 1000 });
    await pinger.start();
    const log = Array.from({ length: 100 }, (_, i) => `12:00:${String(i % 60).padStart(2, '0')}  INFO  line ${i}`).join(
      '\n',
    );
    expect((await pinger.fail(`${log}\nERROR  backup failed: tarsnap: Error connecting`))!.ok).toBe(true);
    expect(seen[1]!.method).toBe('POST');
    expect(seen[1]!.url).toMatch(new RegExp(`^/${UUID}/fail\\?rid=`));
    expect(seen[1]!.contentType).toBe('text/plain; charset=utf-8');
    expect(seen[1]!.body.startsWith('[… earlier lines cut]\n')).toBe(true);
    expect(seen[1]!.body.endsWith('ERROR  backup failed: tarsnap: Error connecting')).toBe(true);
    expect(Buffer.byteLength(seen[1]!.body.slice('[… earlier lines cut]\n'.length), 'utf8')).toBeLessThanOrEqual(1000);
  });

  it('does nothing without a URL', async () => {
    const pinger = createPinger(undefined);
    expect(await pinger.start()).toBeUndefined();
    expect(await pinger.fail('x')).toBeUndefined();
  });
});

describe('sendPing failures never throw', () => {
  it('retries after a 500 and succeeds on the next try', async () => {
    const { base, seen } = await startServer((index, request, response) =>
      answer(index === 0 ? 500 : 200, index === 0 ? 'oops' : 'OK')(index, request, response),
    );
    const waits: number[] = [];
    const result = await sendPing(`${base}/${UUID}`, 'success', {
      sleep: async (ms) => void waits.push(ms),
      backoffMs: 250,
    });
    expect(result).toEqual({ ok: true, attempts: 2, status: 200 });
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([250]);
  });

  it('gives up after the tries, doubling the wait, and warns once', async () => {
    const { base, seen } = await startServer(answer(503, 'maintenance'));
    const { logger, lines } = capturingLogger();
    const waits: number[] = [];
    const result = await sendPing(`${base}/${UUID}`, 'start', {
      logger,
      profile: 'daily',
      tries: 3,
      backoffMs: 100,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result).toEqual({ ok: false, attempts: 3, status: 503, error: 'HTTP 503 maintenance' });
    expect(seen).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
    const warnings = lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((record) => record.level === 40);
    expect(warnings.map((w) => w.msg)).toEqual([
      `cannot ping ${base}/… (start): HTTP 503 maintenance after 3 tries; the backup is not affected — check profiles.daily.ping and the network`,
    ]);
  });

  it('does not retry what a retry cannot fix (404: no such check)', async () => {
    const { base, seen } = await startServer(answer(404, 'not found'));
    const result = await sendPing(`${base}/${UUID}`, 'success', { sleep: noWait });
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 404 });
    expect(seen).toHaveLength(1);
  });

  it('a server that never answers: each try ends at the time limit', async () => {
    let requests = 0;
    const { base } = await startServer(() => {
      requests++; // and never respond
    });
    const result = await sendPing(`${base}/${UUID}`, 'fail', { body: 'tail', timeoutMs: 200, tries: 2, sleep: noWait });
    expect(result).toEqual({ ok: false, attempts: 2, error: 'no answer within 200ms' });
    expect(requests).toBe(2);
  });

  it('a refused connection and an invalid URL are warnings, not errors', async () => {
    const { base } = await startServer(answer(200));
    const closed = servers.pop()!;
    closed.closeAllConnections();
    await new Promise((resolve) => closed.close(resolve));
    const refused = await sendPing(`${base}/${UUID}`, 'start', { tries: 2, sleep: noWait });
    expect(refused.ok).toBe(false);
    expect(refused.attempts).toBe(2);
    expect(refused.error).toMatch(/ECONNREFUSED/);
    expect(await sendPing('::not a url', 'start')).toEqual({ ok: false, attempts: 0, error: 'invalid URL' });
  });

  it('a server that echoes the request (path, UUID, query) in its answer: the log and the result hold none of it', async () => {
    const { base } = await startServer((index, request, response) => {
      const echo =
        index === 0
          ? `no such check: ${request.url}\nrequest was GET http://${request.headers.host}${request.url}`
          : `check ${UUID.toUpperCase()} (${encodeURIComponent(request.url!)}) is paused`;
      answer(index === 0 ? 500 : 404, echo)(index, request, response);
    });
    const { logger, lines } = capturingLogger();
    const result = await sendPing(`${base}/ping/${UUID}?token=s3cretvalue`, 'fail', {
      logger,
      profile: 'daily',
      body: 'log tail',
      sleep: noWait,
    });
    expect(result).toMatchObject({ ok: false, attempts: 2, status: 404 });
    expect(result.error).toBe('HTTP 404 check … (……) is paused');
    const logged = lines.join('\n');
    expect(logged).toContain(`HTTP 500 no such check: /…… request was GET ${base}/…`);
    for (const secret of [UUID, UUID.toUpperCase(), 's3cretvalue', '/ping/']) expect(logged).not.toContain(secret);
    expect(logged.toLowerCase()).not.toContain(UUID.slice(0, 8));
  });

  it('a huge answer: read only in part, shown as one short line', async () => {
    const { base } = await startServer((_index, _request, response) => {
      response.writeHead(400, { 'content-type': 'text/plain' });
      // 8 MB, with line breaks and terminal escapes a log line must not carry.
      response.end(`bad\r\n\u001b[31mrequest\u001b[0m ${'x'.repeat(8 * 1024 * 1024)}`);
    });
    const result = await sendPing(`${base}/${UUID}`, 'start', { sleep: noWait });
    expect(result.status).toBe(400);
    expect(result.error!.startsWith('HTTP 400 bad [31mrequest [0m xxx')).toBe(true);
    expect(result.error!.length).toBeLessThanOrEqual(220);
    expect(result.error).not.toMatch(/[\u0000-\u001f]/);
  });

  it('never logs the path or query of the URL', async () => {
    const { base } = await startServer((index, request, response) =>
      answer(index === 0 ? 500 : 404)(index, request, response),
    );
    const { logger, lines } = capturingLogger();
    const secretUrl = `${base}/ping/${UUID}?token=s3cretvalue`;
    await sendPing(secretUrl, 'fail', { logger, body: 'x', sleep: noWait });
    // And when the connection itself fails (the error text may carry the address).
    servers.pop()!.closeAllConnections();
    await sendPing(`http://127.0.0.1:1/${UUID}?token=s3cretvalue`, 'start', { logger, tries: 1 });
    const logged = lines.join('\n');
    expect(logged).toContain(`${base}/…`);
    expect(logged).toContain('http://127.0.0.1:1/…');
    expect(logged).not.toContain(UUID);
    expect(logged).not.toContain('s3cretvalue');
    expect(logged).not.toContain('/ping/');
  });
});

describe('createLogTail', () => {
  it('collects a real pino logger’s records as readable lines, from a mark on', () => {
    const tail = createLogTail();
    const logger = pino({ level: 'info', base: undefined }, pino.multistream([{ level: 'info', stream: tail.stream }]));
    logger.info({ profile: 'daily' }, 'backing up');
    const mark = tail.mark();
    logger.info({ profile: 'weekly' }, 'backing up');
    logger.error({ db: '/var/lib/app/app.db' }, 'cannot hot-copy database: disk I/O error');
    logger.debug('not at this level');
    const all = tail.text().split('\n');
    expect(all).toHaveLength(3);
    const weekly = tail.text(mark).split('\n');
    expect(weekly).toHaveLength(2);
    expect(weekly[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}INFO {3}backing up {2}profile=weekly$/);
    expect(weekly[1]).toMatch(/ERROR {2}cannot hot-copy database: disk I\/O error {2}db=\/var\/lib\/app\/app\.db$/);
  });

  it('reads records of a JSON-format logger (ISO time) just the same', () => {
    const tail = createLogTail();
    const logger = pino(
      { level: 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
      pino.multistream([{ level: 'info', stream: tail.stream }]),
    );
    logger.warn({ profile: 'daily' }, 'cannot ping');
    expect(tail.text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}WARN {3}cannot ping {2}profile=daily$/);
  });

  it('keeps within its byte budget, dropping the oldest lines and saying so', () => {
    const tail = createLogTail({ maxBytes: 100 });
    for (let i = 0; i < 50; i++) tail.push(`line number ${i}`);
    const text = tail.text();
    expect(text.startsWith('[… earlier lines cut]\n')).toBe(true);
    expect(text.endsWith('line number 49')).toBe(true);
    expect(Buffer.byteLength(text.slice('[… earlier lines cut]\n'.length), 'utf8')).toBeLessThanOrEqual(100);
    // A mark after the cut sees only its own lines, without the note.
    const mark = tail.mark();
    tail.push('after the mark');
    expect(tail.text(mark)).toBe('after the mark');
    // Non-JSON lines written to the stream are kept as they are.
    tail.stream.write('plain text\n');
    expect(tail.text(mark)).toBe('after the mark\nplain text');
  });
});
