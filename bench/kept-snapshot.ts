/**
 * The kept snapshot (issue 9 §3): how much tarsnap reads when nothing, or one row, changed.
 *
 * A server of three SQLite databases (fixtures/sqlite/make-db.js, WAL), a home directory of files
 * and a bare Git repository (a few hundred commits packed by `git gc`, plus loose objects from a
 * later push), backed up by the built CLI against the emulator, whose chunk cache records per `-c`
 * call what it read and what its cache let it skip (calls.jsonl). Three runs: the first, a second
 * over the unchanged server, a third after one row of one database changed; once with
 * `keep_snapshot: true` (the default) and once with `false` (the behaviour before issue 9), each
 * with its own emulator, cache and staging dir. Every source file is dated an hour back first:
 * tarsnap never trusts its cache for a file modified in the second its run began.
 *
 *   npm run build && npx tsx bench/kept-snapshot.ts      (runs bin/hotsnap.js, so dist/ must be built)
 *   BENCH_DB_MB=20,35,50 sets the databases' sizes; --keep leaves the temp dir.
 */
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prng } from '../fixtures/sqlite/make-db.js';
import { readCalls } from '../fixtures/tarsnap-emulator/lib/inspect.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = process.env.BENCH_BIN ?? join(ROOT, 'bin/hotsnap.js');
const EMULATOR = join(ROOT, 'fixtures/tarsnap-emulator/tarsnap');
const DB_MB = (process.env.BENCH_DB_MB ?? '20,35,50').split(',').map(Number);
const COMMITS = 300;
const keep = process.argv.includes('--keep');
const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_'))),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.org',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.org',
};
const git = (cwd: string, ...args: string[]) =>
  execa('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: gitEnv, extendEnv: false });

interface Server {
  databases: string[];
  home: string;
  gitRoot: string;
}

/** Given a PRNG and a length, returns that many bytes of hex text (compresses about 2:1, like source code). */
function text(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(random() * 0x100000000).toString(16);
  return out.slice(0, length);
}

/** Makes the home dir: 200 small notes and 20 larger files (256 KiB – 2 MiB). */
function makeHome(home: string): void {
  const random = prng(7);
  mkdirSync(join(home, 'notes'), { recursive: true });
  mkdirSync(join(home, 'media'));
  for (let i = 0; i < 200; i++) writeFileSync(join(home, 'notes', `note-${i}.md`), text(random, 500 + (i % 40) * 50));
  for (let i = 0; i < 20; i++) {
    const size = 256 * 1024 * (1 + (i % 8));
    writeFileSync(join(home, 'media', `file-${i}.bin`), Buffer.from(text(random, size)));
  }
}

/** Makes a bare repository: COMMITS commits written by fast-import and packed by gc, then 10 pushed (loose). */
async function makeRepository(bare: string, scratch: string): Promise<void> {
  const random = prng(11);
  await git(scratch, 'init', '-q', '--bare', bare);
  const stream: string[] = [];
  for (let i = 1; i <= COMMITS; i++) {
    const body = `${text(random, 8000 + (i % 5) * 2000)}\n`;
    const message = `commit ${i}\n`;
    stream.push(
      `commit refs/heads/main\ncommitter Bench <bench@example.org> ${1_700_000_000 + i * 3600} +0000\n`,
      `data ${Buffer.byteLength(message)}\n${message}`,
      `M 100644 inline src/file-${i % 40}.txt\ndata ${Buffer.byteLength(body)}\n${body}\n`,
    );
  }
  await execa('git', ['--git-dir', bare, 'fast-import', '--quiet'], {
    input: stream.join(''),
    env: gitEnv,
    extendEnv: false,
  });
  await git(bare, 'gc', '-q');
  const work = join(scratch, 'work');
  await git(scratch, 'clone', '-q', bare, work);
  for (let i = 0; i < 10; i++) {
    writeFileSync(join(work, `later-${i}.txt`), text(random, 4000));
    await git(work, 'add', `later-${i}.txt`);
    await git(work, 'commit', '-q', '-m', `later ${i}`);
  }
  await git(work, 'push', '-q', 'origin', 'main');
}

/** Builds the server under dir. */
async function makeServer(dir: string): Promise<Server> {
  const root = join(dir, 'server');
  mkdirSync(join(root, 'var/lib/app'), { recursive: true });
  const databases = DB_MB.map((_, i) => join(root, 'var/lib/app', `db${i + 1}.db`));
  const makeDb = join(ROOT, 'fixtures/sqlite/make-db.js');
  await Promise.all(
    databases.map((out, i) =>
      execa('node', [makeDb, '--out', out, '--size-mb', String(DB_MB[i]), '--seed', `${i + 1}`]),
    ),
  );
  const home = join(root, 'home/alice');
  makeHome(home);
  const gitRoot = join(root, 'srv/git');
  mkdirSync(gitRoot, { recursive: true });
  await makeRepository(join(gitRoot, 'app.git'), dir);
  return { databases, home, gitRoot };
}

/** Sets every file below dir an hour back, so tarsnap's same-second rule never makes it look new. */
function age(dir: string): void {
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), hourAgo, hourAgo);
  }
}

/** Counts regular files and their bytes below dir. */
function census(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

interface RunFigures {
  run: string;
  bytesRead: number;
  filesRead: number;
  bytesSkipped: number;
  filesSkipped: number;
  wallMs: number;
}

interface CreateCall {
  mode: string | null;
  argv: string[];
  bytesRead?: number;
  filesRead?: number;
  bytesSkipped?: number;
  filesSkipped?: number;
}

/** Runs the three runs of one scenario in its own emulator, cache and staging dir. */
async function scenario(dir: string, server: Server, keepSnapshot: boolean): Promise<RunFigures[]> {
  const base = join(dir, keepSnapshot ? 'kept' : 'throwaway');
  const emulatorDir = join(base, 'emulator');
  mkdirSync(emulatorDir, { recursive: true });
  mkdirSync(join(base, 'staging'));
  const key = join(base, 'key');
  writeFileSync(key, '# START OF TARSNAP KEY FILE\nemulator-key: read,write,delete\n');
  chmodSync(key, 0o600);
  const config = join(base, 'hotsnap.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      hostname: 'bench',
      timezone: 'UTC',
      staging_dir: join(base, 'staging'),
      state_dir: join(base, 'state'),
      tarsnap: { binary: EMULATOR, keyfile: key, cachedir: join(base, 'cache') },
      profiles: {
        daily: { sqlite: server.databases, git: [server.gitRoot], paths: [server.home], keep_snapshot: keepSnapshot },
      },
    }),
  );
  const env = { TARSNAP_EMULATOR_DIR: emulatorDir, XDG_CACHE_HOME: join(base, 'cache-home') };
  const figures: RunFigures[] = [];
  const run = async (label: string) => {
    const before = readCalls(emulatorDir).length;
    const start = performance.now();
    const result = await execa('node', [BIN, 'run', '--config', config], { env, reject: false });
    const wallMs = performance.now() - start;
    if (result.exitCode !== 0) throw new Error(`${label}: hotsnap run exited ${result.exitCode}\n${result.stderr}`);
    const creates = (readCalls(emulatorDir).slice(before) as CreateCall[]).filter(
      (call) => call.mode === '-c' && !call.argv.includes('--dry-run'),
    );
    const sum = (field: 'bytesRead' | 'filesRead' | 'bytesSkipped' | 'filesSkipped') =>
      creates.reduce((total, call) => total + (call[field] ?? 0), 0);
    figures.push({
      run: label,
      bytesRead: sum('bytesRead'),
      filesRead: sum('filesRead'),
      bytesSkipped: sum('bytesSkipped'),
      filesSkipped: sum('filesSkipped'),
      wallMs,
    });
  };
  age(join(dir, 'server'));
  await run('1 first');
  await run('2 unchanged');
  const database = new Database(server.databases[0]!);
  database.prepare("UPDATE settings SET value = ? WHERE key = 'title'").run(`changed ${Date.now()}`);
  database.close();
  await run('3 one row changed');
  return figures;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

function table(name: string, figures: RunFigures[]): string {
  const first = figures[0]!.bytesRead;
  const rows = figures.map(
    (f) =>
      `| ${name} | ${f.run} | ${mb(f.bytesRead)} | ${f.filesRead} | ${mb(f.bytesSkipped)} | ${f.filesSkipped} | ` +
      `${((100 * f.bytesRead) / first).toFixed(2)}% | ${(f.wallMs / 1000).toFixed(2)} s |`,
  );
  return rows.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'hotsnap-bench-kept-'));
try {
  const load = loadavg();
  process.stdout.write(
    `machine: nproc ${availableParallelism()}, ${cpus()[0]?.model}, Node ${process.version}, ` +
      `load average ${load.map((n) => n.toFixed(2)).join(' ')}, ${new Date().toISOString()}\n`,
  );
  const server = await makeServer(dir);
  const sizes = server.databases.map((path) => statSync(path).size);
  const home = census(server.home);
  const repo = census(server.gitRoot);
  const loose = readdirSync(join(server.gitRoot, 'app.git/objects')).filter((name) => /^[0-9a-f]{2}$/.test(name));
  process.stdout.write(
    `server: databases ${sizes.map(mb).join(', ')}; home ${home.files} files, ${mb(home.bytes)}; ` +
      `git ${COMMITS + 10} commits, ${repo.files} files, ${mb(repo.bytes)} (loose object dirs: ${loose.length})\n\n`,
  );
  const kept = await scenario(dir, server, true);
  const throwaway = await scenario(dir, server, false);
  process.stdout.write(
    '| keep_snapshot | run | bytes read | files read | bytes skipped | files skipped | read / run 1 | wall |\n' +
      '|---|---|---|---|---|---|---|---|\n' +
      `${table('true', kept)}\n${table('false', throwaway)}\n\n`,
  );
  const changed = statSync(server.databases[0]!).size;
  process.stdout.write(
    `run 3 (kept) minus the changed database (${mb(changed)}): ${mb(kept[2]!.bytesRead - changed)} ` +
      `(${kept[2]!.filesRead} files read)\n` +
      `load average at the end: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}\n`,
  );
} finally {
  if (keep) process.stdout.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
