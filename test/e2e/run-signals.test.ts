/** `hotsnap run` under SIGTERM and with two runs at once (the run lock), end to end. */
import { execa } from 'execa';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, createWorld, FIXTURES, stagingLeftovers, waitUntil, type World } from './harness.js';

let world: World;
let db: string;
beforeEach(async () => {
  world = createWorld('signals');
  db = join(world.dir, 'data/app.db');
  mkdirSync(join(world.dir, 'data'), { recursive: true });
  await execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', db, '--size-mb', '2']);
  writeFileSync(join(world.dir, 'data/readme.txt'), 'hello\n');
  world.writeConfig({
    profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')], retention: { keep_last: 5 } } },
  });
});
afterEach(() => world.cleanup());

async function archives(): Promise<string[]> {
  const out = await world.tarsnap(['--list-archives', '--keyfile', world.keyfile]);
  return String(out.stdout).split('\n').filter(Boolean);
}

describe('SIGTERM in the middle of the upload', () => {
  it('leaves no archive, no staging dir, no lock; the next run succeeds at once', async () => {
    const run = execa('node', [BIN, 'run', '--config', world.configFile], {
      reject: false,
      env: { ...world.nextEnv(), TARSNAP_EMULATOR_DELAY_MS: '20000' },
    });
    // Wait until tarsnap -c is running (the emulator logs calls when they end, so watch the log instead).
    await new Promise<void>((resolve) => {
      run.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('creating archive')) resolve();
      });
    });
    // tarsnap -c holds the cache lock (its lockf file appears) for the whole upload.
    await waitUntil(() => existsSync(join(world.cachedir, 'lockf')));
    expect(stagingLeftovers(world)).toHaveLength(1);
    run.kill('SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(143);
    expect(result.stderr).toContain('stopped by SIGTERM; temporary files removed');
    // The emulator child got SIGTERM too (execa's cleanup); it logs the call after releasing its lock.
    await waitUntil(() => world.calls().some((call) => call.mode === '-c' && call.signal === 'SIGTERM'));
    expect(stagingLeftovers(world)).toEqual([]);
    expect(await archives()).toEqual([]);
    // Both locks are free: hotsnap's run lock (no wait allowed) and tarsnap's cache lock.
    const next = await world.hotsnap(['run', '--wait', '0s']);
    expect(next.stderr).not.toContain('waiting for');
    expect(next.stderr).not.toContain('another tarsnap transaction is in progress');
    expect(next.exitCode).toBe(0);
    expect(await archives()).toEqual(['blog-daily-2026-03-01_03-01-00']);
  });
});

describe('two runs at once', () => {
  it('the second waits for the first, then succeeds', async () => {
    const slow = { ...world.nextEnv(), TARSNAP_EMULATOR_DELAY_MS: '1500' };
    const first = execa('node', [BIN, 'run', '--config', world.configFile], { reject: false, env: slow });
    await new Promise<void>((resolve) => {
      first.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('backing up')) resolve();
      });
    });
    const second = await world.hotsnap(['run', '--wait', '2m']);
    const firstResult = await first;
    expect(firstResult.exitCode).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`waiting for PID ${first.pid} \\("hotsnap run daily"`));
    expect(second.exitCode).toBe(0);
    expect((await archives()).sort()).toEqual(['blog-daily-2026-03-01_03-00-00', 'blog-daily-2026-03-01_03-01-00']);
  });

  it('with no time to wait, the second exits 75 naming the holder', async () => {
    const first = execa('node', [BIN, 'run', '--config', world.configFile], {
      reject: false,
      env: { ...world.nextEnv(), TARSNAP_EMULATOR_DELAY_MS: '1500' },
    });
    await new Promise<void>((resolve) => {
      first.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('backing up')) resolve();
      });
    });
    const second = await world.hotsnap(['run', '--wait', '0s']);
    expect(second.exitCode).toBe(75);
    expect(second.stderr).toMatch(
      new RegExp(
        `hotsnap: another hotsnap run holds the lock for key ${world.keyfile}: PID ${first.pid} \\("hotsnap run daily", started 2026-03-01T03:00:00.000Z\\); waited 0ms\\.`,
      ),
    );
    expect((await first).exitCode).toBe(0);
  });
});
