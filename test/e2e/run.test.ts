/**
 * `hotsnap run` and `hotsnap list` end to end: the built CLI, real SQLite files with a live writer
 * process, the tarsnap emulator; restore the archive and check what came back.
 */
import { execa, type ResultPromise } from 'execa';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWKWARD_FILES, writeAwkwardFiles } from '../support/awkward-names.js';
import { createWorld, FIXTURES, stagingLeftovers, WORLD_START, type World } from './harness.js';

// The world's clock starts at WORLD_START (2026-03-01 03:00:00Z): the first run's name is exact.
const SUMMARY =
  /^daily: ok {2}archive blog-daily-2026-03-01_03-00-00 {2}total [\d.]+ [kMG]?B, compressed [\d.]+ [kMG]?B, new upload [\d.]+ [kMG]?B \(\$[\d.]+\) {2}[\d.]+s {2}1 database copied \(writers stalled 0 ms\)/;

function makeDb(path: string, journal: 'wal' | 'delete' = 'wal') {
  mkdirSync(join(path, '..'), { recursive: true });
  return execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', path, '--size-mb', '4', '--journal', journal]);
}

function startWriter(db: string): ResultPromise {
  return execa('node', [join(FIXTURES, 'sqlite/writer.js'), '--db', db, '--interval-ms', '3'], { reject: false });
}

async function waitForLine(child: ResultPromise, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) resolve(line);
    });
  });
}

describe('hotsnap run: the whole pipeline on a live blog', () => {
  let world: World;
  let db: string;
  let home: string;
  let git: string;
  let archive: string;
  let runStdout: string;
  let lastCommittedBeforeRun: number;

  beforeAll(async () => {
    world = createWorld('run');
    db = join(world.dir, 'srv/ghost/content/data/ghost.db');
    home = join(world.dir, 'home/alice');
    git = join(world.dir, 'srv/git');
    await makeDb(db);
    writeAwkwardFiles(home);
    writeFileSync(join(home, 'scratch.tmp'), 'excluded by pattern\n');
    mkdirSync(join(home, 'node_modules/left-pad'), { recursive: true });
    writeFileSync(join(home, 'node_modules/left-pad/index.js'), 'excluded by component\n');
    mkdirSync(git, { recursive: true });
    await execa('git', ['init', '-q', '--bare', join(git, 'site.git')]);
    world.writeConfig({
      defaults: { exclude: ['*.tmp'] },
      profiles: {
        daily: {
          sqlite: [db],
          paths: [home, git, join(world.dir, 'srv/ghost')],
          exclude: ['node_modules'],
          retention: { keep_daily: 7 },
        },
      },
    });

    const writer = startWriter(db);
    let latest = 0;
    writer.stdout!.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/^c (\d+)/gm)) latest = Math.max(latest, Number(match[1]));
    });
    await waitForLine(writer, /^c \d+/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Every commit the writer reported before hotsnap started must be in the copy.
    lastCommittedBeforeRun = latest;
    const result = await world.hotsnap(['run']);
    writer.kill('SIGTERM');
    await writer;
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(0);
    runStdout = String(result.stdout);
    archive = /archive (\S+)/.exec(runStdout)![1]!;
  });
  afterAll(() => world?.cleanup());

  it('ends with one summary line for the profile', () => {
    expect(runStdout.trim().split('\n')).toHaveLength(1);
    expect(runStdout.trim()).toMatch(SUMMARY);
  });

  it('stores the hot copy where the database lives, and not the live files', async () => {
    const members = String((await world.tarsnap(['-t', '--keyfile', world.keyfile, '-f', archive])).stdout).split('\n');
    const dbMember = db.slice(1);
    expect(members).toContain(dbMember);
    expect(members.filter((member) => member === dbMember)).toHaveLength(1);
    for (const side of ['-wal', '-shm', '-journal']) expect(members).not.toContain(dbMember + side);
    expect(members).toContain('.hotsnap/manifest.json');
    expect(members.some((member) => member.includes('staging'))).toBe(false);
    expect(members.some((member) => member.endsWith('scratch.tmp'))).toBe(false);
    expect(members.some((member) => member.includes('node_modules'))).toBe(false);
    expect(members).toContain(`${git.slice(1)}/site.git/HEAD`);
  });

  it('restores files byte for byte and a consistent database with every commit made before the copy', async () => {
    const restore = join(world.dir, 'restore');
    mkdirSync(restore);
    const extracted = await world.tarsnap(['-x', '--keyfile', world.keyfile, '-f', archive, '-C', restore]);
    expect(extracted.exitCode).toBe(0);
    for (const name of Object.keys(AWKWARD_FILES)) {
      expect(readFileSync(join(restore, home, name))).toEqual(readFileSync(join(home, name)));
    }
    const restoredDb = join(restore, db);
    expect(existsSync(`${restoredDb}-wal`)).toBe(false);
    const check = await execa('node', [join(FIXTURES, 'sqlite/check.js'), restoredDb], { reject: false });
    const verdict = JSON.parse(String(check.stdout)) as { ok: boolean; seq: number };
    expect(verdict.ok).toBe(true);
    expect(lastCommittedBeforeRun).toBeGreaterThan(0);
    expect(verdict.seq).toBeGreaterThanOrEqual(lastCommittedBeforeRun);
    const manifest = JSON.parse(readFileSync(join(restore, '.hotsnap/manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 2, profile: 'daily', hostname: 'blog', archive, failed_databases: [] });
    expect(manifest.databases).toEqual([
      expect.objectContaining({ source: db, method: 'wal-fast', journal_mode: 'wal', writer_block_ms: 0 }),
    ]);
  });

  it('leaves nothing in the staging dir and records the run in the state file', () => {
    expect(stagingLeftovers(world)).toEqual([]);
    const state = JSON.parse(readFileSync(join(world.stateDir, 'profiles/daily.json'), 'utf8'));
    expect(state.last_success).toMatchObject({ status: 'ok', archive, databases: 1 });
    expect(state.last_success.stats.total_bytes).toBeGreaterThan(4_000_000);
  });

  it('lists the archive under its profile, and foreign archives apart', async () => {
    await world.tarsnap([
      '-c',
      '--keyfile',
      world.keyfile,
      '--cachedir',
      world.cachedir,
      '-f',
      'someone-else-1',
      join(world.dir, 'hotsnap.yaml'),
    ]);
    const json = await world.hotsnap(['list', '--json']);
    expect(json.exitCode).toBe(0);
    const rows = JSON.parse(String(json.stdout)) as {
      name: string;
      profile: string | null;
      time: string;
      partial: boolean;
    }[];
    expect(rows.map((row) => [row.name, row.profile, row.partial])).toEqual([
      [archive, 'daily', false],
      ['someone-else-1', null, false],
    ]);
    expect(rows[0]!.time).toBe(WORLD_START);
    const table = String((await world.hotsnap(['list'])).stdout);
    expect(table).toContain(`daily: 1 archive\n  `);
    expect(table).toContain('not from any profile of this config: 1\n');
    const only = JSON.parse(String((await world.hotsnap(['list', 'daily', '--json'])).stdout)) as unknown[];
    expect(only).toHaveLength(1);
  });

  it('never reuses a name: a second run in the same second gets a .2 suffix', async () => {
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      world.setNow('2030-01-01T00:00:00Z');
      const result = await world.hotsnap(['run', '--no-prune']);
      expect(result.exitCode).toBe(0);
      names.push(/archive (\S+)/.exec(String(result.stdout))![1]!);
    }
    expect(names).toEqual(['blog-daily-2030-01-01_00-00-00', 'blog-daily-2030-01-01_00-00-00.2']);
  });
});

describe('hotsnap run: failures', () => {
  let world: World;
  let db: string;
  beforeAll(async () => {
    world = createWorld('run-fail');
    db = join(world.dir, 'data/app.db');
    await makeDb(db, 'delete');
    world.writeConfig({
      profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } },
    });
  });
  afterAll(() => world?.cleanup());

  it('unknown profile: exit 2, nothing attempted', async () => {
    const result = await world.hotsnap(['run', 'hourly']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('hotsnap: unknown profile hourly; the config');
    expect(world.calls()).toEqual([]);
  });

  it('network down: retries, then fails with a hint; nothing stored, nothing left behind', async () => {
    const result = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'network' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^daily: FAILED .*error: tarsnap failed to list archives/m);
    expect(result.stderr).toMatch(/cannot reach the tarsnap server; retrying in 10ms/);
    expect(result.stderr).toMatch(/check DNS and outbound TCP port 9279/);
    expect(stagingLeftovers(world)).toEqual([]);
    const state = JSON.parse(readFileSync(join(world.stateDir, 'profiles/daily.json'), 'utf8'));
    expect(state.last_attempt.status).toBe('failed');
    expect(state.last_success).toBeUndefined();
  });

  it('a transient network failure is retried and the run succeeds', async () => {
    const result = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'network:1' } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/retrying in 10ms/);
  });

  it('cache out of sync: says which fsck to run; with auto_fsck it runs it once and succeeds', async () => {
    const bad = await world.hotsnap(['run', '--no-prune'], { env: { TARSNAP_EMULATOR_FAULT: 'fsck' } });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`run: tarsnap --fsck --keyfile ${world.keyfile} --cachedir ${world.cachedir}`);
    world.writeConfig({
      tarsnap: { auto_fsck: true },
      profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } },
    });
    const good = await world.hotsnap(['run', '--no-prune'], { env: { TARSNAP_EMULATOR_FAULT: 'fsck' } });
    expect(good.stderr).toContain('running tarsnap --fsck once');
    expect(good.exitCode).toBe(0);
    expect(world.calls().filter((call) => call.mode === '--fsck')).toHaveLength(1);
  });

  it('a truncated upload (.part) is a failed run, never counted, and its name is not reused', async () => {
    world.setNow('2031-05-05T05:05:05Z');
    const result = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'part' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('a truncated blog-daily-2031-05-05_05-05-05.part was stored: it is not a backup');
    const state = JSON.parse(readFileSync(join(world.stateDir, 'profiles/daily.json'), 'utf8'));
    expect(state.last_attempt.status).toBe('failed');
    expect(state.last_attempt.archive).toBeUndefined();
    // The next run in the same second does not take the name the .part stands for.
    world.setNow('2031-05-05T05:05:05Z');
    const again = await world.hotsnap(['run', '--no-prune']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/^daily: ok {2}archive blog-daily-2031-05-05_05-05-05\.2 {2}/);
  });

  it('a database named through a symlink: the live file at its real path stays out of the archive', async () => {
    const link = join(world.dir, 'app-link.db');
    symlinkSync(db, link);
    world.writeConfig({
      profiles: { daily: { sqlite: [link], paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } },
    });
    const result = await world.hotsnap(['run', '--no-prune']);
    expect(result.exitCode).toBe(0);
    const archive = /archive (\S+)/.exec(String(result.stdout))![1]!;
    const members = String((await world.tarsnap(['-t', '--keyfile', world.keyfile, '-f', archive])).stdout).split('\n');
    expect(members).toContain(link.slice(1));
    expect(members).not.toContain(db.slice(1));
    world.writeConfig({
      profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } },
    });
  });

  it('exit 2 (stored, but some paths unreadable): the archive is named, the run fails and does not prune', async () => {
    const deletesBefore = world.calls().filter((call) => call.mode === '-d').length;
    const result = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'partial' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^daily: FAILED .*error: archive blog-daily-\S+ was stored but may be incomplete, so this run does not count as a good backup: tarsnap failed to create archive .*\(exit 2\)/m,
    );
    expect(world.calls().filter((call) => call.mode === '-d').length).toBe(deletesBefore);
  });

  it('a staging_dir that does not exist: the profile fails with the fix, no internal error', async () => {
    world.writeConfig({
      staging_dir: join(world.dir, 'no-such-dir'),
      profiles: { daily: { paths: [join(world.dir, 'data')] } },
    });
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `error: cannot create a staging directory in ${join(world.dir, 'no-such-dir')}: it does not exist: create it or set staging_dir to an existing directory`,
    );
    world.writeConfig({
      profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } },
    });
  });

  it('a passphrase-protected key: tarsnap.passphrase feeds it (env:VAR), and it never appears in logs', async () => {
    const protectedKey = join(world.dir, 'protected.key');
    writeFileSync(
      protectedKey,
      '# START OF TARSNAP KEY FILE\nemulator-key: read,write,delete\nemulator-passphrase: correct horse\n',
    );
    chmodSync(protectedKey, 0o600);
    world.writeConfig({
      tarsnap: { keyfile: protectedKey, passphrase: 'env:TARSNAP_PASS' },
      profiles: { daily: { paths: [join(world.dir, 'data')] } },
    });
    const result = await world.hotsnap(['run', '--log-level', 'debug'], { env: { TARSNAP_PASS: 'correct horse' } });
    expect(result.exitCode).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain('correct horse');
    expect(world.calls().at(-1)!.argv).toEqual(expect.arrayContaining(['--passphrase', 'env:TARSNAP_PASS']));
    const wrong = await world.hotsnap(['run'], { env: { TARSNAP_PASS: 'wrong' } });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toMatch(/passphrase/);
    world.writeConfig({
      profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } },
    });
  });

  it('a missing key file: says which file and what to check', async () => {
    world.writeConfig({
      tarsnap: { keyfile: join(world.dir, 'nope.key') },
      profiles: { daily: { paths: [join(world.dir, 'data')] } },
    });
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `cannot read the key file ${join(world.dir, 'nope.key')}; check the path and that this user can read it`,
    );
    world.writeConfig({
      profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')], retention: { keep_last: 3 } } },
    });
  });

  it('a database that cannot be copied fails the profile but the rest is archived', async () => {
    world.writeConfig({
      profiles: { daily: { sqlite: [db, join(world.dir, 'data/missing.db')], paths: [join(world.dir, 'data')] } },
    });
    world.setNow('2031-06-01T00:00:00Z');
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^daily: FAILED {2}archive blog-daily-2031-06-01_00-00-00\.incomplete .*1 database copied, 1 failed .*error: 1 database could not be copied \(archive blog-daily-2031-06-01_00-00-00\.incomplete was stored without it, marked incomplete: never counted as a backup\)/m,
    );
    expect(stagingLeftovers(world)).toEqual([]);
  });

  it('dry run: copies and checks, runs tarsnap --dry-run, stores and records nothing', async () => {
    world.writeConfig({ profiles: { daily: { sqlite: [db], paths: [join(world.dir, 'data')] } } });
    // --list-archives prints in arbitrary order (as the real client does): compare sorted.
    const names = async () =>
      String((await world.tarsnap(['--list-archives', '--keyfile', world.keyfile])).stdout)
        .split('\n')
        .sort();
    const listed = await names();
    const callsBefore = world.calls().length;
    const result = await world.hotsnap(['run', '--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^daily: dry-run {2}total/m);
    const calls = world.calls().slice(callsBefore);
    expect(calls.map((call) => call.mode)).toEqual(['-c']);
    expect(calls[0]!.argv).toContain('--dry-run');
    expect(await names()).toEqual(listed);
    expect(stagingLeftovers(world)).toEqual([]);
  });
});
