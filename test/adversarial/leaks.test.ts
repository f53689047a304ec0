/**
 * Issue 8, secrets and small leaks (and two config-time checks from case 5), end to end: the built
 * CLI (`npm run build` first) against the tarsnap emulator, a ping server on 127.0.0.1 that echoes
 * what it was asked, real hooks and real files. One test per attack or fault; each failed before
 * the fix it names.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../e2e/harness.js';

const UUID = '0f4e5c2a-1b2c-4d5e-8f90-123456789abc';

let world: World;
let data: string;
const servers: Server[] = [];
beforeEach(() => {
  world = createWorld('leaks');
  data = join(world.dir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'notes.txt'), 'hello\n');
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  world.cleanup();
});

const output = (result: { stdout?: unknown; stderr?: unknown }) => `${String(result.stdout)}\n${String(result.stderr)}`;

describe('secrets stay out of logs and hooks', () => {
  it("a ping server that echoes the request path: the check's UUID appears nowhere in the output", async () => {
    const seen: string[] = [];
    // Loopback only. Like some proxies and self-hosted servers, it answers 404 quoting the request.
    const server = createServer((request, response) => {
      seen.push(request.url!);
      request.resume();
      request.on('end', () => {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end(`no check at ${request.url} (GET http://${request.headers.host}${request.url})`);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    world.writeConfig({ profiles: { daily: { paths: [data], ping: `http://127.0.0.1:${port}/ping/${UUID}` } } });

    const result = await world.hotsnap(['run', '--log-level', 'debug']);
    expect(result.exitCode).toBe(0);
    expect(seen.map((url) => url.replace(/\?rid=.*/, ''))).toEqual([`/ping/${UUID}/start`, `/ping/${UUID}`]);
    // The warning is there, with what the server said, masked.
    expect(String(result.stderr)).toMatch(
      /cannot ping http:\/\/127\.0\.0\.1:\d+\/… \(start\): HTTP 404 no check at \/…/,
    );
    expect(output(result).toLowerCase()).not.toContain(UUID.slice(0, 8));
  });

  it('a passphrase file readable by others (0644): check exits 3 naming it, with the chmod', async () => {
    const passphrase = join(world.dir, 'tarsnap.pass');
    writeFileSync(passphrase, 'correct horse\n');
    chmodSync(passphrase, 0o644);
    world.writeConfig({ tarsnap: { passphrase: `file:${passphrase}` }, profiles: { daily: { paths: [data] } } });
    await world.fsck();

    const result = await world.hotsnap(['check']);
    expect(String(result.stdout)).toContain(
      `PROBLEM passphrase: passphrase file ${passphrase} is readable by others (mode 0644); run chmod 600 ${passphrase}`,
    );
    expect(result.exitCode).toBe(3);
    expect(output(result)).not.toContain('correct horse');

    chmodSync(passphrase, 0o600);
    const fixed = await world.hotsnap(['check']);
    expect(String(fixed.stdout)).toContain(`ok      passphrase: passphrase file ${passphrase} is private (mode 0600)`);
    expect(fixed.exitCode).toBe(0);
  });

  it('hooks do not see the variable holding the tarsnap passphrase, while tarsnap still gets it', async () => {
    const protectedKey = join(world.dir, 'protected.key');
    writeFileSync(
      protectedKey,
      '# START OF TARSNAP KEY FILE\nemulator-key: read,write,delete\nemulator-passphrase: correct horse\n',
    );
    chmodSync(protectedKey, 0o600);
    const printEnv = (name: string) => ['sh', '-c', `env > ${join(world.dir, `${name}.env`)}`];
    world.writeConfig({
      tarsnap: { keyfile: protectedKey, passphrase: 'env:TARSNAP_PASS' },
      hooks: { before: printEnv('run-before'), finally: printEnv('run-finally') },
      profiles: {
        daily: {
          paths: [data],
          hooks: { before: printEnv('before'), after: printEnv('after'), finally: printEnv('finally') },
        },
      },
    });

    const result = await world.hotsnap(['run'], { env: { TARSNAP_PASS: 'correct horse', KEEP_ME: 'yes' } });
    expect(result.exitCode).toBe(0);
    expect(world.calls().filter((call) => call.mode === '-c')).toHaveLength(1);
    for (const name of ['run-before', 'before', 'after', 'finally', 'run-finally']) {
      const env = readFileSync(join(world.dir, `${name}.env`), 'utf8');
      expect(env).toMatch(/^KEEP_ME=yes$/m);
      expect(env).not.toMatch(/^TARSNAP_PASS=/m);
      expect(env).not.toContain('correct horse');
    }
  });
});

describe('hostile sizes: bounded output, one-line reasons', () => {
  it('200 000 exclude patterns: run exits 1 with one line saying why and what to do; stderr and the state file stay small', async () => {
    const exclude = Array.from(
      { length: 200_000 },
      (_, i) => `/srv/app/cache/sessions/session-${String(i).padStart(6, '0')}.tmp`,
    );
    world.writeConfig({ profiles: { daily: { paths: [data], exclude } } });

    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(1);
    const summary = String(result.stdout).trim().split('\n');
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(
      /^daily: FAILED .*200001 exclude patterns make the tarsnap command line [\d.]+ MB \(\d+ arguments\), over the system's limit for a program's arguments: use fewer, broader patterns in exclude/,
    );
    expect(summary[0]!.length).toBeLessThan(1000);
    expect(String(result.stderr).length).toBeLessThan(20_000);
    expect(String(result.stderr)).not.toMatch(/internal error/);
    const stateFiles = readdirSync(join(world.stateDir, 'profiles')).filter((name) => name.endsWith('.json'));
    expect(stateFiles).toEqual(['daily.json']);
    expect(statSync(join(world.stateDir, 'profiles', 'daily.json')).size).toBeLessThan(10_000);
    expect(JSON.parse(readFileSync(join(world.stateDir, 'profiles', 'daily.json'), 'utf8')).last_attempt.error).toMatch(
      /exclude patterns make the tarsnap command line/,
    );
    expect(world.calls().filter((call) => call.mode === '-c')).toEqual([]);
  });

  it('a YAML alias bomb ("billion laughs"): exit 2 with the reason, long before it could expand', async () => {
    const names = 'abcdefghi';
    const lines = [`${names[0]}: &${names[0]} [${Array(9).fill('"lol"').join(', ')}]`];
    for (let level = 1; level < names.length; level++)
      lines.push(
        `${names[level]}: &${names[level]} [${Array(9)
          .fill(`*${names[level - 1]}`)
          .join(', ')}]`,
      );
    writeFileSync(
      world.configFile,
      `tarsnap: {keyfile: ${world.keyfile}, cachedir: ${world.cachedir}}\nprofiles: {daily: {paths: [${data}]}}\n${lines.join('\n')}\n`,
    );

    // 9^9 strings would take minutes and gigabytes: finishing within the time limit at all is the point.
    const result = await world.hotsnap(['config', 'validate'], { timeout: 30_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('YAML aliases (*name) expand too much');
    expect(String(result.stderr)).not.toMatch(/internal error|ReferenceError/);
  });

  it('extra_args ["-v"]: config validate and check exit 2 naming the key, before any run copies anything', async () => {
    world.writeConfig({ tarsnap: { extra_args: ['-v'] }, profiles: { daily: { paths: [data] } } });

    for (const command of [['config', 'validate'], ['check']]) {
      const result = await world.hotsnap(command);
      expect(result.exitCode, command.join(' ')).toBe(2);
      expect(String(result.stderr)).toMatch(
        /tarsnap\.extra_args\[0\]: tarsnap extra argument "-v" is not allowed: -v: it lists every file on stderr/,
      );
      expect(String(result.stderr)).not.toMatch(/--verbose|internal error/);
    }
    const run = await world.hotsnap(['run']);
    expect(run.exitCode).toBe(2);
    expect(world.calls()).toEqual([]);
    expect(readdirSync(world.stagingDir)).toEqual([]);
  });
});
