/**
 * Hot-copy benchmark: every way of copying a live SQLite database, side by side, on the same
 * database, in both journal modes, idle and under a live writer + reader.
 *
 *   npx tsx bench/hot-copy.ts                 1 GB per journal mode (needs ~4 GB free in $TMPDIR)
 *   BENCH_SIZE_MB=128 npx tsx bench/hot-copy.ts
 *   BENCH_MODES=wal BENCH_LOADS=writer …      a subset
 *
 * Load: fixtures/sqlite/writer.js commits a Ghost-like transaction every BENCH_WRITER_INTERVAL_MS
 * (5 ms → at most 200 commits/s) and fixtures/sqlite/reader.js does a point SELECT every 5 ms,
 * both separate processes logging each operation's start and latency to a file. For each
 * technique the copy window is [start, end]; an operation counts if it overlapped the window.
 * The baseline is the same processes over a quiet window with no copy running.
 *
 * Prints numbers only; nothing is asserted. Copies are checked afterwards (integrity_check,
 * the writer's invariants, and commits missing compared with what had committed at the start).
 */
import Database from 'better-sqlite3';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { checkDatabase } from '../fixtures/sqlite/check.js';
import { hotCopy } from '../src/adapters/sqlite/hot-copy.js';
import type { ManifestEntry } from '../src/core/manifest.js';
import { copyDb } from '../src/commands/copy-db.js';
import { readOps, windowStats } from './writer-log.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'fixtures/sqlite');
const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 1024);
const WRITER_INTERVAL_MS = Number(process.env.BENCH_WRITER_INTERVAL_MS ?? 5);
const MODES = (process.env.BENCH_MODES ?? 'wal,delete').split(',') as Array<'wal' | 'delete'>;
const LOADS = (process.env.BENCH_LOADS ?? 'idle,writer').split(',') as Array<'idle' | 'writer'>;
const UNPINNED_LIMIT_MS = Number(process.env.BENCH_UNPINNED_LIMIT_S ?? 30) * 1000;
const BASELINE_MS = 3000;
const SETTLE_MS = 1000;

const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Outcome {
  /** Wall time of the technique. */
  ms: number;
  finished: boolean;
  restarts?: number;
  note?: string;
  /** hotsnap: the copy phase alone (pin → unpin), and how long writers were blocked by its lock. */
  copyPhaseMs?: number;
  writerBlockMs?: number;
  /** hotsnap: epoch ms of its pin/lock and release, to look at the load during that phase alone. */
  phaseWindow?: [number, number];
}

type Technique = {
  name: string;
  loads?: Array<'idle' | 'writer'>;
  run(source: string, dest: string): Promise<Outcome>;
};

async function timed(run: () => Promise<Partial<Outcome> | void>): Promise<Outcome> {
  const started = performance.now();
  const extra = (await run()) ?? {};
  return { ms: performance.now() - started, finished: true, ...extra };
}

async function backup(
  db: Database.Database,
  dest: string,
  limitMs: number,
): Promise<{ restarts: number; finished: boolean }> {
  let restarts = 0;
  let last = Number.POSITIVE_INFINITY;
  const deadline = performance.now() + limitMs;
  try {
    const result = await db.backup(dest, {
      progress({ remainingPages }) {
        if (remainingPages >= last) restarts++;
        last = remainingPages;
        if (performance.now() > deadline) throw new Error('limit');
        return 1024;
      },
    });
    return { restarts, finished: result.totalPages > 0 };
  } catch (error) {
    if ((error as Error).message !== 'limit') throw error;
    return { restarts, finished: false };
  }
}

function phaseOf(entry: ManifestEntry): Partial<Outcome> {
  const pinned = Date.parse(entry.copied_at!);
  return {
    copyPhaseMs: entry.copy_ms,
    writerBlockMs: entry.writer_block_ms,
    phaseWindow: [pinned, pinned + entry.copy_ms],
    note: `${entry.method}, verify ${Math.round(entry.verify_ms)} ms`,
  };
}

const TECHNIQUES: Technique[] = [
  {
    name: 'cp (no lock)',
    run: (source, dest) => timed(async () => void (await execa('cp', ['--reflink=auto', source, dest]))),
  },
  {
    name: 'BEGIN IMMEDIATE + cp (old script)',
    run: (source, dest) =>
      timed(async () => {
        const db = new Database(source, { fileMustExist: true, timeout: 30_000 });
        db.exec('BEGIN IMMEDIATE');
        await execa('cp', ['--reflink=auto', source, dest]);
        db.exec('COMMIT');
        db.close();
      }),
  },
  {
    name: 'VACUUM INTO',
    run: (source, dest) =>
      timed(async () => {
        const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 30_000 });
        db.exec(`VACUUM INTO '${dest.replaceAll("'", "''")}'`);
        db.close();
      }),
  },
  {
    name: 'db.backup() pinned, 1024 pages/step',
    run: (source, dest) =>
      timed(async () => {
        const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 30_000 });
        db.exec('BEGIN; SELECT count(*) FROM sqlite_schema;');
        const result = await backup(db, dest, 10 * 60_000);
        db.exec('COMMIT');
        db.close();
        return result;
      }),
  },
  {
    name: `db.backup() unpinned (limit ${UNPINNED_LIMIT_MS / 1000} s)`,
    loads: ['writer'],
    run: (source, dest) =>
      timed(async () => {
        const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 30_000 });
        const result = await backup(db, dest, UNPINNED_LIMIT_MS);
        db.close();
        return result;
      }),
  },
  {
    name: 'hotsnap copy-db (engine, durable)',
    run: (source, dest) =>
      timed(async () => {
        const { entry } = await copyDb({ source, dest, json: true, progress: false });
        return phaseOf(entry);
      }),
  },
  {
    // What `hotsnap run` does: the same engine into the staging dir, without the fsync.
    name: 'hotsnap staging copy (engine, no fsync)',
    run: (source, dest) =>
      timed(async () => {
        const entry = await hotCopy(source, dest, { durable: false });
        return phaseOf(entry);
      }),
  },
];

interface Load {
  writerLog: string;
  readerLog: string;
  stop(): Promise<void>;
}

async function startLoad(source: string, dir: string, label: string): Promise<Load> {
  const writerLog = join(dir, `${label}-writer.log`);
  const readerLog = join(dir, `${label}-reader.log`);
  const started: ResultPromise[] = [];
  for (const [script, log, extra] of [
    ['writer.js', writerLog, ['--interval-ms', String(WRITER_INTERVAL_MS)]],
    ['reader.js', readerLog, ['--interval-ms', '5']],
  ] as const) {
    const child = execa('node', [join(FIXTURES, script), '--db', source, '--log', log, ...extra], {
      stdin: 'ignore',
      stderr: 'inherit',
      buffer: false,
    });
    await new Promise<void>((ready) => child.stdout!.once('data', () => ready()));
    started.push(child);
  }
  return {
    writerLog,
    readerLog,
    async stop() {
      for (const child of started) child.kill('SIGTERM');
      await Promise.all(started.map((child) => child.catch(() => undefined)));
    },
  };
}

/**
 * Waits until both logs show an operation that started after `to`: an operation blocked during
 * the window is logged only when it finishes, and must not be missed.
 */
async function drained(load: Load, to: number): Promise<void> {
  const limit = performance.now() + 60_000;
  const past = (path: string) => readOps(path).some((op) => op.start > to);
  while (!(past(load.writerLog) && past(load.readerLog)) && performance.now() < limit) await sleep(50);
}

const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

async function machine(): Promise<string> {
  const cpu = cpus()[0]?.model ?? 'unknown';
  // df names ext4 as such; stat -f reports the shared ext2/ext3 magic number.
  const fs = (await execa('df', ['--output=fstype', tmpdir()], { reject: false })).stdout.trim().split('\n').pop();
  const kernel = (await execa('uname', ['-r'])).stdout.trim();
  const db = new Database(':memory:');
  const sqlite = db.prepare('select sqlite_version()').pluck().get() as string;
  db.close();
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} free), ${tmpdir()} on ${fs}, Linux ${kernel}, Node ${process.version}, SQLite ${sqlite} (better-sqlite3)`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-bench-'));
  const rows: string[] = [];
  const notes: string[] = [];
  console.log(`# hot-copy benchmark, ${SIZE_MB} MB, writer every ${WRITER_INTERVAL_MS} ms + reader every 5 ms`);
  console.log(await machine());
  console.log(
    `load average at start: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  try {
    for (const mode of MODES) {
      const source = join(dir, `ghost-${mode}.db`);
      const made = performance.now();
      await execa('node', [
        join(FIXTURES, 'make-db.js'),
        '--out',
        source,
        '--size-mb',
        String(SIZE_MB),
        '--journal',
        mode,
        '--seed',
        '1',
      ]);
      const bytes = statSync(source).size;
      console.log(
        `\n${mode}: made ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - made) / 1000).toFixed(1)} s`,
      );
      await execa('cat', [source], { stdout: 'ignore' }); // warm page cache: every technique starts equal
      await execa('sync');
      for (const load of LOADS) {
        let loadProcesses: Load | undefined;
        let baseline = '';
        if (load === 'writer') {
          loadProcesses = await startLoad(source, dir, mode);
          const from = epochNow();
          await sleep(BASELINE_MS);
          const to = epochNow();
          const writer = windowStats(readOps(loadProcesses.writerLog), from, to);
          const reader = windowStats(readOps(loadProcesses.readerLog), from, to);
          baseline = `writer ${fmt(writer.p99)}/${fmt(writer.max)} ms (${(writer.count / (BASELINE_MS / 1000)).toFixed(0)} commits/s), reader ${fmt(reader.p99)}/${fmt(reader.max)} ms`;
          notes.push(`${mode}, writer load, idle baseline (no copy, ${BASELINE_MS / 1000} s): p99/max ${baseline}`);
          console.log(`  baseline: ${baseline}`);
        }
        let cpMs = Number.NaN;
        for (const technique of TECHNIQUES) {
          if (technique.loads && !technique.loads.includes(load)) continue;
          // Flush the previous copy's dirty pages first, so its writeback does not land in this window.
          await execa('sync');
          await sleep(SETTLE_MS);
          const dest = join(dir, `copy-${mode}-${load}.db`);
          const before = loadProcesses
            ? Math.max(-1, ...readOps(loadProcesses.writerLog).map((op) => op.seq ?? -1))
            : -1;
          const from = epochNow();
          const outcome = await technique.run(source, dest);
          const to = epochNow();
          if (loadProcesses) await drained(loadProcesses, to);
          if (technique.name.startsWith('cp ')) cpMs = outcome.ms;
          const writer = loadProcesses ? windowStats(readOps(loadProcesses.writerLog), from, to) : undefined;
          const reader = loadProcesses ? windowStats(readOps(loadProcesses.readerLog), from, to) : undefined;
          let integrity = '–';
          let invariants = '–';
          let missing = '–';
          if (outcome.finished) {
            const check = checkDatabase(dest);
            integrity = check.integrity.length === 1 && check.integrity[0] === 'ok' ? 'ok' : 'CORRUPT';
            invariants = Object.values(check.invariants).every((result) => result.ok) ? 'ok' : 'BROKEN';
            missing = before < 0 ? '–' : String(Math.max(0, before - check.seq));
          }
          for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(dest + suffix, { force: true });
          const mbps = bytes / 1e6 / (outcome.ms / 1000);
          let phase =
            outcome.copyPhaseMs !== undefined
              ? `; copy phase ${fmt(outcome.copyPhaseMs, 0)} ms = ${fmt(bytes / 1e6 / (outcome.copyPhaseMs / 1000), 0)} MB/s, ${fmt(cpMs / outcome.copyPhaseMs, 2)}× cp; writer_block_ms ${fmt(outcome.writerBlockMs, 0)}`
              : '';
          if (loadProcesses && outcome.phaseWindow) {
            const [pinFrom, pinTo] = outcome.phaseWindow;
            const w = windowStats(readOps(loadProcesses.writerLog), pinFrom, pinTo);
            const r = windowStats(readOps(loadProcesses.readerLog), pinFrom, pinTo);
            phase += `; while pinned/locked: writer p99/max ${fmt(w.p99)}/${fmt(w.max)} ms (${w.count} commits), reader ${fmt(r.p99)}/${fmt(r.max)} ms`;
          }
          const row = [
            mode,
            load,
            technique.name,
            outcome.finished ? fmt(outcome.ms / 1000, 2) : `>${fmt(outcome.ms / 1000, 0)}`,
            outcome.finished ? fmt(mbps, 0) : '–',
            outcome.finished ? fmt(cpMs / outcome.ms, 2) : '–',
            writer ? `${fmt(writer.p99)} / ${fmt(writer.max)}` : '–',
            reader ? `${fmt(reader.p99)} / ${fmt(reader.max)}` : '–',
            writer ? String(writer.count) : '–',
            outcome.finished ? 'yes' : 'NO',
            outcome.restarts === undefined ? '–' : String(outcome.restarts),
            integrity,
            invariants,
            missing,
            `${outcome.note ?? ''}${phase}`,
          ];
          rows.push(`| ${row.join(' | ')} |`);
          console.log(`  ${row.slice(2).join(' | ')}`);
        }
        await loadProcesses?.stop();
      }
      rmSync(source, { force: true });
      for (const suffix of ['-wal', '-shm']) rmSync(source + suffix, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = [
    '| mode | load | technique | s | MB/s | × cp | writer p99 / max ms | reader p99 / max ms | commits in window | finished | restarts | integrity | invariants | missing commits | notes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const table = [
    ...header,
    ...rows,
    '',
    ...notes.map((note) => `- ${note}`),
    `- load average at end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  ].join('\n');
  console.log(`\n${table}`);
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${table}\n`);
}

await main();
