/** `hotsnap run` with hooks, healthchecks pings (a real local HTTP server) and the metrics file. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, type World } from './harness.js';

let world: World;
let server: Server;
let base: string;
const hits: { method: string; path: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hits.push({ method: request.method ?? '', path: (request.url ?? '').split('?')[0]!, body });
      response.end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/8b1f0f62-secret-uuid`;
  world = createWorld('hooks');
  mkdirSync(join(world.dir, 'data'));
  writeFileSync(join(world.dir, 'data/file.txt'), 'x\n');
});
afterAll(async () => {
  world.cleanup();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits.length = 0;
});

// HOTSNAP_TEST_NOW (the harness's clock) is inherited like any variable; only what hotsnap sets for hooks is compared.
const record = (file: string) => ['sh', '-c', `env | grep '^HOTSNAP_' | grep -v '^HOTSNAP_TEST_NOW=' | sort > ${file}`];
const vars = (file: string) =>
  Object.fromEntries(
    readFileSync(join(world.dir, file), 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('hooks', () => {
  it('run around the backup with HOTSNAP_* variables; global hooks run once around all profiles', async () => {
    world.writeConfig({
      hooks: { before: record('global-before.env'), finally: record('global-finally.env') },
      profiles: {
        daily: {
          paths: [join(world.dir, 'data')],
          hooks: {
            before: record('before.env'),
            after: [record('after.env'), ['true']],
            finally: record('finally.env'),
            on_error: record('on_error.env'),
          },
        },
      },
    });
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(0);
    const archive = /archive (\S+)/.exec(String(result.stdout))![1]!;
    expect(vars('before.env')).toEqual({
      HOTSNAP_CONFIG: world.configFile,
      HOTSNAP_DRY_RUN: '0',
      HOTSNAP_EVENT: 'before',
      HOTSNAP_PROFILE: 'daily',
    });
    expect(vars('after.env')).toMatchObject({
      HOTSNAP_EVENT: 'after',
      HOTSNAP_PROFILE: 'daily',
      HOTSNAP_STATUS: 'ok',
      HOTSNAP_ARCHIVE: archive,
      HOTSNAP_DATABASES: '0',
    });
    expect(Number(vars('after.env').HOTSNAP_TOTAL_BYTES)).toBeGreaterThan(0);
    expect(vars('finally.env')).toMatchObject({ HOTSNAP_EVENT: 'finally', HOTSNAP_STATUS: 'ok' });
    expect(vars('global-before.env')).toMatchObject({
      HOTSNAP_EVENT: 'before',
      HOTSNAP_PROFILES: 'daily',
      HOTSNAP_PROFILE: '',
    });
    expect(vars('global-finally.env')).toMatchObject({ HOTSNAP_EVENT: 'finally', HOTSNAP_STATUS: 'ok' });
    expect(() => vars('on_error.env')).toThrow(/ENOENT/);
  });

  it('a failing before hook fails the profile: nothing archived, on_error and finally still run', async () => {
    world.writeConfig({
      profiles: {
        daily: {
          paths: [join(world.dir, 'data')],
          hooks: {
            before: ['sh', '-c', 'echo "ghost is not stopping" >&2; exit 3'],
            on_error: record('err.env'),
            finally: record('fin.env'),
          },
        },
      },
    });
    const before = world.calls().filter((call) => call.mode === '-c').length;
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^daily: FAILED .*error: before hook of profile daily failed: sh -c .* \(exit 3\)/m);
    expect(result.stderr).toContain('ghost is not stopping');
    expect(world.calls().filter((call) => call.mode === '-c').length).toBe(before);
    expect(vars('err.env')).toMatchObject({ HOTSNAP_EVENT: 'on_error', HOTSNAP_STATUS: 'failed' });
    expect(vars('err.env').HOTSNAP_ERROR).toMatch(/before hook of profile daily failed/);
    expect(vars('fin.env')).toMatchObject({ HOTSNAP_EVENT: 'finally', HOTSNAP_STATUS: 'failed' });
  });

  it('a failing run-wide before hook fails every profile, archives nothing, and runs on_error and finally once', async () => {
    world.writeConfig({
      hooks: { before: ['false'], on_error: record('g-err.env'), finally: record('g-fin.env') },
      profiles: { daily: { paths: [join(world.dir, 'data')] }, weekly: { paths: [join(world.dir, 'data')] } },
    });
    const creates = world.calls().filter((call) => call.mode === '-c').length;
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(1);
    for (const profile of ['daily', 'weekly'])
      expect(result.stdout).toMatch(
        new RegExp(`^${profile}: FAILED .*error: before hook .*failed: false \\(exit 1\\)`, 'm'),
      );
    expect(world.calls().filter((call) => call.mode === '-c').length).toBe(creates);
    expect(vars('g-err.env')).toMatchObject({
      HOTSNAP_EVENT: 'on_error',
      HOTSNAP_STATUS: 'failed',
      HOTSNAP_PROFILES: 'daily weekly',
    });
    expect(vars('g-fin.env')).toMatchObject({ HOTSNAP_EVENT: 'finally', HOTSNAP_STATUS: 'failed' });
  });

  it('a dry run only says which hooks it would run', async () => {
    world.writeConfig({
      profiles: {
        daily: { paths: [join(world.dir, 'data')], hooks: { before: ['touch', join(world.dir, 'dry-ran')] } },
      },
    });
    const result = await world.hotsnap(['run', '--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`[dry run] would run before hook: touch ${join(world.dir, 'dry-ran')}`);
    expect(() => readFileSync(join(world.dir, 'dry-ran'))).toThrow();
  });
});

describe('pings and metrics', () => {
  it('start then success; the URL never appears in the log; metrics are written', async () => {
    const metrics = join(world.dir, 'hotsnap.prom');
    world.writeConfig({ metrics_file: metrics, profiles: { daily: { paths: [join(world.dir, 'data')], ping: base } } });
    const result = await world.hotsnap(['run', '--log-level', 'debug']);
    expect(result.exitCode).toBe(0);
    expect(hits.map((hit) => `${hit.method} ${hit.path}`)).toEqual([
      'GET /ping/8b1f0f62-secret-uuid/start',
      'POST /ping/8b1f0f62-secret-uuid',
    ]);
    expect(hits[1]!.body).toMatch(/^daily: ok {2}archive blog-daily-/);
    expect(`${result.stdout}${result.stderr}`).not.toContain('secret-uuid');
    const text = readFileSync(metrics, 'utf8');
    expect(text).toMatch(/^hotsnap_last_success_timestamp_seconds\{profile="daily"\} \d+/m);
    expect(text).toMatch(/^hotsnap_archives\{profile="daily"\} [1-9]\d*$/m);
  });

  it('start then fail, with the summary and the log tail as the body', async () => {
    world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'data')], ping: base } } });
    const result = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'network' } });
    expect(result.exitCode).toBe(1);
    expect(hits.map((hit) => `${hit.method} ${hit.path}`)).toEqual([
      'GET /ping/8b1f0f62-secret-uuid/start',
      'POST /ping/8b1f0f62-secret-uuid/fail',
    ]);
    expect(hits[1]!.body).toMatch(/^daily: FAILED/);
    expect(hits[1]!.body).toContain('Cannot obtain server address');
  });

  it('on_error reads the failed profile’s summary and log tail on stdin, HOTSNAP_ERROR one line, secrets masked', async () => {
    const mail = join(world.dir, 'mail.txt');
    world.writeConfig({
      profiles: {
        daily: {
          paths: [join(world.dir, 'data')],
          ping: base,
          hooks: {
            // What `on_error: [mail, -s, "hotsnap failed", root]` would send, and its subject line.
            on_error: ['sh', '-c', `cat > ${mail}; printf '%s' "$HOTSNAP_ERROR" > ${mail}.error`],
            before: ['sh', '-c', `echo "reporting to ${base}/log"`],
          },
        },
      },
    });
    const result = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'network' } });
    expect(result.exitCode).toBe(1);
    const text = readFileSync(mail, 'utf8');
    expect(text).toMatch(/^daily: FAILED .*error: tarsnap failed to list archives/);
    expect(text).toContain('Cannot obtain server address');
    expect(text).toMatch(/INFO +backing up +profile=daily/);
    expect(text).toContain('reporting to http://127.0.0.1:');
    expect(text).not.toContain('secret-uuid');
    const error = readFileSync(`${mail}.error`, 'utf8');
    expect(error).toMatch(/^tarsnap failed to list archives .* — what to do: cannot reach the tarsnap server/);
    expect(error).not.toContain('\n');
    expect(String(result.stdout)).toContain(`error: ${error}`);
  });

  it('a ping server that is down never fails a backup', async () => {
    world.writeConfig({
      profiles: { daily: { paths: [join(world.dir, 'data')], ping: 'http://127.0.0.1:9/ping/abc' } },
    });
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/ping/);
  });
});
