/**
 * Each TARSNAP_EMULATOR_FAULT, and the exit-2 path ("Data on server was
 * modified") that a partly failed -c or -d takes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCacheLocked, listStoredArchives, readCalls } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { seedArchives } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
  box.write({ 'd/f': 'data\n', 'd/sub/g': 'more\n' });
});
afterEach(() => box.cleanup());

const NETWORK_DOWN = [
  'tarsnap: Error looking up v1-0-0-server.tarsnap.com: Temporary failure in name resolution',
  'tarsnap: Cannot obtain server address',
];
const DELAYED = 'tarsnap: Error exit delayed from previous errors.';
const MODIFIED = 'tarsnap: Data on server was modified, but it might notbe exactly what you requested';
const names = () => listStoredArchives(box.state).map((archive) => archive.name);
const create = (name: string, env: Record<string, string> = {}) =>
  box.run(['-c', ...box.common(), '-f', name, '-C', box.dir, 'd'], { env });

describe('TARSNAP_EMULATOR_FAULT', () => {
  it('network: -c fails without storing anything and releases the lock', async () => {
    const result = await create('offline', { TARSNAP_EMULATOR_FAULT: 'network' });
    expect(result.exitCode).toBe(1);
    expect(lines(result.stderr)).toEqual([...NETWORK_DOWN, 'tarsnap: Error creating new archive', DELAYED]);
    expect(names()).toEqual([]);
    expect(isCacheLocked(box.cache)).toBe(false);
  });

  it('network:N fails the first N server calls, then works', async () => {
    const env = { TARSNAP_EMULATOR_FAULT: 'network:2' };
    expect((await create('try', env)).exitCode).toBe(1);
    expect((await box.run(['--list-archives', '--keyfile', box.key], { env })).exitCode).toBe(1);
    expect((await create('try', env)).exitCode).toBe(0);
    expect(names()).toEqual(['try']);
    // A dry run never contacts the server, so it does not count.
    expect(
      (
        await box.run(['-c', '--dry-run', '-f', 'x', '-C', box.dir, 'd'], {
          env: { TARSNAP_EMULATOR_FAULT: 'network' },
        })
      ).exitCode,
    ).toBe(0);
  });

  it('part: -c stores NAME.part with the truncation messages and exits 2', async () => {
    const result = await create('cut', { TARSNAP_EMULATOR_FAULT: 'part' });
    expect(result.exitCode).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'tarsnap: quit signal received or bandwidth limit reached; archive is being truncated',
      'tarsnap: Archive truncated',
      DELAYED,
      MODIFIED,
    ]);
    expect(names()).toEqual(['cut.part']);
  });

  it('fsck: -c and -d report a sequence mismatch until --fsck runs', async () => {
    seedArchives(box.state, [{ name: 'old', time: '2024-01-01T00:00:00Z' }]);
    expect((await create('first')).exitCode).toBe(0);
    const env = { TARSNAP_EMULATOR_FAULT: 'fsck' };
    const stale = await create('second', env);
    expect(lines(stale.stderr)).toEqual([
      'tarsnap: Sequence number mismatch: Run --fsck',
      'tarsnap: Error creating new archive',
      DELAYED,
    ]);
    const remove = await box.run(['-d', ...box.common(), '-f', 'old'], { env });
    expect(lines(remove.stderr)).toEqual([
      'tarsnap: Sequence number mismatch: Run --fsck',
      'tarsnap: Error deleting archive',
      DELAYED,
    ]);
    expect((await box.run(['--fsck', ...box.common()], { env })).exitCode).toBe(0);
    expect((await create('second', env)).exitCode).toBe(0);
    expect((await box.run(['-d', ...box.common(), '-f', 'old'], { env })).exitCode).toBe(0);
    expect(names()).toEqual(['first', 'second']);
  });

  it('delete-fail-after:N: -d deletes N archives, then fails as if the network went down (exit 2)', async () => {
    seedArchives(
      box.state,
      ['a', 'b', 'c'].map((name, i) => ({ name, time: Date.UTC(2024, 0, i + 1) })),
    );
    expect((await box.run(['--fsck', ...box.common()])).exitCode).toBe(0);
    const result = await box.run(['-d', ...box.common(), '--archive-names', '-'], {
      input: 'a\nb\nc\n',
      env: { TARSNAP_EMULATOR_FAULT: 'delete-fail-after:1' },
    });
    expect(result.exitCode).toBe(2);
    expect(lines(result.stderr)).toEqual([...NETWORK_DOWN, 'tarsnap: Error deleting archive', DELAYED, MODIFIED]);
    expect(names()).toEqual(['b', 'c']);
  });

  it('partial: -c stores the archive but a file vanished during the walk, exit 2', async () => {
    const result = await create('partial', { TARSNAP_EMULATOR_FAULT: 'partial' });
    expect(result.exitCode).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'tarsnap: d/.tarsnap-emulator-vanished: Cannot stat: No such file or directory',
      DELAYED,
      MODIFIED,
    ]);
    expect(names()).toEqual(['partial']);
    const members = await box.run(['-t', '--keyfile', box.key, '-f', 'partial']);
    expect(lines(members.stdout).sort()).toEqual(['d/', 'd/f', 'd/sub/', 'd/sub/g']);
  });

  it('rejects an unknown fault instead of ignoring it', async () => {
    const result = await create('x', { TARSNAP_EMULATOR_FAULT: 'netwrok' });
    expect(result).toMatchObject({
      exitCode: 70,
      stderr: 'tarsnap: emulator: unknown TARSNAP_EMULATOR_FAULT "netwrok"\n',
    });
    expect(readCalls(box.state).at(-1)).toMatchObject({ mode: null, exit: 70 });
  });
});

describe('exit 2 without a fault', () => {
  it('a missing operand still commits the rest of the archive', async () => {
    const result = await box.run(['-c', ...box.common(), '-f', 'some', '-C', box.dir, 'd', 'missing']);
    expect(result.exitCode).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'tarsnap: missing: Cannot stat: No such file or directory',
      DELAYED,
      MODIFIED,
    ]);
    expect(names()).toEqual(['some']);
  });

  it('the same failure in a dry run exits 1: nothing was modified', async () => {
    const result = await box.run(['-c', '--dry-run', '-f', 'some', '-C', box.dir, 'd', 'missing']);
    expect(result.exitCode).toBe(1);
    expect(lines(result.stderr)).toEqual(['tarsnap: missing: Cannot stat: No such file or directory', DELAYED]);
  });
});
