/**
 * tarsnap invocations of one `hotsnap prune` that deletes N archives (target: 2 list + 1 delete,
 * for any N), against the emulator with N + 7 seeded daily archives and keep_last: 7.
 *
 *   npm run build && npx tsx bench/prune-calls.ts
 */
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { seedArchives } from '../fixtures/tarsnap-emulator/lib/seed.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/hotsnap.js');
const EMULATOR = join(ROOT, 'fixtures/tarsnap-emulator/tarsnap');
const pad = (n: number) => String(n).padStart(2, '0');

console.log('deleted N  | tarsnap calls (mode: count)                 | prune wall time');
for (const n of [1, 10, 100, 1000, 5000]) {
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-bench-prune-'));
  try {
    const env = { TARSNAP_EMULATOR_DIR: join(dir, 'emulator'), XDG_CACHE_HOME: join(dir, 'cache-home') };
    mkdirSync(env.TARSNAP_EMULATOR_DIR);
    mkdirSync(join(dir, 'data'));
    const key = join(dir, 'key');
    writeFileSync(key, '# START OF TARSNAP KEY FILE\nemulator-key: read,write,delete\n');
    chmodSync(key, 0o600);
    const start = Date.parse('2000-01-01T03:00:00Z');
    seedArchives(
      env.TARSNAP_EMULATOR_DIR,
      Array.from({ length: n + 7 }, (_, i) => {
        const t = new Date(start + i * 86_400_000);
        const name = `bench-daily-${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}_03-00-00`;
        return { name, time: t };
      }),
    );
    await execa(EMULATOR, ['--fsck', '--keyfile', key, '--cachedir', join(dir, 'cache')], { env });
    const config = join(dir, 'hotsnap.yaml');
    writeFileSync(
      config,
      `hostname: bench\ntimezone: UTC\nstaging_dir: ${dir}\nstate_dir: ${dir}/state\ntarsnap: {binary: ${EMULATOR}, keyfile: ${key}, cachedir: ${dir}/cache}\nprofiles:\n  daily: {paths: [${dir}/data], retention: {keep_last: 7}}\n`,
    );
    const callsFile = join(env.TARSNAP_EMULATOR_DIR, 'calls.jsonl');
    writeFileSync(callsFile, '');
    const began = performance.now();
    const result = await execa('node', [BIN, 'prune', '--force', '--config', config, '--quiet'], {
      env,
      reject: false,
    });
    const wall = performance.now() - began;
    if (result.exitCode !== 0) throw new Error(`prune failed: ${result.stdout}${result.stderr}`);
    const modes = readFileSync(callsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { mode: string }).mode);
    const counts = Object.entries(
      modes.reduce<Record<string, number>>((acc, mode) => ({ ...acc, [mode]: (acc[mode] ?? 0) + 1 }), {}),
    )
      .map(([mode, count]) => `${mode}: ${count}`)
      .join(', ');
    console.log(`${String(n).padStart(9)}  | ${counts.padEnd(44)} | ${(wall / 1000).toFixed(2)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
