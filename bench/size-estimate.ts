/**
 * What the upload progress line's "about" total costs before tarsnap starts: estimateTarBytes
 * (src/adapters/tree-size.ts, an lstat of every entry) over one directory, against `find -printf
 * %s` over the same tree as the baseline (one C process doing the same stats), measured in the same
 * run, warm cache (one untimed walk first). Usage: npx tsx bench/size-estimate.ts [DIR] (default /usr).
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { estimateTarBytes } from '../src/adapters/tree-size.js';

const dir = process.argv[2] ?? '/usr';
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeIt(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const find = () => execFileSync('find', [dir, '-xdev', '-printf', '%s\n'], { maxBuffer: 1 << 30 });
const entries = find().toString().split('\n').length - 1;
estimateTarBytes('/', [dir], []);
const ours: number[] = [];
const baseline: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  ours.push(timeIt(() => estimateTarBytes('/', [dir], [])));
  baseline.push(timeIt(find));
}
const a = median(ours);
const b = median(baseline);
console.log(`${dir}: ${entries} entries, estimate ${(estimateTarBytes('/', [dir], []) ?? 0) / 1e6} MB`);
console.log(`estimateTarBytes: median ${a.toFixed(0)} ms (${((a * 1000) / entries).toFixed(1)} µs/entry)`);
console.log(`find -printf %s:  median ${b.toFixed(0)} ms; ratio ×${(a / b).toFixed(2)}`);
