/**
 * The cache lock and signals: a second transaction on a busy cache fails
 * at once; SIGTERM mid-upload stores nothing and leaves no lock; SIGQUIT
 * stores NAME.part; a checkpoint survives SIGTERM and is committed as
 * NAME.part by the next run; a crashed (SIGKILLed) holder does not wedge.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isCacheLocked,
  listStoredArchives,
  pendingCheckpoints,
  readCalls,
} from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { lines, makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
/** Processes a test started, killed afterwards even when it failed. */
let started: Array<{ kill: (signal?: NodeJS.Signals) => boolean }> = [];
beforeEach(() => {
  box = makeSandbox();
  box.write({ 'd/a': 'a\n', 'd/b': 'b\n' });
  started = [];
});
afterEach(() => {
  for (const child of started) child.kill('SIGKILL');
  box.cleanup();
});

/** Polls until `ready()` holds (a state change, not a timing assertion). */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !ready(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts a -c that holds the cache lock for a long (interruptible) upload.
 * Returned inside an object: the execa result is a thenable, and returning
 * it from an async function would wait for the process to end.
 */
async function startSlowCreate(name: string, extra: string[] = []) {
  const child = box.start(['-c', ...box.common(), ...extra, '-f', name, '-C', box.dir, 'd'], {
    env: { TARSNAP_EMULATOR_DELAY_MS: '60000' },
  });
  started.push(child);
  // Locked with the holder's PID written: killed between its O_EXCL create and that write, the
  // holder leaves an empty file that counts as held for 5 s, which a busy machine can hit.
  const holderWritten = () => {
    try {
      return fs.readFileSync(path.join(box.cache, 'lockf.emulator-holder'), 'utf8') !== '';
    } catch {
      return false;
    }
  };
  await until(() => isCacheLocked(box.cache) && holderWritten(), 'the cache lock');
  return { slow: child };
}

const names = () => listStoredArchives(box.state).map((archive) => archive.name);
const temporaryFiles = () => fs.readdirSync(path.join(box.state, 'tmp'));

describe('the cache lock', () => {
  it('makes a second -c or -d fail at once while -c runs; listing still works', async () => {
    expect((await box.run(['--fsck', ...box.common()])).exitCode).toBe(0);
    const { slow } = await startSlowCreate('slow');
    const second = await box.run(['-c', ...box.common(), '-f', 'second', '-C', box.dir, 'd']);
    expect(second.exitCode).toBe(1);
    expect(lines(second.stderr)).toEqual([
      'tarsnap: Transaction already in progress',
      'tarsnap: Error creating new archive',
      'tarsnap: Error exit delayed from previous errors.',
    ]);
    const remove = await box.run(['-d', ...box.common(), '-f', 'anything']);
    expect(lines(remove.stderr)).toEqual([
      'tarsnap: Transaction already in progress',
      'tarsnap: Error deleting archive',
      'tarsnap: Error exit delayed from previous errors.',
    ]);
    const listing = await box.run(['--list-archives', '--keyfile', box.key]);
    expect(listing).toMatchObject({ exitCode: 0, stdout: '' });
    slow.kill('SIGTERM');
    await slow;
  });

  it('is taken over from a holder that was killed with SIGKILL', async () => {
    const { slow } = await startSlowCreate('crashed');
    slow.kill('SIGKILL');
    await slow;
    expect(fs.existsSync(path.join(box.cache, 'lockf.emulator-holder'))).toBe(true);
    expect(isCacheLocked(box.cache)).toBe(false);
    const next = await box.run(['-c', ...box.common(), '-f', 'after', '-C', box.dir, 'd']);
    expect(next).toMatchObject({ exitCode: 0, stderr: '' });
    expect(names()).toEqual(['after']);
  });
});

describe('signals during -c', () => {
  it('SIGTERM stores nothing, releases the lock and kills the process with SIGTERM', async () => {
    const { slow } = await startSlowCreate('terminated');
    slow.kill('SIGTERM');
    const result = await slow;
    expect(result.signal).toBe('SIGTERM');
    expect(names()).toEqual([]);
    expect(isCacheLocked(box.cache)).toBe(false);
    expect(fs.existsSync(path.join(box.cache, 'lockf'))).toBe(true);
    expect(temporaryFiles()).toEqual([]);
    expect(readCalls(box.state).at(-1)).toMatchObject({ mode: '-c', exit: null, signal: 'SIGTERM' });
  });

  it('SIGQUIT truncates: NAME.part is stored, exit 2', async () => {
    const { slow } = await startSlowCreate('quitter');
    slow.kill('SIGQUIT');
    const result = await slow;
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toBe(
      [
        'tarsnap: quit signal received or bandwidth limit reached; archive is being truncated',
        'tarsnap: Archive truncated',
        'tarsnap: Error exit delayed from previous errors.',
        'tarsnap: Data on server was modified, but it might notbe exactly what you requested',
        '',
      ].join('\n'),
    );
    expect(names()).toEqual(['quitter.part']);
    const reuse = await box.run(['-c', ...box.common(), '-f', 'quitter', '-C', box.dir, 'd']);
    expect(lines(reuse.stderr)[0]).toBe('tarsnap: An archive already exists with the name "quitter.part"');
  });

  it('a checkpoint survives SIGTERM and the next -c commits it as NAME.part first', async () => {
    box.write({ 'd/big': Buffer.alloc(1_200_000, 7) });
    const { slow } = await startSlowCreate('checkpointed', ['--checkpoint-bytes', '1M']);
    await until(() => pendingCheckpoints(box.state).length > 0, 'a checkpoint');
    slow.kill('SIGTERM');
    expect((await slow).signal).toBe('SIGTERM');
    expect(names()).toEqual([]);
    const next = await box.run(['-c', ...box.common(), '-f', 'next', '-C', box.dir, 'd']);
    expect(next).toMatchObject({ exitCode: 0, stderr: '' });
    expect(names()).toEqual(['checkpointed.part', 'next']);
    const members = await box.run(['-t', '--keyfile', box.key, '-f', 'checkpointed.part']);
    expect(lines(members.stdout)).toContain('d/big');
  });

  it('--recover commits a checkpoint left by SIGINT (SIGUSR2 asks for one mid-upload)', async () => {
    // --recover, like -d, needs CACHEDIR/directory: a cache that has committed before.
    expect((await box.run(['--fsck', ...box.common()])).exitCode).toBe(0);
    const { slow } = await startSlowCreate('recovered');
    slow.kill('SIGUSR2');
    await until(() => pendingCheckpoints(box.state).length > 0, 'a checkpoint');
    slow.kill('SIGINT');
    expect((await slow).signal).toBe('SIGINT');
    const recover = await box.run(['--recover', ...box.common()]);
    expect(recover).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    expect(names()).toEqual(['recovered.part']);
    expect(pendingCheckpoints(box.state)).toEqual([]);
  });
});
