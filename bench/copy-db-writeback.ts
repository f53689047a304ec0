/**
 * copy-db's write-back against an application committing every 2 ms (issue 9): how much worse its
 * worst commit gets while a durable copy is made, with one fsync at the end (the way before) and
 * with the paced chunked write-back (src/adapters/sqlite/write-back.ts), against the same writer
 * with no copy running.
 *
 *   npx tsx bench/copy-db-writeback.ts                    300 MB WAL database, 3 rounds
 *   BENCH_SIZE_MB=100 BENCH_ROUNDS=2 …                    smaller / fewer
 *   BENCH_CHUNKS_MIB=1,2,4,8 …                            chunk sizes to compare (default: the default)
 *
 * The writer is fixtures/sqlite/writer.js (a separate process, synchronous=FULL: each commit
 * fsyncs the WAL) logging each commit's start and latency to a file. A commit counts for a window
 * if it overlapped it. Each round runs every variant once, in the same order, with `sync` and a
 * pause before each; the idle window is as long as the round's longest copy, so its worst commit
 * is drawn from as many commits. Prints numbers only.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { hotCopy } from '../src/adapters/sqlite/hot-copy.js';
import { DEFAULT_WRITE_BACK, canWriteBackInChunks, type WriteBackOptions } from '../src/adapters/sqlite/write-back.js';
import { copyDb } from '../src/commands/copy-db.js';
import { readOps, windowStats, type Op, type WindowStats } from './writer-log.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'fixtures/sqlite');
const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WRITER_INTERVAL_MS = Number(process.env.BENCH_WRITER_INTERVAL_MS ?? 2);
const MIB = 1024 * 1024;
const CHUNKS = (process.env.BENCH_CHUNKS_MIB ?? String(DEFAULT_WRITE_BACK.chunkBytes / MIB))
  .split(',')
  .map((mib) => Number(mib) * MIB);
const SETTLE_MS = 1000;

const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const load = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** Given the writer's log, returns its commits. */
function readCommits(log: string): Op[] {
  return readOps(log).filter((op) => op.seq !== undefined);
}

/** Waits until the log shows a commit that started after `to`: one blocked in the window is logged late. */
async function drained(log: string, to: number): Promise<void> {
  const limit = performance.now() + 30_000;
  while (!readCommits(log).some((commit) => commit.start > to) && performance.now() < limit) await sleep(20);
}

interface Variant {
  name: string;
  /** undefined: no copy, just the writer. */
  writeBack?: WriteBackOptions;
}

interface Row {
  round: number;
  variant: string;
  ms: number;
  flushes: number;
  stats: WindowStats;
  /** Before the write-back (cp, checkpoint, check, hash), then the write-back alone and its length. */
  before?: WindowStats;
  phase?: WindowStats;
  phaseMs?: number;
}

interface Copied {
  flushes: number;
  /** Epoch ms the write-back began and ended. */
  writeBack: [number, number];
}

async function copyOnce(source: string, dest: string, writeBack: WriteBackOptions): Promise<Copied> {
  let flushes = 0;
  const window: [number, number] = [Number.NaN, Number.NaN];
  const counted: WriteBackOptions = {
    ...writeBack,
    onStart: () => void (window[0] = epochNow()),
    onFlush: () => void (flushes++, (window[1] = epochNow())),
  };
  await copyDb(
    { source, dest, json: true, progress: false },
    { hotCopy: (from, to, options) => hotCopy(from, to, options, { writeBack: counted }) },
  );
  rmSync(dest, { force: true });
  return { flushes, writeBack: window };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-writeback-'));
  const source = join(dir, 'ghost.db');
  const log = join(dir, 'writer.log');
  let writer: ResultPromise | undefined;
  const rows: Row[] = [];
  try {
    await execa('node', [join(FIXTURES, 'make-db.js'), '--out', source, '--size-mb', String(SIZE_MB), '--seed', '1']);
    await execa('cat', [source], { stdout: 'ignore' });
    const chunked = canWriteBackInChunks(join(dir, 'x'), statSync(source).dev);
    const { stdout: fs } = await execa('df', ['--output=fstype', dir]);
    console.log(
      `# copy-db write-back: ${(statSync(source).size / 1e6).toFixed(0)} MB WAL database, writer every ${WRITER_INTERVAL_MS} ms, ${ROUNDS} rounds`,
    );
    console.log(
      `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${dir} on ${fs.split('\n').pop()}; chunked write-back ${chunked ? 'used' : 'NOT used here (one fsync)'}`,
    );
    writer = execa(
      'node',
      [join(FIXTURES, 'writer.js'), '--db', source, '--log', log, '--interval-ms', String(WRITER_INTERVAL_MS)],
      { stdin: 'ignore', stderr: 'inherit', buffer: false },
    );
    await new Promise<void>((ready) => writer!.stdout!.once('data', () => ready()));
    const variants: Variant[] = [
      { name: 'copy-db, one fsync at the end (before)', writeBack: { chunkBytes: 0 } },
      ...CHUNKS.map((chunkBytes) => ({
        name: `copy-db, write-back in ${chunkBytes / MIB} MiB chunks`,
        writeBack: { chunkBytes },
      })),
      { name: 'idle (no copy)' },
    ];
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}, load average ${load()}`);
      let longest = 0;
      for (const variant of variants) {
        await execa('sync');
        await sleep(SETTLE_MS);
        const from = epochNow();
        const started = performance.now();
        const copied = variant.writeBack
          ? await copyOnce(source, join(dir, 'copy.db'), variant.writeBack)
          : (await sleep(Math.max(longest, 1000)), undefined);
        const ms = performance.now() - started;
        const to = epochNow();
        longest = Math.max(longest, ms);
        await drained(log, to);
        const row: Row = {
          round,
          variant: variant.name,
          ms,
          flushes: copied?.flushes ?? 0,
          stats: windowStats(readCommits(log), from, to),
        };
        if (copied) {
          row.before = windowStats(readCommits(log), from, copied.writeBack[0]);
          row.phase = windowStats(readCommits(log), ...copied.writeBack);
          row.phaseMs = copied.writeBack[1] - copied.writeBack[0];
        }
        rows.push(row);
        const phase = row.phase
          ? `; before the write-back: max ${row.before!.max.toFixed(1)} ms; write-back alone ${row.phaseMs!.toFixed(0)} ms: ${row.phase.count} commits, p99 ${row.phase.p99.toFixed(1)} ms, max ${row.phase.max.toFixed(1)} ms`
          : '';
        console.log(
          `  ${row.variant}: ${(ms / 1000).toFixed(2)} s, ${row.flushes} flushes, ${row.stats.count} commits, p99 ${row.stats.p99.toFixed(1)} ms, max ${row.stats.max.toFixed(1)} ms${phase}`,
        );
      }
      console.log(`  load average ${load()}`);
    }
  } finally {
    writer?.kill('SIGTERM');
    await writer?.catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    '\n| variant | round | copy-db s | flushes | commits | p99 / max ms | before the write-back: p99 / max ms | write-back alone: ms | commits | p99 / max ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of [...rows].sort((a, b) => a.variant.localeCompare(b.variant) || a.round - b.round)) {
    const { stats: s, before: b, phase: p } = row;
    const phase =
      b && p
        ? `${b.p99.toFixed(1)} / ${b.max.toFixed(1)} | ${row.phaseMs!.toFixed(0)} | ${p.count} | ${p.p99.toFixed(1)} / ${p.max.toFixed(1)}`
        : '– | – | – | –';
    console.log(
      `| ${row.variant} | ${row.round} | ${row.flushes ? (row.ms / 1000).toFixed(2) : '–'} | ${row.flushes || '–'} | ${s.count} | ${s.p99.toFixed(1)} / ${s.max.toFixed(1)} | ${phase} |`,
    );
  }
}

await main();
