/**
 * CLI overhead, against a baseline measured in the same run:
 *  - `hotsnap --help` start time vs a bare `node -e 0` (target ≤ 2×);
 *  - `hotsnap run` wrapper overhead: its wall time minus the time spent inside tarsnap (emulator)
 *    calls, for a profile with no databases (target ≤ 150 ms). hotsnap logs each tarsnap call's
 *    duration from spawn to exit (debug level); their sum is tarsnap's time, the rest is hotsnap's.
 *    Shown also net of one bare `node -e 0`, the start-up any Node program pays on this machine.
 *
 *   npm run build && npx tsx bench/cli-overhead.ts [--runs 15]
 */
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = process.env.BENCH_BIN ?? join(ROOT, 'bin/hotsnap.js');
const EMULATOR = join(ROOT, 'fixtures/tarsnap-emulator/tarsnap');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 15) || 15;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function timeCommand(file: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  await execa(file, args, { env });
  return performance.now() - start;
}

async function startup() {
  const bare: number[] = [];
  const help: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await timeCommand('node', ['-e', '0']));
    help.push(await timeCommand('node', [BIN, '--help']));
    version.push(await timeCommand('node', [BIN, '--version']));
  }
  return { bare: median(bare), help: median(help), version: median(version) };
}

async function runOverhead() {
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-bench-cli-'));
  try {
    const emulatorDir = join(dir, 'emulator');
    const data = join(dir, 'data');
    mkdirSync(emulatorDir);
    mkdirSync(data);
    mkdirSync(join(dir, 'staging'));
    writeFileSync(join(data, 'file.txt'), 'hello\n');
    const key = join(dir, 'key');
    writeFileSync(key, '# START OF TARSNAP KEY FILE\nemulator-key: read,write,delete\n');
    chmodSync(key, 0o600);
    const config = join(dir, 'hotsnap.yaml');
    writeFileSync(
      config,
      `hostname: bench\ntimezone: UTC\nstaging_dir: ${dir}/staging\nstate_dir: ${dir}/state\ntarsnap: {binary: ${EMULATOR}, keyfile: ${key}, cachedir: ${dir}/cache}\nprofiles:\n  daily: {paths: [${data}], retention: {keep_last: 3}}\n`,
    );
    const overheads: number[] = [];
    const totals: number[] = [];
    const tarsnapTimes: number[] = [];
    let calls = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const result = await execa(
        'node',
        [BIN, 'run', '--config', config, '--log-format', 'json', '--log-level', 'debug'],
        { env: { TARSNAP_EMULATOR_DIR: emulatorDir, XDG_CACHE_HOME: join(dir, 'cache-home') }, reject: false },
      );
      const total = performance.now() - start;
      if (result.exitCode !== 0) throw new Error(`run failed: ${result.stderr}`);
      const inside = String(result.stderr)
        .split('\n')
        .filter((line) => line.includes('"tarsnap_ms"'))
        .map((line) => (JSON.parse(line) as { tarsnap_ms: number }).tarsnap_ms);
      calls = inside.length;
      const tarsnapMs = inside.reduce((sum, ms) => sum + ms, 0);
      totals.push(total);
      tarsnapTimes.push(tarsnapMs);
      overheads.push(total - tarsnapMs);
    }
    return { total: median(totals), tarsnap: median(tarsnapTimes), overhead: median(overheads), calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const s = await startup();
console.log(`startup (median of ${runs})`);
console.log(`  node -e 0            ${fmt(s.bare)}`);
console.log(`  hotsnap --help       ${fmt(s.help)}   ratio ${(s.help / s.bare).toFixed(2)}× (target ≤ 2×)`);
console.log(`  hotsnap --version    ${fmt(s.version)}   ratio ${(s.version / s.bare).toFixed(2)}×`);
const r = await runOverhead();
const bare = s.bare;
console.log(`hotsnap run, one profile without databases (median of ${runs})`);
console.log(`  wall time            ${fmt(r.total)}`);
console.log(
  `  inside tarsnap       ${fmt(r.tarsnap)}   (${r.calls} calls: list, create, list for prune; -d and a confirming list once over keep_last)`,
);
console.log(`  wrapper overhead     ${fmt(r.overhead)}   (target ≤ 150 ms)`);
console.log(`  … net of node start  ${fmt(r.overhead - bare)}   (overhead minus one bare node -e 0)`);
