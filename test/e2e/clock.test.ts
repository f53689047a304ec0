/**
 * The injected clock end to end: with HOTSNAP_TEST_NOW set, the built CLI names the archive, stamps
 * its state, and judges status from that time, not the wall clock.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from './harness.js';

const FIXED = '2026-03-01T03:00:00.000Z';

describe('HOTSNAP_TEST_NOW (test-only) fixes the time the built CLI reads', () => {
  let world: World;

  beforeAll(() => {
    world = createWorld('clock');
    mkdirSync(join(world.dir, 'srv/site'), { recursive: true });
    writeFileSync(join(world.dir, 'srv/site/index.html'), '<h1>hello</h1>\n');
    world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'srv/site')], schedule: 'daily' } } });
  });
  afterAll(() => world.cleanup());

  it('run names the archive for that time and records it as the run time; status judges from it', async () => {
    const env = { HOTSNAP_TEST_NOW: FIXED, TARSNAP_EMULATOR_NOW: FIXED };
    const run = await world.hotsnap(['run', '--no-prune'], { env });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(run.stdout).toMatch(/^daily: ok {2}archive blog-daily-2026-03-01_03-00-00 {2}/);
    expect(
      world
        .calls()
        .filter((call) => call.mode === '-c')
        .map((call) => call.argv[call.argv.indexOf('-f') + 1]),
    ).toEqual(['blog-daily-2026-03-01_03-00-00']);

    const state = JSON.parse(readFileSync(join(world.stateDir, 'profiles/daily.json'), 'utf8')) as {
      last_attempt: { started: string; finished: string };
    };
    expect(state.last_attempt).toMatchObject({ started: FIXED, finished: FIXED });

    // Two days later by the injected clock, the daily profile is overdue (wall clock: 2026 or not).
    const later = await world.hotsnap(['status', '--json'], { env: { HOTSNAP_TEST_NOW: '2026-03-03T04:00:00Z' } });
    expect(later.exitCode).toBe(3);
    expect(JSON.parse(String(later.stdout))).toMatchObject({ now: '2026-03-03T04:00:00.000Z', ok: false });
    const sameDay = await world.hotsnap(['status', '--json'], { env: { HOTSNAP_TEST_NOW: '2026-03-01T03:30:00Z' } });
    expect(JSON.parse(String(sameDay.stdout))).toMatchObject({ now: '2026-03-01T03:30:00.000Z', ok: true });
    expect(sameDay.exitCode).toBe(0);
  });

  it('a malformed HOTSNAP_TEST_NOW is a usage error that says to unset it', async () => {
    const result = await world.hotsnap(['status'], { env: { HOTSNAP_TEST_NOW: 'tomorrow' } });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(
      'HOTSNAP_TEST_NOW="tomorrow" is not an ISO time with a zone (e.g. 2026-03-01T03:00:00Z); unset it',
    );
  });
});
