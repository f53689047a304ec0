/**
 * CLI overhead, against a baseline measured in the same run:
 *  - `hotsnap --help` start time vs a bare `node -e 0` (target ≤ 2×);
 *  - `hotsnap run` wrapper overhead: its wall time minus the time spent inside tarsnap (emulator)
 *    calls, for a profile with no databases (target ≤ 150 ms). Each tarsnap call is timed by a
 *    shell wrapper around the emulator, so the wrapper's own start-up counts as hotsnap's overhead.
 *
 *   npm run build && npx tsx bench/cli-overhead.ts [--runs 15]
 */
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/hotsnap.js');
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
    const timings = join(dir, 'tarsnap-times');
    const wrapper = join(dir, 'tarsnap');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nstart=$(date +%s%N)\n${JSON.stringify(EMULATOR)} "$@"\ncode=$?\nend=$(date +%s%N)\necho $(( (end - start) / 1000 )) >> ${JSON.stringify(timings)}\nexit $code\n`,
    );
    chmodSync(wrapper, 0o755);
    const config = join(dir, 'hotsnap.yaml');
    writeFileSync(
      config,
      `hostname: bench\ntimezone: UTC\nstaging_dir: ${dir}/staging\nstate_dir: ${dir}/state\ntarsnap: {binary: ${wrapper}, keyfile: ${key}, cachedir: ${dir}/cache}\nprofiles:\n  daily: {paths: [${data}], retention: {keep_last: 3}}\n`,
    );
    const overheads: number[] = [];
    const totals: number[] = [];
    const tarsnapTimes: number[] = [];
    let calls = 0;
    for (let i = 0; i < runs; i++) {
      writeFileSync(timings, '');
      const start = performance.now();
      const result = await execa('node', [BIN, 'run', '--config', config, '--quiet'], { env: { TARSNAP_EMULATOR_DIR: emulatorDir }, reject: false });
      const total = performance.now() - start;
      if (result.exitCode !== 0) throw new Error(`run failed: ${result.stderr}`);
      const inside = readFileSync(timings, 'utf8').trim().split('\n').filter(Boolean).map((us) => Number(us) / 1000);
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
console.log(`hotsnap run, one profile without databases (median of ${runs})`);
console.log(`  wall time            ${fmt(r.total)}`);
console.log(`  inside tarsnap       ${fmt(r.tarsnap)}   (${r.calls} calls: list, create, list for prune)`);
console.log(`  wrapper overhead     ${fmt(r.overhead)}   (target ≤ 150 ms)`);
