/**
 * `hotsnap init` end to end: the built CLI writes a starter config from a HOME with a .tarsnaprc,
 * refuses to overwrite it, converts tarsnapper configs; then a converted config runs against the
 * emulator, owning the archives tarsnapper made and naming new ones the same way.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse, parseDocument } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedArchives } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { git, makeWorkTree } from '../sources/git/support.js';
import { createWorld, EMULATOR, FIXTURES, type World } from './harness.js';

let world: World;
let home: string;

beforeEach(() => {
  world = createWorld('init');
  home = join(world.dir, 'home');
  mkdirSync(home);
  writeFileSync(
    join(home, '.tarsnaprc'),
    `# tarsnap settings\nkeyfile ${world.keyfile}\ncachedir ${world.cachedir}\nprint-stats\nnodump\n`,
  );
});
afterEach(() => world.cleanup());

/**
 * Runs the CLI with HOME in the world; the harness adds --config (the default output: never /etc here). init
 * searches `search` for Git repositories (none by default: never this machine's /srv or /home).
 */
const hotsnap = (args: readonly string[], search = '') =>
  world.hotsnap(args, { env: { HOME: home, HOTSNAP_TEST_INIT_SEARCH: search } });

describe('hotsnap init', () => {
  it('writes the starter config (0600) with the key from ~/.tarsnaprc; it validates; a second init refuses, --force replaces', async () => {
    const result = await hotsnap(['init', '--output', world.configFile]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        `wrote ${world.configFile} (mode 0600)`,
        'next:',
        '  1. edit it: the paths, databases and retention (every key is explained in it)',
        `  2. hotsnap --config ${world.configFile} check`,
        `  3. hotsnap --config ${world.configFile} run --dry-run`,
        `  4. hotsnap --config ${world.configFile} prune --dry-run   (what the first run's prune will delete; if it is refused, run the prune it names once)`,
        `  5. hotsnap --config ${world.configFile} schedule`,
      ].join('\n'), // execa strips the final newline
    );
    expect(String(result.stderr).split('\n')).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}WARN +\//),
    ]);
    expect(result.stderr).toContain(
      `${join(home, '.tarsnaprc')}: "print-stats" not carried over (not allowed: hotsnap adds it when it needs the numbers)`,
    );
    expect(statSync(world.configFile).mode & 0o777).toBe(0o600);
    const written = readFileSync(world.configFile, 'utf8');
    expect(parse(written).tarsnap).toEqual({
      keyfile: world.keyfile,
      cachedir: world.cachedir,
      extra_args: ['--nodump'],
    });

    const validate = await hotsnap(['config', 'validate']);
    expect([validate.exitCode, validate.stdout]).toEqual([0, `${world.configFile}: valid (2 profiles: daily, weekly)`]);

    const again = await hotsnap(['init', '--output', world.configFile]);
    expect([again.exitCode, again.stdout]).toEqual([2, '']);
    // Refused before any warning: the .tarsnaprc note above would be about a file it never writes.
    expect(again.stderr).toBe(
      `hotsnap: ${world.configFile} already exists; pass --force to replace it, or --output FILE to write elsewhere`,
    );
    expect(readFileSync(world.configFile, 'utf8')).toBe(written);
    writeFileSync(world.configFile, 'edited: by hand\n');
    expect((await hotsnap(['init', '--force'])).exitCode).toBe(0);
    expect(readFileSync(world.configFile, 'utf8')).toBe(written);
  });

  it('suggests the Git repositories it finds under git:, and that suggestion backs them up', async () => {
    const machine = join(world.dir, 'machine');
    const bare = join(machine, 'srv/git/app.git');
    const work = await makeWorkTree(join(machine, 'home/a/proj'), 2);
    await git(machine, 'init', '-q', '--bare', bare);
    await git(work, 'push', '-q', bare, 'main');
    const result = await hotsnap(
      ['init', '--output', world.configFile],
      `${join(machine, 'srv')}:${join(machine, 'home')}`,
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('1. edit it: the paths, databases, Git repositories and retention');
    const suggested = parse(readFileSync(world.configFile, 'utf8')).profiles.daily.git;
    expect(suggested).toEqual([work, bare].sort());

    world.writeConfig({ profiles: { daily: { git: suggested } } });
    const run = await hotsnap(['run']);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(run.stdout).toMatch(/daily: ok .*2 Git repositories captured/);
  });

  it('--from-tarsnapper: notes on stderr and atop the file', async () => {
    const result = await hotsnap(['init', '--from-tarsnapper', join(FIXTURES, 'tarsnapper/ghost-blog.yml')]);
    expect(result.exitCode).toBe(0);
    const warnings = String(result.stderr).split('\n');
    expect(warnings).toHaveLength(6);
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /WARN +job "mail": deltas "30d 1d 7d" reordered to "1d 7d 30d" \(hotsnap wants them ascending; tarsnapper sorted them\)$/,
      ),
    );
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /WARN +job "ghost": exec_before → hooks.before, exec_after → hooks.finally: tarsnapper ran them through a shell/,
      ),
    );
    const text = readFileSync(world.configFile, 'utf8');
    expect(text).toContain('#   - job "mail": deltas "30d 1d 7d" reordered to "1d 7d 30d"');
    // It validates: init checks that before writing (and the emulator test below runs such a file).
    expect(Object.keys(parse(text).profiles)).toEqual(['ghost', 'mail']);
  });

  it('--from-tarsnapper with a file tarsnapper refuses: exit 2, every problem listed, nothing written', async () => {
    const result = await hotsnap(['init', '--from-tarsnapper', join(FIXTURES, 'tarsnapper/refused.yml')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `hotsnap: cannot convert the tarsnapper config ${join(FIXTURES, 'tarsnapper/refused.yml')}:\n  - jobs.both: use either "source" or "sources", not both`,
    );
    expect(String(result.stderr).match(/^ {2}- /gm)).toHaveLength(4);
    expect(existsSync(world.configFile)).toBe(false);
  });
});

describe('a converted tarsnapper setup, run by hotsnap', () => {
  it('owns the archives tarsnapper made (aliases too), prunes them with the deltas, and names new archives the same way', async () => {
    const data = join(world.dir, 'ghost');
    mkdirSync(data);
    writeFileSync(join(data, 'post.md'), 'hello\n');
    const tarsnapper = join(world.dir, 'tarsnapper.yml');
    writeFileSync(
      tarsnapper,
      [
        'target: blog/$name-$date',
        'dateformat: "%Y-%m-%d_%H%M"',
        'deltas: 1d 7d 30d',
        'jobs:',
        '  ghost:',
        `    source: ${data}`,
        '    alias: blog',
        `    exec_before: echo "before $(basename ${data})" > ${join(world.dir, 'hook.out')}`,
        '  mail:',
        `    source: ${data}`,
        '    target: mail-$date.tar',
        '',
      ].join('\n'),
    );
    // What tarsnapper left behind: 40 days of ghost, the same job's archives under its old name, mail, and a stranger.
    const seeded: Array<{ name: string; time: Date; profile: string | null }> = [];
    for (let i = 0; i < 40; i++) {
      const time = new Date(Date.UTC(2024, 0, 1 + i, 3, 15));
      const stamp = time.toISOString().replace(/T(\d\d):(\d\d).*/, '_$1$2');
      seeded.push({ name: `blog/ghost-${stamp}`, time, profile: 'ghost' });
      if (i < 5)
        seeded.push({
          name: `blog/blog-${stamp.replace('2024', '2023')}`,
          time: new Date(time.getTime() - 365 * 86_400_000),
          profile: 'ghost',
        });
      // mail has its own target, and the global dateformat.
      if (i % 10 === 0) seeded.push({ name: `mail-${stamp}.tar`, time, profile: 'mail' });
    }
    seeded.push({ name: 'blog/other-2024-01-01_0315', time: new Date('2024-01-01T03:15:00Z'), profile: null });
    seedArchives(world.emulatorDir, seeded);
    expect((await world.fsck()).exitCode).toBe(0);

    expect((await hotsnap(['init', '--from-tarsnapper', tarsnapper])).exitCode).toBe(0);
    // The machine-specific bits a real host would not need: the emulator, the world's dirs.
    const doc = parseDocument(readFileSync(world.configFile, 'utf8'));
    doc.setIn(['tarsnap', 'binary'], EMULATOR);
    doc.set('hostname', 'blog');
    doc.set('state_dir', world.stateDir);
    doc.set('staging_dir', world.stagingDir);
    writeFileSync(world.configFile, doc.toString());

    const list = await hotsnap(['list', '--json']);
    expect(list.exitCode).toBe(0);
    const owners = Object.fromEntries(
      (JSON.parse(String(list.stdout)) as Array<{ name: string; profile: string | null }>).map((row) => [
        row.name,
        row.profile,
      ]),
    );
    expect(owners).toEqual(Object.fromEntries(seeded.map((archive) => [archive.name, archive.profile])));

    const plan = await hotsnap(['prune', '--dry-run', '--json', 'ghost']);
    expect(plan.exitCode).toBe(0);
    const ghost = (
      JSON.parse(String(plan.stdout)) as {
        profiles: Array<{
          profile: string;
          keep: Array<{ name: string; reasons: string[] }>;
          remove: Array<{ name: string }>;
        }>;
      }
    ).profiles[0]!;
    expect(ghost.keep[0]).toMatchObject({ name: 'blog/ghost-2024-02-09_0315', reasons: ['newest'] });
    // Deltas 1d 7d 30d reach back 30 days from the newest: the adopted 2023 archives go.
    expect(ghost.remove.map((archive) => archive.name)).toEqual(
      expect.arrayContaining(['blog/blog-2023-01-01_0315', 'blog/ghost-2024-01-01_0315']),
    );
    expect(ghost.keep.length + ghost.remove.length).toBe(45);

    world.setNow('2026-03-01T03:15:00Z');
    const run = await hotsnap(['run', 'ghost', '--no-prune']);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(readFileSync(join(world.dir, 'hook.out'), 'utf8')).toBe('before ghost\n');
    const names = String((await world.tarsnap(['--list-archives', '--keyfile', world.keyfile])).stdout).split('\n');
    const created = names.filter((name) => !seeded.some((archive) => archive.name === name) && name !== '');
    expect(created).toHaveLength(1);
    expect(created).toEqual(['blog/ghost-2026-03-01_0315']);
  });

  it('a job that archived an "sqlite3 .backup" copy runs as a sqlite: entry: the live database archived, no hook, no copy', async () => {
    const live = join(world.dir, 'srv/app/app.db');
    const copy = join(world.dir, 'backups/app.db');
    const uploads = join(world.dir, 'srv/app/uploads');
    mkdirSync(uploads, { recursive: true });
    mkdirSync(join(copy, '..'));
    writeFileSync(join(uploads, 'a.txt'), 'upload\n');
    const db = new Database(live);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('live row')");
    const tarsnapper = join(world.dir, 'tarsnapper.yml');
    writeFileSync(
      tarsnapper,
      [
        'target: $name-$date',
        'deltas: 1d 7d',
        'jobs:',
        '  app:',
        `    sources: [${copy}, ${uploads}]`,
        `    exec_before: sqlite3 ${live} ".backup ${copy}"`,
        `    exec_after: rm -f ${copy}`,
        '',
      ].join('\n'),
    );
    expect((await hotsnap(['init', '--from-tarsnapper', tarsnapper])).exitCode).toBe(0);
    const doc = parseDocument(readFileSync(world.configFile, 'utf8'));
    expect(doc.toJS().profiles.app).toMatchObject({ sqlite: [live], paths: [uploads] });
    expect(doc.toJS().profiles.app.hooks).toBeUndefined();
    doc.setIn(['tarsnap', 'binary'], EMULATOR);
    doc.set('state_dir', world.stateDir);
    doc.set('staging_dir', world.stagingDir);
    writeFileSync(world.configFile, doc.toString());

    world.setNow('2026-03-01T03:15:00Z');
    const run = await hotsnap(['run', 'app', '--no-prune']);
    db.close();
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(existsSync(copy)).toBe(false);
    const target = join(world.dir, 'restored');
    const restore = await hotsnap(['restore', 'latest:app', '--to', target]);
    expect(restore.exitCode, String(restore.stderr)).toBe(0);
    const restored = new Database(join(target, live), { readonly: true });
    expect(restored.prepare('SELECT v FROM t').pluck().all()).toEqual(['live row']);
    restored.close();
    expect(readFileSync(join(target, uploads, 'a.txt'), 'utf8')).toBe('upload\n');
    expect(existsSync(join(target, copy))).toBe(false);
  });
});
