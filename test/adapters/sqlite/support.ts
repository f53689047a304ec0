/**
 * Test helpers for the hot-copy tests: temp dirs, fixture databases, and the live writer,
 * checkpointer and reader as real child processes (separate POSIX locks, separate connections).
 */
import { execa, type ResultPromise } from 'execa';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nobodyKit, nobodySkipReason } from '../../support/nobody.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = join(ROOT, 'fixtures/sqlite');

/** Given a prefix, returns a fresh temp dir and a function removing it. */
export function makeTempDir(prefix = 'hotsnap-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Given a path, size and journal mode, creates a Ghost-like database with make-db.js. */
export async function makeDb(path: string, sizeMb: number, journal: 'wal' | 'delete', seed = 1): Promise<void> {
  await execa('node', [
    join(FIXTURES, 'make-db.js'),
    '--out',
    path,
    '--size-mb',
    String(sizeMb),
    '--journal',
    journal,
    '--seed',
    String(seed),
    '--force',
  ]);
}

/** Given a directory, returns its entries sorted (for "nothing left behind" assertions). */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Splits a child's stdout into lines and hands each to a callback. */
function onLines(subprocess: ResultPromise, handle: (line: string) => void): void {
  let buffer = '';
  subprocess.stdout!.setEncoding('utf8');
  subprocess.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      handle(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  });
}

export interface LiveWriter {
  /** The highest seq the writer has reported COMMITTED (printed after its COMMIT returned). */
  lastCommitted(): number;
  /** Resolves once the writer has committed at least n more transactions than now. */
  waitForCommits(n: number): Promise<void>;
  /** Commit latencies seen so far: [startEpochMs, ms]. */
  latencies: Array<[number, number]>;
  busy: number;
  stop(): Promise<void>;
}

/** Given a database, starts writer.js committing every intervalMs; resolves once it is ready. */
export async function startWriter(db: string, intervalMs = 2): Promise<LiveWriter> {
  const subprocess = execa('node', [join(FIXTURES, 'writer.js'), '--db', db, '--interval-ms', String(intervalMs)], {
    stdin: 'ignore',
    stderr: 'inherit',
    buffer: false,
  });
  let last = -1;
  const waiters: Array<{ target: number; resolve: () => void }> = [];
  const writer: LiveWriter = {
    lastCommitted: () => last,
    latencies: [],
    busy: 0,
    waitForCommits(n) {
      const target = last + n;
      return new Promise((done) => waiters.push({ target, resolve: done }));
    },
    async stop() {
      subprocess.kill('SIGTERM');
      await subprocess;
    },
  };
  const ready = new Promise<void>((done, fail) => {
    onLines(subprocess, (line) => {
      const [kind, seq, start, ms] = line.split(' ');
      if (kind === 'ready') {
        last = Number(seq);
        done();
      } else if (kind === 'c') {
        last = Number(seq);
        writer.latencies.push([Number(start), Number(ms)]);
        for (const waiter of waiters.filter((w) => w.target <= last)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      } else if (kind === 'busy') {
        writer.busy++;
      }
    });
    subprocess.catch(fail);
  });
  await ready;
  return writer;
}

export interface ControlledWriter {
  /** Sends one command (see writer.js --control) and resolves to its one-line answer. */
  send(command: string): Promise<string>;
  stop(): Promise<void>;
  /** SIGKILL, like an application crash: no checkpoint, the WAL stays as it is. */
  crash(): Promise<void>;
}

/** Given a database (and a seed for repeatable transactions), starts writer.js --control (commits only when told). */
export async function startControlledWriter(db: string, seed = 1, busyTimeoutMs = 30_000): Promise<ControlledWriter> {
  const subprocess = execa(
    'node',
    [
      join(FIXTURES, 'writer.js'),
      '--db',
      db,
      '--control',
      '--seed',
      String(seed),
      '--busy-timeout-ms',
      String(busyTimeoutMs),
    ],
    { stdin: 'pipe', stderr: 'inherit', buffer: false },
  );
  const pending: Array<(line: string) => void> = [];
  const ready = new Promise<void>((done) => {
    onLines(subprocess, (line) => {
      if (line.startsWith('ready')) return done();
      pending.shift()?.(line);
    });
  });
  await ready;
  return {
    send(command) {
      return new Promise((done) => {
        pending.push(done);
        subprocess.stdin!.write(`${command}\n`);
      });
    },
    async stop() {
      if (subprocess.exitCode !== null || subprocess.signalCode !== null) return;
      subprocess.stdin!.end('exit\n');
      await subprocess;
    },
    async crash() {
      subprocess.kill('SIGKILL');
      await subprocess.catch(() => undefined);
    },
  };
}

/** Runs test/adapters/sqlite/run-hot-copy.ts in a child (as `nobody` when we are root, so permissions apply). */
export const RUN_HOT_COPY = join(ROOT, 'test/adapters/sqlite/run-hot-copy.ts');

export interface ChildOutcome {
  ok: boolean;
  reason?: string;
  message?: string;
  entry?: Record<string, unknown>;
}

/**
 * Why the tests that call hotCopyInChild(…, true) must skip here, or undefined: as root they run
 * it as nobody, from the global setup's kit (the checkout may be out of nobody's reach).
 */
export const unprivilegedChildSkip: string | undefined = process.getuid?.() === 0 ? nobodySkipReason() : undefined;

/**
 * Given the engine's arguments, runs it in a child process (unprivileged if we are root);
 * resolves to its JSON outcome.
 */
export async function hotCopyInChild(
  args: { source: string; dest: string; options?: Record<string, unknown> },
  unprivileged = false,
): Promise<ChildOutcome> {
  const kit = unprivileged && process.getuid?.() === 0 ? nobodyKit() : undefined;
  if (unprivileged && process.getuid?.() === 0 && !kit)
    throw new Error(`cannot run the hot copy as nobody: ${nobodySkipReason()} (skip with unprivilegedChildSkip)`);
  // As nobody: the kit's bundle of run-hot-copy.ts, in a directory nobody can reach.
  const result = kit
    ? await execa('node', [kit.runHotCopy, JSON.stringify(args)], {
        cwd: kit.dir,
        reject: false,
        uid: kit.uid,
        gid: kit.gid,
      })
    : await execa('node', ['--import', 'tsx', RUN_HOT_COPY, JSON.stringify(args)], { cwd: ROOT, reject: false });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ChildOutcome;
  } catch {
    throw new Error(`run-hot-copy printed no result (exit ${result.exitCode}): ${result.stderr}`);
  }
}

/** Given a database, starts checkpointer.js; resolves once ready, stop() resolves to its counts. */
export async function startCheckpointer(
  db: string,
  options: { intervalMs?: number; restartEvery?: number; truncateEvery?: number } = {},
): Promise<{ stop(): Promise<Record<string, number>> }> {
  const subprocess = execa(
    'node',
    [
      join(FIXTURES, 'checkpointer.js'),
      '--db',
      db,
      '--interval-ms',
      String(options.intervalMs ?? 5),
      '--restart-every',
      String(options.restartEvery ?? 15),
      '--truncate-every',
      String(options.truncateEvery ?? 40),
    ],
    { stdin: 'ignore', stderr: 'inherit', buffer: false },
  );
  let counts: Record<string, number> = {};
  const ready = new Promise<void>((done) => {
    onLines(subprocess, (line) => {
      if (line === 'ready') done();
      else if (line.startsWith('{')) counts = JSON.parse(line) as Record<string, number>;
    });
  });
  await ready;
  return {
    async stop() {
      subprocess.kill('SIGTERM');
      await subprocess;
      return counts;
    },
  };
}

/** Given a database and SQL that takes a lock, holds it in another process until release() is called. */
export async function holdLock(db: string, sql: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const Database = require(${JSON.stringify(join(ROOT, 'node_modules/better-sqlite3'))});
    const db = new Database(process.argv[1], { fileMustExist: true, timeout: 5000 });
    db.exec(process.argv[2]);
    process.stdout.write('held\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { if (db.inTransaction) db.exec('ROLLBACK'); db.close(); });`;
  const subprocess = execa('node', ['-e', script, db, sql], { stdin: 'pipe', stderr: 'inherit', buffer: false });
  await new Promise<void>((done, fail) => {
    onLines(subprocess, (line) => line === 'held' && done());
    subprocess.catch(fail);
  });
  return {
    async release() {
      subprocess.stdin!.end();
      await subprocess;
    },
  };
}

/** Given a database file with no connection open to it, overwrites the header of a page in its middle. */
export function corruptMiddlePage(path: string): number {
  const pageSize = 4096;
  const pages = statSync(path).size / pageSize;
  const page = Math.floor(pages / 2);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
  return page;
}
