/**
 * Hooks run as real child processes (sh, sleep, a script on disk): environment, output into the
 * log, failure reports, the time limit reaching grandchildren, and background processes that
 * must not keep the run waiting.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHooks } from '../../src/adapters/hooks.js';
import { buildHookEnv, passphraseVariable } from '../../src/adapters/hook-env.js';
import { HookError } from '../../src/adapters/hook-failure.js';
import { runInterruptStepsForTest } from '../../src/adapters/cleanup.js';
import { createLogger } from '../../src/log.js';

let dir: string;
const strays: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-hooks-test-'));
});
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function capturingLogger() {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({
    format: 'json',
    level: 'debug',
    destination: {
      write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>),
    } as unknown as NodeJS.WritableStream,
  });
  return { logger, records };
}

/** Alive and not a zombie (a reparented child may wait a moment to be reaped). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isRunning(pid); i++) await sleep(50);
  return !isRunning(pid);
}

async function caught(promise: Promise<unknown>): Promise<HookError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HookError);
    return error as HookError;
  }
  throw new Error('expected a HookError');
}

describe('buildHookEnv', () => {
  it('tells an after hook everything, with whole numbers', () => {
    expect(
      buildHookEnv('after', {
        profile: 'daily',
        profiles: ['daily', 'weekly'],
        archive: 'web-daily-2026-01-01_03-00-00',
        status: 'ok',
        total_bytes: 1_234_567,
        compressed_bytes: 600_000,
        new_bytes: 4096,
        databases: 2,
        writer_block_ms: 12.6,
        dry_run: false,
        config: '/etc/hotsnap/hotsnap.yaml',
      }),
    ).toEqual({
      HOTSNAP_EVENT: 'after',
      HOTSNAP_PROFILE: 'daily',
      HOTSNAP_PROFILES: 'daily weekly',
      HOTSNAP_ARCHIVE: 'web-daily-2026-01-01_03-00-00',
      HOTSNAP_STATUS: 'ok',
      HOTSNAP_TOTAL_BYTES: '1234567',
      HOTSNAP_COMPRESSED_BYTES: '600000',
      HOTSNAP_NEW_BYTES: '4096',
      HOTSNAP_DATABASES: '2',
      HOTSNAP_WRITER_BLOCK_MS: '13',
      HOTSNAP_DRY_RUN: '0',
      HOTSNAP_CONFIG: '/etc/hotsnap/hotsnap.yaml',
    });
  });

  it('never gives a before hook a status; a global hook has an empty profile', () => {
    expect(buildHookEnv('before', { profiles: ['daily'], status: 'failed', dry_run: true })).toEqual({
      HOTSNAP_EVENT: 'before',
      HOTSNAP_PROFILE: '',
      HOTSNAP_PROFILES: 'daily',
      HOTSNAP_DRY_RUN: '1',
    });
  });

  it('keeps an error message fit for the environment (no NUL, bounded length)', () => {
    const env = buildHookEnv('on_error', { profile: 'd', status: 'failed', error: `a\0b${'x'.repeat(10_000)}` });
    expect(env.HOTSNAP_ERROR!.startsWith('abx')).toBe(true);
    expect(env.HOTSNAP_ERROR!.length).toBeLessThanOrEqual(4001);
    expect(env.HOTSNAP_STATUS).toBe('failed');
  });
});

describe('runHooks', () => {
  it('passes HOTSNAP_* variables, replaces stale ones inherited from the parent and keeps the rest', async () => {
    const out = join(dir, 'env.txt');
    await runHooks(
      'after',
      [['sh', '-c', `env | grep -E '^(HOTSNAP_|KEEP_ME)' | sort > ${out}`]],
      { profile: 'daily', archive: 'a1', status: 'ok', databases: 1 },
      {
        env: { ...process.env, HOTSNAP_ERROR: 'stale from an outer run', HOTSNAP_TOTAL_BYTES: '99', KEEP_ME: 'yes' },
      },
    );
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual([
      'HOTSNAP_ARCHIVE=a1',
      'HOTSNAP_DATABASES=1',
      'HOTSNAP_DRY_RUN=0',
      'HOTSNAP_EVENT=after',
      'HOTSNAP_PROFILE=daily',
      'HOTSNAP_STATUS=ok',
      'KEEP_ME=yes',
    ]);
  });

  it('removes the variable holding the tarsnap passphrase (tarsnap.passphrase env:VAR) from every hook', async () => {
    const env = { ...process.env, TARSNAP_PASS: 'correct horse', KEEP_ME: 'yes' };
    const seen = (name: string) => join(dir, `${name}.txt`);
    const printEnv = (name: string) => ['sh', '-c', `env > ${seen(name)}`];
    await runHooks('before', [printEnv('before')], { profile: 'daily' }, { env, passphrase: 'env:TARSNAP_PASS' });
    await runHooks(
      'after',
      [printEnv('after-1'), printEnv('after-2')],
      { profile: 'daily', status: 'ok' },
      { env, passphrase: 'env:TARSNAP_PASS' },
    );
    for (const name of ['before', 'after-1', 'after-2']) {
      const text = readFileSync(seen(name), 'utf8');
      expect(text).not.toContain('correct horse');
      expect(text).not.toMatch(/^TARSNAP_PASS=/m);
      expect(text).toMatch(/^KEEP_ME=yes$/m);
    }
    // A file: passphrase (or none) leaves the environment alone.
    await runHooks('after', [printEnv('file')], {}, { env, passphrase: 'file:/root/tarsnap.pass' });
    expect(readFileSync(seen('file'), 'utf8')).toMatch(/^TARSNAP_PASS=correct horse$/m);
    expect(passphraseVariable('env:TARSNAP_PASS')).toBe('TARSNAP_PASS');
    expect(passphraseVariable('file:/root/tarsnap.pass')).toBeUndefined();
    expect(passphraseVariable(undefined)).toBeUndefined();
  });

  it('streams stdout and stderr into the log line by line, with the hook name; stdin is closed', async () => {
    const { logger, records } = capturingLogger();
    await runHooks(
      'before',
      [['sh', '-c', 'echo one; echo two >&2; printf "no newline"; read x || echo "stdin closed"']],
      { profile: 'daily' },
      { logger },
    );
    const lines = records.filter((r) => r.hook === 'before:sh' && r.level === 30).map((r) => r.msg);
    expect(lines[0]).toBe('running hook');
    expect(lines.slice(1).sort()).toEqual(['no newlinestdin closed', 'one', 'two'].sort());
    expect(records.every((r) => r.hook === undefined || r.profile === 'daily')).toBe(true);
  });

  it('gives its input on stdin, masked like a ping body, and HOTSNAP_ERROR as one masked line', async () => {
    const ping = 'https://hc-ping.com/0f4e5c2a-1b2c-4d5e-8f90-123456789abc';
    const secretUrls = [ping, 'https://hooks.example.net/p/Zr8xQ2vN7kLm'];
    const out = join(dir, 'mail.txt');
    await runHooks(
      'on_error',
      [['sh', '-c', `cat > ${out}; printf '%s' "$HOTSNAP_ERROR" > ${out}.error`]],
      {
        profile: 'daily',
        status: 'failed',
        error: `before hook of profile daily failed: curl (exit 6)\n    | curl: cannot reach ${secretUrls[1]}`,
      },
      {
        input: `daily: FAILED\n\n03:00:01 INFO  pinging ${ping}/start\n03:00:02 ERROR tarsnap: https://user:hunter2@example.org/x?token=abc`,
        secretUrls,
      },
    );
    const mail = readFileSync(out, 'utf8');
    expect(mail).toContain('daily: FAILED\n\n03:00:01 INFO  pinging https://hc-ping.com/');
    expect(mail).toContain('ERROR tarsnap: https://user:***@example.org/x?token=***');
    for (const secret of ['0f4e5c2a', 'hunter2', 'token=abc']) expect(mail).not.toContain(secret);
    const error = readFileSync(`${out}.error`, 'utf8');
    expect(error).toBe(
      'before hook of profile daily failed: curl (exit 6) — | curl: cannot reach https://hooks.example.net/…',
    );
  });

  it('a hook that never reads its input still succeeds', async () => {
    await expect(runHooks('on_error', [['true']], {}, { input: 'x'.repeat(10_000) })).resolves.toBeUndefined();
  });

  it('masks secrets in the logged command line', async () => {
    const { logger, records } = capturingLogger();
    await runHooks('after', [['true', 'https://hc-ping.com/0f4e5c2a-1b2c-4d5e-8f90-123456789abc']], {}, { logger });
    const logged = JSON.stringify(records);
    expect(logged).toContain('running hook');
    expect(logged).not.toContain('0f4e5c2a-1b2c-4d5e-8f90-123456789abc');
  });

  it('a failing before hook stops there and names the command, its exit code and last stderr lines', async () => {
    const marker = join(dir, 'second-ran');
    const error = await caught(
      runHooks(
        'before',
        [
          ['sh', '-c', 'echo "first line" >&2; echo "dump: connection refused" >&2; exit 3'],
          ['touch', marker],
        ],
        { profile: 'daily' },
      ),
    );
    expect(existsSync(marker)).toBe(false);
    expect(error.failures).toHaveLength(1);
    expect(error.failures[0]).toMatchObject({
      event: 'before',
      exitCode: 3,
      timedOut: false,
      outputTail: ['first line', 'dump: connection refused'],
    });
    expect(error.message).toMatch(
      /^before hook of profile daily failed: sh -c .* \(exit 3\)\n {4}\| first line\n {4}\| dump: connection refused$/,
    );
  });

  it('after/on_error/finally run every command and report every failure', async () => {
    const marker = join(dir, 'middle-ran');
    const error = await caught(
      runHooks(
        'finally',
        [
          ['sh', '-c', 'exit 1'],
          ['touch', marker],
          ['sh', '-c', 'echo only stdout; exit 2'],
        ],
        {},
      ),
    );
    expect(existsSync(marker)).toBe(true);
    expect(error.failures.map((f) => f.exitCode)).toEqual([1, 2]);
    // With nothing on stderr, the last stdout lines say what happened.
    expect(error.failures[1]!.outputTail).toEqual(['only stdout']);
    expect(error.message).toMatch(
      /^2 finally hooks \(global\) failed:\n {2}sh -c 'exit 1' \(exit 1\)\n {2}sh -c .*\(exit 2\)\n {4}\| only stdout$/,
    );
  });

  it('a missing program says to use an absolute path or check PATH (and which PATH)', async () => {
    const error = await caught(
      runHooks('before', [['hotsnap-no-such-program', '--x']], {}, { env: { PATH: '/usr/bin:/bin' } }),
    );
    expect(error.failures[0]!.spawnError).toBe('not-found');
    expect(error.message).toBe(
      'before hook (global) failed: hook command "hotsnap-no-such-program" not found; use an absolute path or check PATH (PATH=/usr/bin:/bin)',
    );
    const absolute = await caught(runHooks('after', [[join(dir, 'missing.sh')]], {}));
    expect(absolute.message).toContain(
      `hook command "${join(dir, 'missing.sh')}" not found; use an absolute path or check PATH`,
    );
    expect(absolute.message).not.toContain('PATH=');
  });

  it('a script without the execute bit says to chmod +x it', async () => {
    const script = join(dir, 'notify.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const error = await caught(runHooks('after', [[script]], {}));
    expect(error.failures[0]!.spawnError).toBe('not-executable');
    expect(error.message).toContain(`run chmod +x ${script}`);
  });

  it('reports a hook killed by a signal', async () => {
    const error = await caught(runHooks('on_error', [['sh', '-c', 'kill -TERM $$']], {}));
    expect(error.failures[0]).toMatchObject({ signal: 'SIGTERM', timedOut: false });
    expect(error.message).toContain('(killed by SIGTERM)');
  });

  it('the time limit stops the hook and everything it started (its process group)', async () => {
    const pidFile = join(dir, 'sleep.pid');
    const { logger, records } = capturingLogger();
    const error = await caught(
      runHooks(
        'before',
        [['sh', '-c', `echo started; sleep 120 & echo $! > ${pidFile}; wait; echo never`]],
        { profile: 'daily' },
        { logger, timeoutMs: 300, killGraceMs: 200 },
      ),
    );
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    strays.push(grandchild);
    expect(error.failures[0]!.timedOut).toBe(true);
    expect(error.message).toMatch(/timed out after .* and was stopped/);
    expect(records.map((r) => r.msg)).toContain('started');
    expect(records.map((r) => r.msg)).not.toContain('never');
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it('a group member that ignores SIGTERM still gets SIGKILL after the grace period', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    await caught(
      runHooks(
        'after',
        [['sh', '-c', `sh -c 'trap "" TERM; echo $$ > ${pidFile}; sleep 120' & wait`]],
        {},
        { timeoutMs: 300, killGraceMs: 200 },
      ),
    );
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await sleep(20);
    const stubborn = Number(readFileSync(pidFile, 'utf8'));
    strays.push(stubborn);
    expect(await waitUntilGone(stubborn)).toBe(true);
  });

  it(
    'does not wait for a background process the hook left running with its output open',
    { timeout: 30_000 },
    async () => {
      const pidFile = join(dir, 'daemon.pid');
      // Without the drain cut-off this would wait for the 120 s sleep (and the test time-out would fail it).
      await runHooks(
        'after',
        [['sh', '-c', `sleep 120 & echo $! > ${pidFile}; echo launched`]],
        {},
        { timeoutMs: 100_000 },
      );
      const daemon = Number(readFileSync(pidFile, 'utf8'));
      strays.push(daemon);
      expect(isRunning(daemon)).toBe(true);
    },
  );

  it('an interrupt (SIGINT/SIGTERM to hotsnap) takes the hook group down too', async () => {
    const pidFile = join(dir, 'hook.pid');
    const running = runHooks(
      'finally',
      [['sh', '-c', `sleep 120 & echo $! > ${pidFile}; wait`]],
      {},
      { timeoutMs: 100_000 },
    );
    const settled = running.catch((error: unknown) => error);
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await sleep(20);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    strays.push(grandchild);
    runInterruptStepsForTest();
    const error = await settled;
    expect(error).toBeInstanceOf(HookError);
    expect((error as HookError).failures[0]!.signal).toBe('SIGTERM');
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it('does nothing for an empty list', async () => {
    const { logger, records } = capturingLogger();
    await expect(runHooks('before', [], { profile: 'x' }, { logger })).resolves.toBeUndefined();
    expect(records).toEqual([]);
  });
});
