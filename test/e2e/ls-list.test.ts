/**
 * `hotsnap ls` and `hotsnap list --last / -v` end to end: the built CLI against the emulator. What ls
 * shows is compared with the tree that was backed up (awkward names included); list -v's sizes with
 * the emulator's stored archives.
 */
import { lstatSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listStoredArchives } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { AWKWARD_FILES, writeAwkwardFiles } from '../support/awkward-names.js';
import { createWorld, type World } from './harness.js';

type Row = { path: string; member: string; type: string; size: number; mode: string; mtime: string; target?: string };

// execa strips the final newline of stdout.
/** Every entry under DIR (DIR included) with its type and size, keyed by absolute path. */
function tree(dir: string): Map<string, { type: string; size: number }> {
  const found = new Map<string, { type: string; size: number }>();
  const walk = (path: string) => {
    const stats = lstatSync(path);
    const type = stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'directory' : 'file';
    found.set(path, { type, size: type === 'file' ? stats.size : 0 });
    if (type === 'directory') for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

describe('hotsnap ls and list --last / -v', () => {
  let world: World;
  let home: string;
  let notesDir: string;
  const daily: string[] = [];
  let notes: string;
  const fileTime = new Date('2029-12-31T23:00:00Z');

  beforeAll(async () => {
    world = createWorld('ls');
    home = join(world.dir, 'home/alice');
    notesDir = join(home, 'notes');
    mkdirSync(home, { recursive: true });
    writeAwkwardFiles(home);
    writeFileSync(join(home, 'back\\slash.txt'), 'twelve bytes');
    symlinkSync('notes/with space.txt', join(home, 'link'));
    for (const path of tree(home).keys()) utimesSync(path, fileTime, fileTime);
    world.writeConfig({
      // More than a looking command's one retry, so the test below tells the two policies apart.
      tarsnap: { retries: 3 },
      profiles: {
        daily: { paths: [home], retention: { keep_last: 9 } },
        notes: { paths: [notesDir], retention: { keep_last: 9 } },
      },
    });
    for (const day of ['01', '02', '03']) {
      world.setNow(`2030-01-${day}T03:00:00Z`);
      const run = await world.hotsnap(['run', 'daily', '--no-prune']);
      expect(run.exitCode, String(run.stderr)).toBe(0);
      daily.push(/archive (\S+)/.exec(String(run.stdout))![1]!);
    }
    world.setNow('2030-01-04T03:00:00Z');
    const run = await world.hotsnap(['run', 'notes', '--no-prune']);
    expect(run.exitCode).toBe(0);
    notes = /archive (\S+)/.exec(String(run.stdout))![1]!;
  });
  afterAll(() => world?.cleanup());

  const json = async (args: string[]): Promise<Row[]> => {
    const result = await world.hotsnap([...args, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    return JSON.parse(String(result.stdout)) as Row[];
  };

  it('ls NAME --json: every path, type and size of the backed-up tree, awkward names exact, in one -t call', async () => {
    const before = world.calls().length;
    const rows = await json(['ls', daily[0]!]);
    expect(
      world
        .calls()
        .slice(before)
        .map((call) => call.mode),
    ).toEqual(['-t']);
    const backedUp = tree(home);
    const listed = rows.filter((row) => !row.member.startsWith('.hotsnap/'));
    expect(new Map(listed.map((row) => [row.path, { type: row.type, size: row.size }]))).toEqual(backedUp);
    for (const name of Object.keys(AWKWARD_FILES)) {
      expect(listed.find((row) => row.path === join(home, name))?.size, name).toBe(
        Buffer.byteLength(AWKWARD_FILES[name]!),
      );
    }
    expect(listed.find((row) => row.path === join(home, 'link'))).toMatchObject({
      type: 'symlink',
      target: 'notes/with space.txt',
    });
    expect(listed.find((row) => row.path === join(home, 'back\\slash.txt'))).toMatchObject({
      size: 12,
      mtime: fileTime.toISOString(),
    });
    expect(rows.map((row) => row.member)).toContain('.hotsnap/manifest.json');
  });

  it('ls NAME: ls -l-like lines with live paths, escaped names, UTC times and a count', async () => {
    const result = await world.hotsnap(['ls', daily[0]!]);
    expect(result.exitCode).toBe(0);
    const stdout = String(result.stdout);
    const lines = stdout.split('\n');
    expect(lines.find((line) => line.endsWith(`${home}/notes/with space.txt`))).toMatch(
      /^-rw-r--r-- {2}\S+ +\S+ +15 B {2}2029-12-31 23:00:00Z {2}\//,
    );
    expect(stdout).toContain(`  ${home}/notes/new\\nline.txt\n`);
    expect(stdout).toContain(`  ${home}/back\\\\slash.txt\n`);
    expect(stdout).toContain(`  ${home}/notes/ünïcödé.txt\n`);
    expect(stdout).toContain(`  ${home}/link -> notes/with space.txt\n`);
    expect(stdout).toMatch(new RegExp(`  ${home}/notes/\n`));
    const files = [...tree(home).values()].filter((entry) => entry.type === 'file').length + 1;
    expect(stdout).toMatch(new RegExp(`\n${daily[0]}: \\d+ entries, ${files} files of [\\d.]+ [kM]?B$`));
  });

  it('latest is the newest complete archive of any profile; latest:PROFILE of that profile', async () => {
    expect(String((await world.hotsnap(['ls', 'latest'])).stdout)).toMatch(new RegExp(`\n${notes}: `));
    expect(String((await world.hotsnap(['ls', 'latest:daily'])).stdout)).toMatch(new RegExp(`\n${daily[2]}: `));
    const rows = await json(['ls', 'latest']);
    expect(rows.some((row) => row.path === join(home, 'link'))).toBe(false);
    expect(rows.some((row) => row.path === join(notesDir, 'with space.txt'))).toBe(true);
  });

  it('PATHs select those members and what lies below, absolute or as member names', async () => {
    const absolute = await json(['ls', daily[1]!, notesDir]);
    expect(absolute.map((row) => row.path).sort()).toEqual([...tree(notesDir).keys()].sort());
    const asMember = await json(['ls', daily[1]!, `${join(home, 'link').slice(1)}`, `${notesDir.slice(1)}/`]);
    expect(asMember.map((row) => row.path).sort()).toEqual([join(home, 'link'), ...tree(notesDir).keys()].sort());
  });

  it("an archive that does not exist: exit 1 with tarsnap's reason; a PATH it does not hold or an unknown profile: exit 2", async () => {
    const missing = await world.hotsnap(['ls', 'no-such-archive']);
    expect(missing.exitCode).toBe(1);
    expect(String(missing.stderr)).toMatch(/Archive does not exist: no-such-archive/);

    const path = await world.hotsnap(['ls', daily[0]!, '/etc/passwd']);
    expect(path.exitCode).toBe(2);
    expect(String(path.stderr)).toContain(
      `not in archive ${daily[0]}: /etc/passwd; see what it holds with: hotsnap ls ${daily[0]}`,
    );

    const profile = await world.hotsnap(['ls', 'latest:weekly']);
    expect(profile.exitCode).toBe(2);
    expect(String(profile.stderr)).toMatch(/unknown profile weekly; the config .* has: daily, notes/);

    const dots = await world.hotsnap(['ls', daily[0]!, '/srv/../etc']);
    expect(dots.exitCode).toBe(2);
  });

  it('server unreachable: ls is a looking command, one retry (not tarsnap.retries) then exit 1', async () => {
    const before = world.calls().length;
    const looking = await world.hotsnap(['ls', daily[0]!], { env: { TARSNAP_EMULATOR_FAULT: 'network' } });
    expect(looking.exitCode).toBe(1);
    expect(String(looking.stderr)).toMatch(/Error looking up v1-0-0-server\.tarsnap\.com/);
    expect(
      world
        .calls()
        .slice(before)
        .map((call) => call.mode),
    ).toEqual(['-t', '-t']);
    const none = await world.hotsnap(['ls', daily[0]!, '--retries', '0'], {
      env: { TARSNAP_EMULATOR_FAULT: 'network' },
    });
    expect(none.exitCode).toBe(1);
    expect(
      world
        .calls()
        .slice(before + 2)
        .map((call) => call.mode),
    ).toEqual(['-t']);
  });

  it('list --last N shows the newest N of each profile, in text and JSON', async () => {
    const text = await world.hotsnap(['list', '--last', '1']);
    expect(text.exitCode).toBe(0);
    expect(String(text.stdout)).toBe(
      [
        'daily: 3 archives',
        '  … 2 older not shown',
        `  2030-01-03 03:00:00Z  ${daily[2]}`,
        'notes: 1 archive',
        `  2030-01-04 03:00:00Z  ${notes}`,
      ].join('\n'),
    );
    const rows = await json(['list', '--last', '2']);
    expect(rows.map((row) => (row as unknown as { name: string }).name)).toEqual([daily[1], daily[2], notes]);
    const bad = await world.hotsnap(['list', '--last', 'zero']);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toContain('--last "zero"');
  });

  it("list -v shows each archive's sizes from one --print-stats -f '*' call; --json carries them", async () => {
    const stored = new Map(listStoredArchives(world.emulatorDir).map((archive) => [archive.name, archive]));
    const before = world.calls().length;
    const rows = (await json(['list', '-v'])) as unknown as Record<string, number | string>[];
    const calls = world.calls().slice(before);
    expect(calls.map((call) => call.mode).sort()).toEqual(['--list-archives', '--print-stats']);
    expect(calls.find((call) => call.mode === '--print-stats')!.argv.slice(-3)).toEqual(['--null-output', '-f', '*']);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const archive = stored.get(String(row.name))!;
      expect(row.total_bytes, String(row.name)).toBe(archive.totalSize);
      expect(row.compressed_bytes).toBe(archive.compressedSize);
      expect(row.unique_compressed_bytes).toBeGreaterThan(0);
      expect(row.unique_compressed_bytes).toBeLessThanOrEqual(archive.compressedSize);
    }
    const text = String((await world.hotsnap(['list', '-v', 'notes'])).stdout);
    expect(text).toMatch(
      new RegExp(
        `^notes: 1 archive\n  2030-01-04 03:00:00Z  ${notes}  total [\\d.]+ kB, compressed [\\d.]+ k?B, unique [\\d.]+ k?B$`,
      ),
    );
  });
});
