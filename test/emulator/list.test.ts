/**
 * --list-archives output: plain, -v (local time of the tarsnap process),
 * -vv (the create command line), --null-output, arbitrary order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedArchives } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { EMULATOR, lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const list = (args: string[], env?: Record<string, string>) =>
  box.run(['--list-archives', '--keyfile', box.key, '--no-default-config', ...args], env ? { env } : {});

/**
 * Parses --null-output records: a record ends with one NUL, fields are
 * split by two NULs and argv words by three.
 */
function parseNullOutput(stdout: string): string[][][] {
  expect(stdout.endsWith('\0')).toBe(true);
  const records: string[][][] = [];
  let record: string[][] = [[]];
  let word = '';
  for (let i = 0; i < stdout.length;) {
    if (stdout[i] !== '\0') {
      word += stdout[i];
      i += 1;
      continue;
    }
    let run = 0;
    while (stdout[i + run] === '\0') run += 1;
    (record[record.length - 1] as string[]).push(word);
    word = '';
    // Runs longer than three are a record end followed by an empty field start; 1.0.41 never prints those here.
    if (run === 1) {
      records.push(record);
      record = [[]];
    } else if (run === 2) record.push([]);
    else if (run !== 3) throw new Error(`unexpected run of ${run} NULs`);
    i += run;
  }
  return records;
}

describe('--list-archives', () => {
  it('prints one name per line, creation times in the process time zone with -v, the command line with -vv', async () => {
    box.write({ 'd/f': 'x' });
    const create = await box.run(['-c', ...box.common(), '-f', 'created', '-C', box.dir, 'd'], {
      env: { TARSNAP_EMULATOR_NOW: '2024-01-31T23:30:00Z' },
    });
    expect(create.exitCode).toBe(0);
    seedArchives(box.state, [{ name: 'seeded', time: '2023-06-01T12:00:00Z' }]);

    expect(lines((await list([])).stdout).sort()).toEqual(['created', 'seeded']);
    expect(lines((await list(['-v'])).stdout).sort()).toEqual([
      'created\t2024-01-31 23:30:00',
      'seeded\t2023-06-01 12:00:00',
    ]);
    const tokyo = await list(['-v'], { TZ: 'Asia/Tokyo' });
    expect(lines(tokyo.stdout).sort()).toEqual(['created\t2024-02-01 08:30:00', 'seeded\t2023-06-01 21:00:00']);
    const withArgv = lines((await list(['-vv'])).stdout).find((line) => line.startsWith('created\t'));
    expect(withArgv).toBe(
      `created\t2024-01-31 23:30:00\t${EMULATOR} -c --keyfile ${box.key} --cachedir ${box.cache} --no-default-config -f created -C ${box.dir} d`,
    );
  });

  it('separates records, fields and argv words with one, two and three NULs', async () => {
    const awkward = 'tab\there\nand newline';
    box.write({ 'd/f': 'x' });
    await box.run(['-c', ...box.common(), '-f', awkward, '-C', box.dir, 'd'], {
      env: { TARSNAP_EMULATOR_NOW: '2024-05-06T07:08:09Z' },
    });
    const result = await list(['-vv', '--null-output']);
    expect(result.exitCode).toBe(0);
    expect(parseNullOutput(result.stdout)).toEqual([
      [
        [awkward],
        ['2024-05-06 07:08:09'],
        [
          EMULATOR,
          '-c',
          '--keyfile',
          box.key,
          '--cachedir',
          box.cache,
          '--no-default-config',
          '-f',
          awkward,
          '-C',
          box.dir,
          'd',
        ],
      ],
    ]);
    expect(parseNullOutput((await list(['--null-output'])).stdout)).toEqual([[[awkward]]]);
  });

  it('lists in an arbitrary order: a fixed TARSNAP_EMULATOR_SEED repeats one, other seeds differ', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `archive-${String(i).padStart(2, '0')}`);
    seedArchives(
      box.state,
      names.map((name, i) => ({ name, time: Date.UTC(2024, 0, i + 1) })),
    );
    const orders = new Set<string>();
    for (const seed of ['1', '1', '2', '3']) {
      const result = await list([], { TARSNAP_EMULATOR_SEED: seed });
      expect(lines(result.stdout).sort()).toEqual(names);
      orders.add(result.stdout);
    }
    expect(orders.size).toBe(3);
  });

  it('needs the read key and fails cleanly when the server is unreachable', async () => {
    const writeOnly = box.makeKey('w.key', ['write']);
    const refused = await box.run(['--list-archives', '--keyfile', writeOnly]);
    expect(refused).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: 'tarsnap: The read authorization key is required for --list-archives but is not available\n',
    });
    const offline = await list([], { TARSNAP_EMULATOR_FAULT: 'network' });
    expect(offline.exitCode).toBe(1);
    expect(offline.stderr).toBe(
      'tarsnap: Error looking up v1-0-0-server.tarsnap.com: Temporary failure in name resolution\n' +
        'tarsnap: Cannot obtain server address\n' +
        'tarsnap: Error listing archives\n' +
        'tarsnap: Error exit delayed from previous errors.\n',
    );
  });

  it('refuses -f without --hashes', async () => {
    const result = await list(['-f', 'x']);
    expect(result.exitCode).toBe(1);
    expect(lines(result.stderr)).toEqual([
      'tarsnap: --list-archives: can only use -f with --hashes',
      'tarsnap: Error listing archives',
      'tarsnap: Error exit delayed from previous errors.',
    ]);
  });
});
