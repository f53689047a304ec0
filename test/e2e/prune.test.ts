/**
 * `hotsnap prune` end to end against the emulator: seeded histories spanning years, including
 * archives of other profiles, other hosts, no profile, .part archives and adopted legacy names.
 */
import { addDays, addHours } from 'date-fns';
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedArchives } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { classifyArchives } from '../../src/core/archives.js';
import { planProfilePrune } from '../../src/core/prune-plan.js';
import { parseConfig } from '../../src/config/load.js';
import { BIN, createWorld, type World } from './harness.js';

const START = new Date('2024-01-01T03:00:00Z');
const pad = (n: number) => String(n).padStart(2, '0');
const stamp = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}_${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
const day = (d: Date) => stamp(d).slice(0, 10);

let world: World;

interface Seeded {
  name: string;
  time: Date;
}

function seedHistory(): Seeded[] {
  const specs: Seeded[] = [];
  // The old cron script's names, adopted by "daily": 2023, one a day.
  for (let i = 0; i < 120; i++) {
    const time = addDays(new Date('2023-09-03T02:00:00Z'), i);
    specs.push({ name: `blog-daily-${day(time)}`, time });
  }
  // hotsnap's own daily archives: 2024 to mid 2025.
  for (let i = 0; i < 540; i++) {
    const time = addDays(START, i);
    specs.push({ name: `blog-daily-${stamp(time)}`, time });
  }
  // Weekly profile, another host, no profile at all, and a name that looks close but isn't ours.
  for (let i = 0; i < 60; i++) {
    const time = addDays(START, i * 7);
    specs.push({ name: `blog-weekly-${stamp(time)}`, time: addHours(time, 1) });
    specs.push({ name: `other-daily-${stamp(time)}`, time });
  }
  specs.push({ name: 'manual-before-upgrade', time: new Date('2024-03-01T12:00:00Z') });
  specs.push({ name: `blog-daily-db-${stamp(START)}`, time: START });
  // .part archives: one old (a newer complete archive exists → deletable), one newest (kept).
  const last = addDays(START, 539);
  specs.push({ name: `blog-daily-${stamp(addDays(START, 100))}.part`, time: addHours(addDays(START, 100), 1) });
  specs.push({ name: `blog-daily-${stamp(addHours(last, 20))}.part`, time: addHours(last, 20) });
  seedArchives(world.emulatorDir, specs);
  return specs;
}

/** Seeds the history and builds this machine's cache, as a host that has been backing up would have. */
async function seedHistoryWithCache(): Promise<Seeded[]> {
  const specs = seedHistory();
  expect((await world.fsck()).exitCode).toBe(0);
  return specs;
}

const profiles = () => ({
  daily: {
    paths: [join(world.dir, 'data')],
    retention: { keep_daily: 7, keep_weekly: 4, keep_monthly: 12, keep_yearly: -1 },
    adopt: [{ archive_name: '{hostname}-daily-{date}', date_format: 'yyyy-MM-dd' }],
  },
  weekly: { paths: [join(world.dir, 'data')] },
});

async function listed(): Promise<string[]> {
  return String((await world.tarsnap(['--list-archives', '--keyfile', world.keyfile])).stdout)
    .split('\n')
    .filter(Boolean)
    .sort();
}

beforeEach(() => {
  world = createWorld('prune');
  mkdirSync(join(world.dir, 'data'));
  writeFileSync(join(world.dir, 'data/file.txt'), 'x\n');
  world.writeConfig({ profiles: profiles() });
});
afterEach(() => world.cleanup());

describe('prune --dry-run', () => {
  it('prints the planner’s plan, with reasons, and deletes nothing', async () => {
    const seeded = await seedHistoryWithCache();
    const before = await listed();
    const at = world.now();
    const result = await world.hotsnap(['prune', '--dry-run', '--json']);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(String(result.stdout));

    // The same plan computed in-process from the same archive list.
    const config = parseConfig(
      await import('node:fs').then((fs) => fs.readFileSync(world.configFile, 'utf8')),
      world.configFile,
    );
    const infos = classifyArchives(
      seeded.map((s) => ({ name: s.name, created: s.time })),
      config.profiles,
      'blog',
    );
    const expected = planProfilePrune(
      infos.filter((a) => a.profile === 'daily'),
      config.profiles[0]!,
      { timezone: 'UTC', now: at, force: false },
    );
    const daily = report.profiles.find((p: { profile: string }) => p.profile === 'daily');
    expect(daily.keep.map((k: { name: string; reasons: string[] }) => [k.name, k.reasons])).toEqual(
      expected.keep.map((k) => [k.archive.name, k.reasons]),
    );
    expect(daily.remove.map((r: { name: string }) => r.name)).toEqual(expected.remove.map((r) => r.archive.name));
    expect(daily.note).toMatch(
      new RegExp(
        `^refused: the plan deletes ${expected.remove.filter((r) => !r.archive.partial).length} of 660 archives, more than max_delete allows \\(330\\)`,
      ),
    );

    // Sanity of the plan itself: yearly archives reach back into the adopted legacy names.
    expect(daily.keep.find((k: { name: string }) => k.name === 'blog-daily-2023-12-31')?.reasons).toEqual([
      'yearly snapshot',
    ]);
    expect(daily.keep.find((k: { name: string }) => k.name === 'blog-daily-2023-09-03')?.reasons).toEqual([
      'oldest yearly snapshot',
    ]);
    expect(daily.remove.some((r: { name: string }) => r.name.endsWith('.part'))).toBe(true);
    expect(daily.keep[0].name).toMatch(/\.part$/);
    expect(report.profiles.find((p: { profile: string }) => p.profile === 'weekly').note).toBe(
      'never pruned: the profile has no retention rules',
    );
    expect(await listed()).toEqual(before);
    expect(world.calls().filter((call) => call.mode === '-d')).toEqual([]);
  });

  it('shows a readable table with the reasons', async () => {
    await seedHistoryWithCache();
    const result = await world.hotsnap(['prune', 'daily', '--dry-run', '--force']);
    expect(result.exitCode).toBe(0);
    const lines = String(result.stdout).split('\n');
    expect(lines[0]).toMatch(/^daily: would keep \d+, would remove \d+$/);
    expect(lines).toContain(
      lines.find((line) =>
        /^ {2}keep {4}2025-06-23 03:00:00Z {2}blog-daily-2025-06-23_03-00-00 +daily snapshot, weekly snapshot, monthly snapshot, yearly snapshot$/.test(
          line,
        ),
      ),
    );
    expect(
      lines.some((line) => /^ {2}remove {2}\S+ \S+ {2}blog-daily-2024-\S+ +not kept by any rule$/.test(line)),
    ).toBe(true);
  });
});

describe('prune', () => {
  it('refuses a plan over max_delete, then with --force deletes it in ONE tarsnap -d and confirms', async () => {
    await seedHistoryWithCache();
    const refused = await world.hotsnap(['prune']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(
      /daily: kept \d+, deleted 0 {2}\(refused: the plan deletes \d+ of 660 archives, more than max_delete allows \(330\); check it with "hotsnap prune --dry-run", then run again with --force \(or --max-delete \d+\)\)/,
    );
    expect(world.calls().filter((call) => call.mode === '-d')).toEqual([]);

    const plan = JSON.parse(String((await world.hotsnap(['prune', '--dry-run', '--json', '--force'])).stdout));
    const daily = plan.profiles[0];
    const callsBefore = world.calls().length;
    const result = await world.hotsnap(['prune', '--force', '--json']);
    expect(result.exitCode).toBe(0);
    const calls = world.calls().slice(callsBefore);
    expect(calls.map((call) => call.mode)).toEqual(['--list-archives', '-d', '--list-archives']);
    expect(calls[1]!.argv).toEqual(expect.arrayContaining(['--keep-going', '--archive-names', '-']));

    const remaining = await listed();
    for (const removed of daily.remove) expect(remaining).not.toContain(removed.name);
    for (const kept of daily.keep) expect(remaining).toContain(kept.name);
    // Nothing that isn't daily's was touched.
    expect(remaining.filter((name) => name.startsWith('blog-weekly-'))).toHaveLength(60);
    expect(remaining.filter((name) => name.startsWith('other-daily-'))).toHaveLength(60);
    expect(remaining).toContain('manual-before-upgrade');
    expect(remaining).toContain(`blog-daily-db-${stamp(START)}`);
    // Idempotent: a second prune finds nothing to delete.
    const again = JSON.parse(String((await world.hotsnap(['prune', '--json'])).stdout));
    expect(again.profiles[0].remove).toEqual([]);
  });

  it('--max-delete lets a larger plan through without --force', async () => {
    await seedHistoryWithCache();
    const plan = JSON.parse(String((await world.hotsnap(['prune', 'daily', '--dry-run', '--json', '--force'])).stdout));
    const count = plan.profiles[0].remove.filter((r: { name: string }) => !r.name.endsWith('.part')).length;
    expect((await world.hotsnap(['prune', 'daily', '--max-delete', String(count - 1)])).exitCode).toBe(1);
    expect((await world.hotsnap(['prune', 'daily', '--max-delete', String(count)])).exitCode).toBe(0);
  });

  it('refuses when the list cannot be read, and deletes nothing', async () => {
    await seedHistoryWithCache();
    const result = await world.hotsnap(['prune', '--force'], { env: { TARSNAP_EMULATOR_FAULT: 'network' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^prune failed: cannot read the archive list, so nothing was pruned: tarsnap failed to list archives/,
    );
    expect(world.calls().filter((call) => call.mode === '-d')).toEqual([]);
  });

  it('reports a delete that fails halfway: what went, what is still there, exit 1', async () => {
    await seedHistoryWithCache();
    const result = await world.hotsnap(['prune', 'daily', '--force', '--json'], {
      env: { TARSNAP_EMULATOR_FAULT: 'delete-fail-after:5' },
    });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout));
    const daily = report.profiles[0];
    expect(daily.not_deleted.length).toBe(daily.remove.length - 5);
    const remaining = await listed();
    const gone = daily.remove
      .filter((r: { name: string }) => !remaining.includes(r.name))
      .map((r: { name: string }) => r.name);
    // Oldest first: the five oldest planned deletions are the ones that went.
    expect(gone).toEqual(
      [...daily.remove]
        .sort((a: { time: string }, b: { time: string }) => (a.time < b.time ? -1 : 1))
        .slice(0, 5)
        .map((r: { name: string }) => r.name)
        .sort(
          (a: string, b: string) =>
            daily.remove.findIndex((r: { name: string }) => r.name === a) -
            daily.remove.findIndex((r: { name: string }) => r.name === b),
        ),
    );
    expect(result.stderr).toMatch(/archives were not deleted/);
  });

  it('keep_within counts back from the newest archive, not from now: a series that stopped long ago keeps its newest', async () => {
    seedArchives(world.emulatorDir, [
      { name: `blog-daily-${stamp(START)}`, time: START },
      { name: `blog-daily-${stamp(addDays(START, 1))}`, time: addDays(START, 1) },
    ]);
    await world.fsck();
    world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'data')], retention: { keep_within: '1h' } } } });
    const report = JSON.parse(String((await world.hotsnap(['prune', '--json'])).stdout));
    expect(report.profiles[0].keep.map((k: { name: string }) => k.name)).toEqual([
      `blog-daily-${stamp(addDays(START, 1))}`,
    ]);
    expect(await listed()).toEqual([`blog-daily-${stamp(addDays(START, 1))}`]);
  });

  it('a write-only key skips pruning with a clear note', async () => {
    await seedHistoryWithCache();
    const writeOnly = join(world.dir, 'write-only.key');
    writeFileSync(writeOnly, '# START OF TARSNAP KEY FILE\nemulator-key: write\n');
    world.writeConfig({ tarsnap: { keyfile: writeOnly }, profiles: profiles() });
    const result = await world.hotsnap(['prune', '--force']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /daily: kept 0, deleted 0 {2}\(skipped: this key cannot list archives \(write-only\); prune on a host/,
    );
  });
});

describe('lock busy', () => {
  it('a prune while a backup holds the lock for this key waits, or exits 75 naming the holder', async () => {
    seedArchives(
      world.emulatorDir,
      [0, 1, 2, 3].map((i) => ({ name: `blog-daily-${stamp(addDays(START, i))}`, time: addDays(START, i) })),
    );
    await world.fsck();
    world.writeConfig({
      profiles: { daily: { paths: [join(world.dir, 'data')], retention: { keep_last: 2 }, max_delete: 10 } },
    });
    const run = execa('node', [BIN, 'run', '--no-prune', '--config', world.configFile], {
      reject: false,
      env: { ...world.nextEnv(), TARSNAP_EMULATOR_DELAY_MS: '2000' },
    });
    await new Promise<void>((resolve) => {
      run.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('backing up')) resolve();
      });
    });
    const busy = await world.hotsnap(['prune', '--wait', '0s']);
    expect(busy.exitCode).toBe(75);
    expect(busy.stderr).toMatch(
      new RegExp(`another hotsnap run holds the lock for key .*: PID ${run.pid} \\("hotsnap run daily"`),
    );
    expect(world.calls().filter((call) => call.mode === '-d')).toEqual([]);
    const waited = await world.hotsnap(['prune', '--wait', '2m']);
    expect((await run).exitCode).toBe(0);
    expect(waited.exitCode).toBe(0);
    expect(waited.stderr).toMatch(new RegExp(`waiting for PID ${run.pid}`));
    expect(await listed()).toHaveLength(2);
  });
});

describe('a new machine without a cache directory', () => {
  it('says to run --fsck, or runs it once with auto_fsck', async () => {
    seedArchives(
      world.emulatorDir,
      [0, 1, 2].map((i) => ({ name: `blog-daily-${stamp(addDays(START, i))}`, time: addDays(START, i) })),
    );
    world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'data')], retention: { keep_last: 2 } } } });
    const bad = await world.hotsnap(['prune']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(
      `the cache directory has not been built on this machine; run: tarsnap --fsck --keyfile ${world.keyfile} --cachedir ${world.cachedir}`,
    );
    expect(bad.stdout).toContain(`NOT deleted (still listed): blog-daily-${stamp(START)}`);
    world.writeConfig({
      tarsnap: { auto_fsck: true },
      profiles: { daily: { paths: [join(world.dir, 'data')], retention: { keep_last: 2 } } },
    });
    const good = await world.hotsnap(['prune']);
    expect(good.exitCode).toBe(0);
    expect(await listed()).toHaveLength(2);
  });
});

describe('run then prune', () => {
  it('a profile without rules or with prune: false is backed up and says why it was not pruned', async () => {
    world.writeConfig({
      profiles: {
        daily: { paths: [join(world.dir, 'data')] },
        weekly: { paths: [join(world.dir, 'data')], retention: { keep_last: 1 }, prune: false },
      },
    });
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^daily: ok .* {2}prune never pruned: the profile has no retention rules$/m);
    expect(result.stdout).toMatch(/^weekly: ok .* {2}prune skipped: prune is false for this profile$/m);
    expect(result.stdout).not.toMatch(/pruned \d/);
  });

  it('prunes right after a successful backup, and never after a failed one', async () => {
    seedArchives(
      world.emulatorDir,
      Array.from({ length: 5 }, (_, i) => ({
        name: `blog-daily-${stamp(addDays(START, i))}`,
        time: addDays(START, i),
      })),
    );
    await world.fsck();
    world.writeConfig({
      profiles: { daily: { paths: [join(world.dir, 'data')], retention: { keep_last: 3 }, max_delete: 10 } },
    });
    const failed = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'part' } });
    expect(failed.exitCode).toBe(1);
    expect(world.calls().filter((call) => call.mode === '-d')).toEqual([]);
    const ok = await world.hotsnap(['run']);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/^daily: ok .* pruned 4$/m);
    // 5 seeded + 1 new = 6 complete; keep 3; the .part from the failed run goes too (older than the new archive).
    expect((await listed()).filter((name) => !name.endsWith('.part'))).toHaveLength(3);
    expect((await listed()).some((name) => name.endsWith('.part'))).toBe(false);
  });
});
