/**
 * -d: several archives per call, each in its own transaction; a missing
 * archive stops the run unless --keep-going.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listStoredArchives, readCalls } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { seedArchives } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(async () => {
  box = makeSandbox();
  seedArchives(
    box.state,
    ['a', 'b', 'c', 'd'].map((name, i) => ({
      name,
      time: Date.UTC(2024, 0, i + 1),
      files: { [`${name}.txt`]: `${name}\n` },
    })),
  );
  // -d needs an initialised cache directory, as on a machine that has run -c or --fsck.
  expect((await box.run(['--fsck', ...box.common()])).exitCode).toBe(0);
});
afterEach(() => box.cleanup());

const remaining = () => listStoredArchives(box.state).map((archive) => archive.name);

describe('-d', () => {
  it('deletes every archive named by --archive-names - in one call, printing each with -v', async () => {
    const result = await box.run(['-d', ...box.common(), '-v', '--archive-names', '-'], { input: 'a\n\nc\r\n' });
    expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: 'Deleting archive "a"\nDeleting archive "c"\n' });
    expect(remaining()).toEqual(['b', 'd']);
    expect(readCalls(box.state).filter((call) => call.mode === '-d')).toHaveLength(1);
  });

  it('stops at a missing archive: exit 1 when nothing was deleted yet', async () => {
    const result = await box.run(['-d', ...box.common(), '-f', 'missing', '-f', 'a']);
    expect(result.exitCode).toBe(1);
    expect(lines(result.stderr)).toEqual([
      'tarsnap: Archive does not exist: missing',
      'tarsnap: Error deleting archive',
      'tarsnap: Error exit delayed from previous errors.',
    ]);
    expect(remaining()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('stops at a missing archive: exit 2 when earlier archives were already deleted', async () => {
    const result = await box.run(['-d', ...box.common(), '-f', 'a', '-f', 'missing', '-f', 'b']);
    expect(result.exitCode).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'tarsnap: Archive does not exist: missing',
      'tarsnap: Error deleting archive',
      'tarsnap: Error exit delayed from previous errors.',
      'tarsnap: Data on server was modified, but it might notbe exactly what you requested',
    ]);
    expect(remaining()).toEqual(['b', 'c', 'd']);
  });

  it('skips a missing archive with --keep-going and still exits 0', async () => {
    const result = await box.run(['-d', ...box.common(), '--keep-going', '-f', 'a', '-f', 'missing', '-f', 'b']);
    expect(result).toMatchObject({ exitCode: 0, stderr: 'tarsnap: Archive does not exist: missing\n' });
    expect(remaining()).toEqual(['c', 'd']);
  });

  it('prints statistics per archive, naming each archive when several are deleted', async () => {
    const result = await box.run(['-d', ...box.common(), '--print-stats', '-f', 'a', '-f', 'b']);
    expect(result.exitCode).toBe(0);
    const table = lines(result.stderr);
    expect(table.filter((line) => line.includes('Total size  Compressed size'))).toHaveLength(2);
    expect(table.map((line) => line.slice(0, 32).trim())).toEqual([
      '',
      'All archives',
      '(unique data)',
      'a',
      'Deleted data',
      '',
      'All archives',
      '(unique data)',
      'b',
      'Deleted data',
    ]);
    const deleted = table[4]!.trim().split(/\s+/);
    expect(Number(deleted[2])).toBeGreaterThan(0);
  });

  it('needs the cache directory to exist, and the delete key', async () => {
    const fresh = await box.run(['-d', '--keyfile', box.key, '--cachedir', `${box.dir}/other-cache`, '-f', 'a']);
    expect(fresh).toMatchObject({
      exitCode: 1,
      stderr: 'tarsnap: Cache directory must already exist for -d; check --cachedir and/or run --fsck\n',
    });
    const readWrite = box.makeKey('rw.key', ['read', 'write']);
    const noDelete = await box.run(['-d', '--keyfile', readWrite, '--cachedir', box.cache, '-f', 'a']);
    expect(noDelete.stderr).toBe('tarsnap: The delete authorization key is required for -d but is not available\n');
    const deleteOnly = box.makeKey('d.key', ['delete']);
    const noRead = await box.run(['-d', '--keyfile', deleteOnly, '--cachedir', box.cache, '-f', 'a']);
    expect(noRead.stderr).toBe('tarsnap: The read authorization key is required for -d but is not available\n');
    expect(remaining()).toEqual(['a', 'b', 'c', 'd']);
  });
});
