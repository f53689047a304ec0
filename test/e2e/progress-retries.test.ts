/**
 * The built CLI while tarsnap works: the upload's and the restore's progress as log lines when
 * stderr is no terminal (cron), and how often each kind of command retries an unreachable server
 * (the emulator's network fault; its call log counts the calls).
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from './harness.js';

const FILES = 40;
const UPLOAD_LINE = /INFO.*uploading: [\d.]+ [kM]B of about [\d.]+ MB \(\d+%\)/;
const RESTORE_LINE = /INFO.*restoring: [\d.]+ [kM]B of about [\d.]+ MB \(\d+%\)/;

describe('progress and retries, end to end', () => {
  let world: World;

  beforeAll(() => {
    world = createWorld('progress');
    const data = join(world.dir, 'srv/files');
    mkdirSync(data, { recursive: true });
    for (let i = 0; i < FILES; i++) writeFileSync(join(data, `f${i}.bin`), Buffer.alloc(64 * 1024, i));
    world.writeConfig({ tarsnap: { retries: 3 }, profiles: { daily: { paths: [data] } } });
  });
  afterAll(() => world.cleanup());

  it("run logs the upload progress at each interval, and tarsnap's own progress lines only at debug", async () => {
    const result = await world.hotsnap(['run'], { env: { HOTSNAP_TEST_PROGRESS_LOG_MS: '0' } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const create = world.calls().find((call) => call.mode === '-c')!;
    const interval = Number(create.argv[create.argv.indexOf('--progress-bytes') + 1]);
    expect(interval).toBeGreaterThanOrEqual(1000);
    expect(interval).toBeLessThan(64 * 1024);
    const lines = String(result.stderr)
      .split('\n')
      .filter((line) => UPLOAD_LINE.test(line));
    expect(lines.length).toBeGreaterThan(FILES / 2);
    expect(result.stderr).not.toMatch(/Processed \d+ entries|adding /);
  });

  it('run logs no progress when the upload is over before the first interval (3 minutes)', async () => {
    const result = await world.hotsnap(['run']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).not.toMatch(/uploading:/);
  });

  it("restore logs its progress against the archive's size", async () => {
    const to = mkdtempSync(join(world.dir, 'restore-'));
    const result = await world.hotsnap(['restore', 'latest', '--to', to], {
      env: { HOTSNAP_TEST_PROGRESS_LOG_MS: '0' },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(
      String(result.stderr)
        .split('\n')
        .filter((line) => RESTORE_LINE.test(line)).length,
    ).toBeGreaterThan(FILES / 2);
    expect(result.stderr).not.toMatch(/tarsnap: x /);
    const extract = world.calls().findLast((call) => call.mode === '-x')!;
    expect(extract.argv).toContain('-v');
  });

  it('restore on a machine without the cache directory: progress without a total, no cache directory made', async () => {
    renameSync(world.cachedir, `${world.cachedir}.away`);
    try {
      const to = mkdtempSync(join(world.dir, 'restore-'));
      const result = await world.hotsnap(['restore', 'latest', '--to', to], {
        env: { HOTSNAP_TEST_PROGRESS_LOG_MS: '0' },
      });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(result.stderr).toMatch(/INFO.*restoring: [\d.]+ [kM]?B(, [\d.]+ [kM]?B\/s)?\n/);
      expect(result.stderr).not.toMatch(/of about|Cache directory/);
      expect(existsSync(world.cachedir)).toBe(false);
    } finally {
      renameSync(`${world.cachedir}.away`, world.cachedir);
    }
  });

  it("verify logs its extraction progress against the archive's size", async () => {
    const result = await world.hotsnap(['verify'], { env: { HOTSNAP_TEST_PROGRESS_LOG_MS: '0' } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(
      String(result.stderr)
        .split('\n')
        .filter((line) => RESTORE_LINE.test(line)).length,
    ).toBeGreaterThan(FILES / 2);
  });

  describe('with the server unreachable', () => {
    const callsDuring = async (args: string[]) => {
      const before = world.calls().length;
      const result = await world.hotsnap(args, { env: { TARSNAP_EMULATOR_FAULT: 'network' } });
      return { result, calls: world.calls().slice(before) };
    };

    it('list retries once, not tarsnap.retries (3), and says why it failed', async () => {
      const { result, calls } = await callsDuring(['list']);
      expect(result.exitCode).not.toBe(0);
      expect(calls.map((call) => call.mode)).toEqual(['--list-archives', '--list-archives']);
      expect(result.stderr).toMatch(/cannot reach the tarsnap server; retrying in 10ms/);
      expect(result.stderr).toMatch(/Cannot obtain server address|cannot reach/);
    });

    it('restore retries once', async () => {
      const { calls } = await callsDuring(['restore', 'latest', '--to', world.dir]);
      expect(calls).toHaveLength(2);
    });

    it('run keeps tarsnap.retries (3)', async () => {
      const { result, calls } = await callsDuring(['run']);
      expect(result.exitCode).toBe(1);
      expect(calls.slice(0, 4).map((call) => call.mode)).toEqual(Array(4).fill('--list-archives'));
    });

    it('--retries overrides for any command: 0 makes list fail at once, 2 makes it try three times', async () => {
      expect((await callsDuring(['--retries', '0', 'list'])).calls).toHaveLength(1);
      expect((await callsDuring(['list', '--retries', '2'])).calls).toHaveLength(3);
    });

    it('--retries must be a whole number', async () => {
      const { result, calls } = await callsDuring(['list', '--retries', 'many']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(
        '--retries must be a whole number of retries from 0 to 999, like 0 or 3, not "many"',
      );
      expect(calls).toHaveLength(0);
    });
  });
});
