/**
 * How long planning a prune takes for 10k / 100k / 1M archives, and whether it grows like
 * n log n. Run: npx tsx bench/prune.ts  (prints numbers; nothing asserts on time).
 *
 * Archives are hourly, ending 2025-01-01, in Europe/Berlin (daylight saving on every
 * transition day); the policy is a typical one plus keep_within. "shuffled" is the worst
 * case (tarsnap lists archives in no useful order); "oldest first" is a name-sorted listing.
 */
import { cpus } from 'node:os';
import { planDeltas, parseDeltas } from '../src/core/deltas.js';
import { planPrune, type RetentionPolicy } from '../src/core/retention.js';

const POLICY: RetentionPolicy = { keep_daily: 7, keep_weekly: 4, keep_monthly: 12, keep_yearly: -1, keep_within: '2d' };
const TIMEZONE = 'Europe/Berlin';
const SIZES = [10_000, 100_000, 1_000_000];
const END = Date.parse('2025-01-01T00:00:00Z');

interface Archive {
  name: string;
  time: Date;
}

// Archives are made in listing order, as the tarsnap output parser makes them: the objects of
// a shuffled listing sit in memory in that order (shuffling pointers to objects made in time
// order would measure cache misses, not the planner).
function hourlyArchives(count: number, listing: 'oldest first' | 'shuffled'): Archive[] {
  const hours = Array.from({ length: count }, (_, index) => count - index);
  if (listing === 'shuffled') shuffle(hours);
  return hours.map((hoursBeforeEnd) => {
    const time = new Date(END - hoursBeforeEnd * 3_600_000);
    return { name: `host-db-${time.toISOString()}`, time };
  });
}

// A fixed-seed shuffle, so every run measures the same input.
function shuffle(items: number[]): void {
  let seed = 42;
  for (let index = items.length - 1; index > 0; index--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const other = seed % (index + 1);
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
}

/** Median wall-clock and CPU (user + system) time of `runs` runs; a busy, shared machine distorts CPU time least. */
function measure<T>(runs: number, run: () => T): { ms: number; cpuMs: number; result: T } {
  const walls: number[] = [];
  const cpus: number[] = [];
  let result = run(); // untimed first run: its result is reported
  for (let index = 0; index < runs; index++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = run();
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { ms: median(walls), cpuMs: median(cpus), result };
}

const runsFor = (size: number): number => (size >= 1_000_000 ? 5 : size >= 100_000 ? 7 : 9);
const nLogN = (size: number): number => size * Math.log2(size);

console.log(`node ${process.version}, ${cpus().length} cpus, ${cpus()[0]?.model ?? 'unknown CPU'}`);
console.log(
  `policy ${JSON.stringify(POLICY)}, zone ${TIMEZONE}, hourly archives; median of ${runsFor(1e4)} runs (${runsFor(1e5)} for 100k, ${runsFor(1e6)} for 1M)\n`,
);

const deltas = parseDeltas('1d 7d 30d 360d');
type Input = { ordered: Archive[]; shuffled: Archive[] };
const scenarios: { label: string; run: (input: Input) => { keep: unknown[] } }[] = [
  { label: 'planPrune, shuffled', run: (input) => planPrune(input.shuffled, POLICY, { timezone: TIMEZONE }) },
  { label: 'planPrune, oldest first', run: (input) => planPrune(input.ordered, POLICY, { timezone: TIMEZONE }) },
  { label: 'planPrune, shuffled, UTC', run: (input) => planPrune(input.shuffled, POLICY, { timezone: 'UTC' }) },
  { label: 'planDeltas 1d 7d 30d 360d, shuffled', run: (input) => planDeltas(input.shuffled, deltas) },
];

// One size at a time, so the larger inputs aren't live (and traced by the GC) while smaller ones run.
const results = scenarios.map(() => [] as { size: number; ms: number; cpuMs: number; kept: number }[]);
for (const size of SIZES) {
  const input = { ordered: hourlyArchives(size, 'oldest first'), shuffled: hourlyArchives(size, 'shuffled') };
  // Warm up the JIT so the first row doesn't pay for compilation.
  if (size === SIZES[0]) for (const scenario of scenarios) for (let index = 0; index < 3; index++) scenario.run(input);
  scenarios.forEach((scenario, index) => {
    const { ms, cpuMs, result } = measure(runsFor(size), () => scenario.run(input));
    results[index]!.push({ size, ms, cpuMs, kept: result.keep.length });
  });
}

scenarios.forEach((scenario, index) => {
  console.log(scenario.label);
  results[index]!.forEach(({ size, ms, cpuMs, kept }, row) => {
    const previous = results[index]![row - 1];
    const growth = previous
      ? `  ×${(ms / previous.ms).toFixed(1)} wall, ×${(cpuMs / previous.cpuMs).toFixed(1)} cpu for ×${size / previous.size} archives (n log n: ×${(nLogN(size) / nLogN(previous.size)).toFixed(1)})`
      : '';
    console.log(
      `  ${String(size).padStart(9)} archives: ${ms.toFixed(1).padStart(7)} ms wall, ${cpuMs.toFixed(1).padStart(7)} ms cpu, keeps ${String(kept).padStart(3)}${growth}`,
    );
  });
});
