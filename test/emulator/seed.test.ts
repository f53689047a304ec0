/**
 * The test helpers around the emulator: seeded histories behave like
 * archives made with -c; calls are recorded; the state directory is
 * required.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listStoredArchives, readCalls } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { seedArchive, seedArchives } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

describe('seedArchives', () => {
  it('stores three years of daily archives that list with their times and prune with -d', async () => {
    const days = Array.from({ length: 3 * 365 }, (_, i) => new Date(Date.UTC(2021, 0, 1 + i, 3, 0, 0)));
    const started = performance.now();
    seedArchives(
      box.state,
      days.map((day) => ({ name: `host-daily-${day.toISOString().slice(0, 10)}`, time: day })),
    );
    // Printed, not asserted: tests never assert on time.
    console.log(`seeded ${days.length} archives in ${Math.round(performance.now() - started)} ms`);

    const listing = await box.run(['--list-archives', '--keyfile', box.key, '-v']);
    const rows = lines(listing.stdout).sort();
    expect(rows).toHaveLength(days.length);
    expect(rows[0]).toBe('host-daily-2021-01-01\t2021-01-01 03:00:00');
    expect(rows.at(-1)).toBe('host-daily-2023-12-31\t2023-12-31 03:00:00');

    expect((await box.run(['--fsck', ...box.common()])).exitCode).toBe(0);
    const doomed = rows.slice(0, 30).map((row) => row.split('\t')[0]);
    const prune = await box.run(['-d', ...box.common(), '--archive-names', '-'], { input: `${doomed.join('\n')}\n` });
    expect(prune).toMatchObject({ exitCode: 0, stderr: '' });
    expect(listStoredArchives(box.state)).toHaveLength(days.length - 30);
  });

  it('stores given files, extractable like any archive', async () => {
    seedArchive(box.state, 'with-files', '2024-02-29T12:00:00Z', {
      'etc/app.conf': 'key = value\n',
      'var/db.sqlite': Buffer.from([0, 1, 2, 255]),
    });
    const restore = path.join(box.dir, 'restore');
    fs.mkdirSync(restore);
    expect((await box.run(['-x', '--keyfile', box.key, '-f', 'with-files', '-C', restore])).exitCode).toBe(0);
    expect(fs.readFileSync(path.join(restore, 'etc/app.conf'), 'utf8')).toBe('key = value\n');
    expect([...fs.readFileSync(path.join(restore, 'var/db.sqlite'))]).toEqual([0, 1, 2, 255]);
    expect(fs.statSync(path.join(restore, 'etc/app.conf')).mtime.toISOString()).toBe('2024-02-29T12:00:00.000Z');
    expect(() => seedArchive(box.state, 'with-files', new Date())).toThrow(/already exists/);
  });
});

describe('calls.jsonl and the state directory', () => {
  it('records each call with its mode and exit status', async () => {
    await box.run(['--version']);
    await box.run(['--list-archives', '--keyfile', box.key]);
    await box.run(['-d', ...box.common(), '-f', 'nothing']);
    expect(readCalls(box.state).map(({ argv, mode, exit }) => ({ first: argv[0], mode, exit }))).toEqual([
      { first: '--version', mode: '--version', exit: 0 },
      { first: '--list-archives', mode: '--list-archives', exit: 0 },
      { first: '-d', mode: '-d', exit: 1 },
    ]);
  });

  it('refuses to run without TARSNAP_EMULATOR_DIR', async () => {
    const result = await box.run(['--version'], { env: { TARSNAP_EMULATOR_DIR: undefined } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^tarsnap: emulator: TARSNAP_EMULATOR_DIR must name/);
  });
});
