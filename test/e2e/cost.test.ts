/**
 * What tarsnap charges, end to end against the emulator: the run summary's upload cost, `hotsnap
 * stats`, `prune --dry-run`'s "frees at least" and a real prune's "freed", verify's download cost
 * and the account metrics. Every figure is checked against what the emulator itself reports.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthlyStorageCost, transferCost } from '../../src/core/cost.js';
import { createWorld, type World } from './harness.js';

/** Given a size and a seed, returns bytes that do not compress (so sizes are far from zero). */
function noise(size: number, seed: string): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < size; i++) blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, size);
}

/** The emulator's own `--print-stats -f NAME` rows for one archive: its sizes and its unique data. */
async function archiveRows(world: World, name: string) {
  const result = await world.tarsnap([
    '--print-stats',
    '--keyfile',
    world.keyfile,
    '--cachedir',
    world.cachedir,
    '-f',
    name,
  ]);
  const numbers = (line: string) => line.trim().split(/ +/).slice(-2).map(Number) as [number, number];
  const lines = String(result.stdout).split('\n');
  return {
    unique: numbers(lines[2]!),
    archive: numbers(lines.find((line) => line.startsWith(name))!),
    archiveUnique: numbers(lines[4]!),
  };
}

describe('what it costs', () => {
  let world: World;
  let data: string;
  let metrics: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    world = createWorld('cost');
    data = join(world.dir, 'data');
    metrics = join(world.dir, 'hotsnap.prom');
    mkdirSync(data);
    writeFileSync(join(data, 'a.bin'), noise(200_000, 'a'));
    world.writeConfig({
      metrics_file: metrics,
      profiles: { daily: { paths: [data], retention: { keep_last: 1 } }, weekly: { paths: [data] } },
    });
    const run = await world.hotsnap(['run', 'daily', '--no-prune']);
    expect(run.exitCode).toBe(0);
    first = /archive (\S+)/.exec(String(run.stdout))![1]!;
    // The summary line says what the first (whole) upload cost.
    expect(String(run.stdout)).toMatch(/new upload 200\.\d kB \(\$0\.0000(49|50|51)\)/);
  });
  afterAll(() => world?.cleanup());

  it('run --json: the upload cost is the new compressed data at 250 picodollars per byte', async () => {
    writeFileSync(join(data, 'b.bin'), noise(30_000, 'b'));
    const result = await world.hotsnap(['run', 'daily', '--no-prune', '--json']);
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(String(result.stdout)).profiles[0];
    second = summary.archive;
    expect(summary.new_compressed_bytes).toBeGreaterThan(30_000);
    expect(summary.new_compressed_bytes).toBeLessThan(40_000);
    expect(summary.upload_cost_dollars).toBe(transferCost(summary.new_compressed_bytes));
  });

  it('metrics: the account stores what tarsnap says, and the prices are gauges', async () => {
    const text = readFileSync(metrics, 'utf8');
    const { unique } = await archiveRows(world, second);
    expect(text).toContain(`\nhotsnap_account_stored_bytes ${unique[1]}\n`);
    expect(text).toContain('\nhotsnap_tarsnap_storage_price_dollars_per_byte_month 2.5e-10\n');
    expect(text).toContain('\nhotsnap_tarsnap_bandwidth_price_dollars_per_byte 2.5e-10\n');
  });

  it('stats: one tarsnap call; the account as billed, each profile summed', async () => {
    const callsBefore = world.calls().length;
    const result = await world.hotsnap(['stats', '--json']);
    expect(result.exitCode).toBe(0);
    const calls = world.calls().slice(callsBefore);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.argv).toEqual(expect.arrayContaining(['--print-stats', '-f', '*']));
    const report = JSON.parse(String(result.stdout));
    const a = await archiveRows(world, first);
    const b = await archiveRows(world, second);
    expect(report.account).toMatchObject({ archives: 2, stored_bytes: a.unique[1] });
    expect(report.account.monthly_cost_dollars).toBe(monthlyStorageCost(a.unique[1]));
    expect(report.profiles[0]).toEqual({
      profile: 'daily',
      archives: 2,
      total_bytes: a.archive[0] + b.archive[0],
      compressed_bytes: a.archive[1] + b.archive[1],
      unique_compressed_bytes_at_least: a.archiveUnique[1] + b.archiveUnique[1],
      monthly_cost_dollars_at_least: monthlyStorageCost(a.archiveUnique[1] + b.archiveUnique[1]),
    });
    expect(report.profiles[1]).toMatchObject({ profile: 'weekly', archives: 0 });
    expect(report.prices).toMatchObject({
      storage_picodollars_per_byte_month: 250,
      bandwidth_picodollars_per_byte: 250,
    });

    const text = String((await world.hotsnap(['stats', 'daily'])).stdout);
    expect(text).toMatch(
      /^account: \d+\.\d kB stored \(compressed unique data, what tarsnap bills\) ≈ \$0\.0000\d\d\/month$/m,
    );
    expect(text).toMatch(
      /^daily: 2 archives, total [\d.]+ kB, compressed [\d.]+ kB, unique at least [\d.]+ kB \(≥ \$/m,
    );
    expect(text).not.toContain('weekly');
  });

  it('verify says what the drill downloads and costs, in the log and in --json', async () => {
    const { archive } = await archiveRows(world, second);
    const result = await world.hotsnap(['verify', 'daily', '--json']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout)).profiles[0].download).toEqual({
      compressed_bytes: archive[1],
      cost_dollars: transferCost(archive[1]),
    });
    expect(String(result.stderr)).toMatch(
      /INFO +restore drill downloads about 23\d\.\d kB \(≈ \$0\.0000[56]\d at tarsnap's 250 picodollars per byte\)/,
    );
  });

  it('prune --dry-run shows what the plan frees at least; the real prune logs what it freed', async () => {
    const { archiveUnique } = await archiveRows(world, first);
    const plan = await world.hotsnap(['prune', '--dry-run', '--json']);
    expect(plan.exitCode).toBe(0);
    const daily = JSON.parse(String(plan.stdout)).profiles[0];
    expect(daily.remove.map((removal: { name: string }) => removal.name)).toEqual([first]);
    expect(daily.frees_at_least).toEqual({
      compressed_bytes: archiveUnique[1],
      monthly_cost_dollars: monthlyStorageCost(archiveUnique[1]),
    });
    const text = String((await world.hotsnap(['prune', '--dry-run'])).stdout);
    expect(text).toMatch(
      /^daily: would keep 1, would remove 1\n {2}frees at least [\d.]+ (k)?B \(≈ [<$\d.]+\/month\)$/m,
    );

    const pruned = await world.hotsnap(['prune', '--json']);
    expect(pruned.exitCode).toBe(0);
    // Deleting one archive frees exactly its unique data.
    expect(JSON.parse(String(pruned.stdout)).freed).toEqual(daily.frees_at_least);
    expect(String(pruned.stderr)).toMatch(/INFO +freed [\d.]+ (k)?B \(≈ [<$\d.]+\/month\) of stored data/);
    // The delete's statistics table stays out of the INFO log.
    expect(String(pruned.stderr)).not.toMatch(/INFO +tarsnap: (Deleted data|This archive|All archives)/);
  });
});
