/**
 * -c: argv the real client rejects, dry-run rules, name collisions
 * (including NAME.part), statistics and deduplication, config files, and
 * the sequence-number check of a cache that missed a transaction.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listStoredArchives } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { seedArchive } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
  box.write({ 'd/f': 'data\n' });
});
afterEach(() => box.cleanup());

const USAGE = [
  'Usage:',
  '  List:          tarsnap [options...] -tf <archive>',
  '  Extract:       tarsnap [options...] -xf <archive>',
  '  Create:        tarsnap [options...] -cf <archive> [filenames...]',
  '  Delete:        tarsnap [options...] -df <archive>',
  '  Tar output:    tarsnap [options...] -rf <archive>',
  '  List archives: tarsnap [options...] --list-archives',
  '  Print stats:   tarsnap [options...] --print-stats',
  '  Help:    tarsnap --help',
  '',
].join('\n');

/** Parses a --print-stats table into label -> [total, compressed]. */
function statsTable(text: string): Record<string, [number, number]> {
  const table: Record<string, [number, number]> = {};
  for (const line of lines(text)) {
    const match = /^(.{32})  +(\d+)  +(\d+)$/.exec(line);
    if (match) table[match[1]!.trim()] = [Number(match[2]), Number(match[3])];
  }
  return table;
}

describe('argv the real client rejects', () => {
  it.each([
    [['-c', '--bogus'], `tarsnap: Option --bogus is not supported\n${USAGE}`],
    [['-c', '-j'], USAGE],
    [['--keyf'], 'tarsnap: Option --keyfile requires an argument\n' + USAGE],
    // 1.0.41 names the last two prefix matches in its table order.
    [['--no'], 'tarsnap: Ambiguous option --no (matches --no-totals and --no-store-atime)\n' + USAGE],
    [['-c', '--keyfile', 'a', '--keyfile', 'b', '-f', 'x', 'd'], USAGE],
    [
      [],
      'tarsnap: Must specify one of -c, -d, -r, -t, -x, --list-archives, --print-stats, --fsck, --fsck-prune, or --nuke\n',
    ],
    [['-c', '-x'], "tarsnap: Can't specify both -x and -c\n"],
    [
      ['-c', '--keyfile', 'k', '--cachedir', 'c', '-f', 'a', '-f', 'b', 'd'],
      'tarsnap: Option -f may only be specified once in mode -c\n',
    ],
    [['-c', '--keyfile', 'k', '--cachedir', 'c', 'd'], 'tarsnap: Archive name must be specified\n'],
    [['-c', '--keyfile', 'k', '-f', 'a', 'd'], 'tarsnap: Cache directory must be specified for -c\n'],
    [['-c', '--keyfile', 'k', '--cachedir', 'c', '-f', ''], 'tarsnap: Cannot create an archive with an empty name\n'],
    [['-c', '--checkpoint-bytes', '999999', '-f', 'a', 'd'], 'tarsnap: checkpoint-bytes value must be at least 1M\n'],
    [['-c', '--maxbw-rate', '100', '-f', 'a', 'd'], 'tarsnap: Invalid bandwidth rate limit: 100\n'],
    [['-d', '--checkpoint-bytes', '1G', '-f', 'a'], 'tarsnap: Option --checkpoint-bytes is not permitted in mode -d\n'],
    [
      ['-x', '--one-file-system', '--keyfile', 'k', '-f', 'a'],
      'tarsnap: Option --one-file-system is not permitted in mode -x\n',
    ],
    [
      ['-d', '--keyfile', 'k', '--cachedir', 'missing', '-f', 'a'],
      'tarsnap: Cache directory must already exist for -d; check --cachedir and/or run --fsck\n',
    ],
    [['--list-archives', 'extra'], 'tarsnap: Cannot have unused command-line args in this mode.\n'],
    [['-c', '--dry-run', '-C', '', 'd'], "tarsnap: Meaningless option: -C ''\n"],
  ])('tarsnap %j', async (args, stderr) => {
    const result = await box.run(args);
    expect(result).toMatchObject({ exitCode: 1, stdout: '', stderr });
  });

  it('treats options after the first operand as file names', async () => {
    const result = await box.run(['-c', ...box.common(), '-f', 'late', '-C', box.dir, 'd', '--print-stats', '-v']);
    expect(lines(result.stderr)).toEqual([
      "tarsnap: List of objects to archive includes '--print-stats'.  This might not be what you intended.",
      'tarsnap: --print-stats: Cannot stat: No such file or directory',
      'tarsnap: -v: Cannot stat: No such file or directory',
      'tarsnap: Error exit delayed from previous errors.',
      'tarsnap: Data on server was modified, but it might notbe exactly what you requested',
    ]);
    expect(result.exitCode).toBe(2);
    expect(listStoredArchives(box.state).map((archive) => archive.name)).toEqual(['late']);
  });

  it('prints the version and accepts the old tar-style first word', async () => {
    expect(await box.run(['--version'])).toMatchObject({ exitCode: 0, stdout: 'tarsnap 1.0.41\n', stderr: '' });
    const oldStyle = await box.run(['cvf', 'old', '--dry-run', '-C', box.dir, 'd']);
    expect(oldStyle).toMatchObject({ exitCode: 0, stderr: 'a d\na d/f\n' });
  });
});

describe('--dry-run', () => {
  it('needs no key, stores nothing, and warns about keys only with --print-stats', async () => {
    const quiet = await box.run(['-c', '--dry-run', '-f', 'x', '-C', box.dir, 'd']);
    expect(quiet).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const stats = await box.run(['-c', '--dry-run', '--print-stats', '-f', 'x', '-C', box.dir, 'd']);
    expect(stats.exitCode).toBe(0);
    expect(lines(stats.stderr).slice(0, 2)).toEqual([
      'tarsnap: Performing dry-run archival without keys',
      '         (sizes may be slightly inaccurate)',
    ]);
    const table = statsTable(stats.stderr);
    expect(table['This archive']).toEqual(table['New data']);
    expect(listStoredArchives(box.state)).toEqual([]);
  });

  it('refuses a cachedir without a keyfile, and a named keyfile that is missing', async () => {
    const mismatch = await box.run(['-c', '--dry-run', '--cachedir', box.cache, '-f', 'x', '-C', box.dir, 'd']);
    expect(mismatch).toMatchObject({
      exitCode: 1,
      stderr: 'tarsnap: Option mismatch for --dry-run: cachedir specified but no keyfile\n',
    });
    const missing = path.join(box.dir, 'missing.key');
    const named = await box.run(['-c', '--dry-run', '--keyfile', missing, '-f', 'x', '-C', box.dir, 'd']);
    expect(named).toMatchObject({
      exitCode: 1,
      stderr: `tarsnap: fopen(${missing}): No such file or directory\ntarsnap: Cannot read key file: ${missing}\n`,
    });
  });

  it('cannot see existing names', async () => {
    seedArchive(box.state, 'taken', new Date());
    expect((await box.run(['-c', '--dry-run', '--keyfile', box.key, '-f', 'taken', '-C', box.dir, 'd'])).exitCode).toBe(
      0,
    );
  });
});

describe('names already in use', () => {
  it.each(['taken', 'taken.part'])('refuses NAME when %s exists', async (existing) => {
    seedArchive(box.state, existing, new Date());
    const result = await box.run(['-c', ...box.common(), '-f', 'taken', '-C', box.dir, 'd']);
    expect(result.exitCode).toBe(1);
    expect(lines(result.stderr)).toEqual([
      `tarsnap: An archive already exists with the name "${existing}"`,
      'tarsnap: Error creating new archive',
      'tarsnap: Error exit delayed from previous errors.',
    ]);
    expect(listStoredArchives(box.state).map((archive) => archive.name)).toEqual([existing]);
  });
});

describe('statistics', () => {
  it('deduplicates: a second identical backup adds almost no new data', async () => {
    const page = Buffer.alloc(4096);
    const database = Buffer.concat(Array.from({ length: 100 }, (_, i) => (page.fill(i), Buffer.from(page))));
    box.write({ 'd/db.sqlite': database });
    const first = statsTable(
      (await box.run(['-c', ...box.common(), '--print-stats', '-f', 'one', '-C', box.dir, 'd'])).stderr,
    );
    const second = statsTable(
      (await box.run(['-c', ...box.common(), '--print-stats', '-f', 'two', '-C', box.dir, 'd'])).stderr,
    );
    const stored = fs.statSync(listStoredArchives(box.state)[0]!.tarPath).size;
    expect(first['This archive']![0]).toBe(stored);
    expect(first['New data']).toEqual(first['This archive']);
    expect(second['New data']![0]).toBeLessThan(second['This archive']![0] / 50);
    expect(second['All archives']![0]).toBe(first['This archive']![0] + second['This archive']![0]);
    expect(second['(unique data)']![0]).toBe(first['(unique data)']![0] + second['New data']![0]);
    expect(first['This archive']![1]).toBeLessThan(first['This archive']![0]);
  });

  it('writes CSV with --csv-file and humanizes numbers', async () => {
    const csv = path.join(box.dir, 'stats.csv');
    const result = await box.run([
      '-c',
      ...box.common(),
      '--print-stats',
      '--humanize-numbers',
      '--csv-file',
      csv,
      '-f',
      'x',
      '-C',
      box.dir,
      'd',
    ]);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    const rows = lines(fs.readFileSync(csv, 'utf8'));
    expect(rows[0]).toBe('Archive name,Total size,Compressed size');
    expect(rows.slice(1).map((row) => row.split(',')[0])).toEqual([
      'All archives',
      '  (unique data)',
      'This archive',
      'New data',
    ]);
    expect(rows[3]).toMatch(/^This archive,[0-9.]+ [kM]?B,[0-9.]+ [kM]?B$/);
  });

  it('prints global statistics on stdout in --print-stats mode', async () => {
    await box.run(['-c', ...box.common(), '-f', 'x', '-C', box.dir, 'd']);
    const result = await box.run(['--print-stats', ...box.common()]);
    expect(result.exitCode).toBe(0);
    expect(Object.keys(statsTable(result.stdout))).toEqual(['All archives', '(unique data)']);
  });
});

describe('configuration files', () => {
  it('honours print-stats in ~/.tarsnaprc unless --no-default-config', async () => {
    fs.writeFileSync(path.join(box.dir, 'home', '.tarsnaprc'), `print-stats\nhumanize-numbers\nkeyfile ${box.key}\n`);
    const withConfig = await box.run(['-c', '--cachedir', box.cache, '-f', 'a', '-C', box.dir, 'd']);
    expect(withConfig.exitCode).toBe(0);
    expect(withConfig.stderr).toMatch(/^This archive\s+\d+(\.\d)? [kM]?B\s+/m);
    const without = await box.run([
      '-c',
      '--keyfile',
      box.key,
      '--cachedir',
      box.cache,
      '--no-default-config',
      '-f',
      'b',
      '-C',
      box.dir,
      'd',
    ]);
    expect(without).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('reads --configfile and rejects unknown options in it', async () => {
    box.write({
      'good.conf': `# comment\n  cachedir ${box.cache}\nkeyfile ${box.key}\n`,
      'bad.conf': 'frobnicate yes\n',
    });
    const good = await box.run([
      '-c',
      '--no-default-config',
      '--configfile',
      path.join(box.dir, 'good.conf'),
      '-f',
      'a',
      '-C',
      box.dir,
      'd',
    ]);
    expect(good).toMatchObject({ exitCode: 0, stderr: '' });
    const bad = await box.run([
      '-c',
      '--no-default-config',
      '--configfile',
      path.join(box.dir, 'bad.conf'),
      '--dry-run',
      '-f',
      'a',
      'd',
    ]);
    expect(bad).toMatchObject({
      exitCode: 1,
      stderr: 'tarsnap: Unrecognized configuration file option: "frobnicate"\n',
    });
  });
});

describe('a cache that missed a transaction', () => {
  it('gets "Sequence number mismatch" until --fsck rebuilds it', async () => {
    expect((await box.run(['-c', ...box.common(), '-f', 'first', '-C', box.dir, 'd'])).exitCode).toBe(0);
    const otherCache = path.join(box.dir, 'other-cache');
    const other = ['--keyfile', box.key, '--cachedir', otherCache, '--no-default-config'];
    const stale = await box.run(['-c', ...other, '-f', 'second', '-C', box.dir, 'd']);
    expect(stale.exitCode).toBe(1);
    expect(lines(stale.stderr)).toEqual([
      'tarsnap: Sequence number mismatch: Run --fsck',
      'tarsnap: Error creating new archive',
      'tarsnap: Error exit delayed from previous errors.',
    ]);
    const fsck = await box.run(['--fsck', ...other]);
    expect(fsck.exitCode).toBe(0);
    expect(lines(fsck.stdout)[0]).toBe('Phase 1: Verifying metadata validity');
    expect((await box.run(['-c', ...other, '-f', 'second', '-C', box.dir, 'd'])).exitCode).toBe(0);
    // Now the first cache is the stale one.
    expect((await box.run(['-c', ...box.common(), '-f', 'third', '-C', box.dir, 'd'])).exitCode).toBe(1);
  });
});
