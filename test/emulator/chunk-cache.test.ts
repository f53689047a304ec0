/**
 * The chunkification cache (tarsnap 1.0.41's tar/ccache): which files a -c
 * reads and which the cache supplies, as each call record counts them.
 * Files get mtimes an hour old unless a test says otherwise: a file whose
 * mtime is not before the run's snapshot time is never fresh next time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listStoredArchives, readCalls, readChunkCache } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const HOUR_AGO = Math.floor(Date.now() / 1000) - 3600;
/** 8 KiB: one chunk. 200 KiB: three 64 KiB chunks and an 8 KiB one. No trailers (pieces under 4 KiB). */
const SMALL = 8192;
const LARGE = 3 * 65536 + 8192;

/** Deterministic bytes, different per seed. */
function bytes(size: number, seed: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) buffer[i] = (i * 31 + seed * 17 + (i >> 8)) % 251;
  return buffer;
}

/** Writes files under the sandbox with mtimes an hour ago. */
function writeOld(files: Record<string, Buffer>): void {
  box.write(files);
  for (const relative of Object.keys(files)) setMtime(relative, HOUR_AGO);
}

function setMtime(relative: string, seconds: number): void {
  fs.utimesSync(path.join(box.dir, relative), seconds, seconds);
}

/** Runs -c with the sandbox's key and cache, and returns its exit code and the call record's counts. */
async function create(
  name: string,
  operands: string[],
  options: { extra?: string[]; env?: Record<string, string> } = {},
) {
  const result = await box.run(['-c', ...box.common(), ...(options.extra ?? []), '-f', name, ...operands], {
    env: options.env ?? {},
  });
  const call = readCalls(box.state).at(-1)!;
  expect(call.mode).toBe('-c');
  const { filesRead, bytesRead, filesSkipped, bytesSkipped } = call;
  return { exitCode: result.exitCode, stderr: result.stderr, filesRead, bytesRead, filesSkipped, bytesSkipped };
}

const cacheText = () => fs.readFileSync(path.join(box.cache, 'cache'), 'utf8');

describe('chunkification cache', () => {
  it('a first create reads every file; a second over unchanged files reads none and stores the same archive', async () => {
    writeOld({ 'd/a': bytes(SMALL, 1), 'd/b': bytes(LARGE, 2), 'd/empty': Buffer.alloc(0) });
    fs.symlinkSync('a', path.join(box.dir, 'd/link'));

    const first = await create('one', ['-C', box.dir, 'd']);
    expect(first).toMatchObject({ exitCode: 0, filesRead: 2, bytesRead: SMALL + LARGE, filesSkipped: 0 });
    expect(Object.keys(readChunkCache(box.cache)!).sort()).toEqual(
      ['d/a', 'd/b'].map((name) => fs.realpathSync(path.join(box.dir, name))),
    );

    const second = await create('two', ['-C', box.dir, 'd']);
    expect(second).toMatchObject({ exitCode: 0, stderr: '', filesRead: 0, bytesRead: 0, filesSkipped: 2 });
    expect(second.bytesSkipped).toBe(SMALL + LARGE);
    const [one, two] = listStoredArchives(box.state);
    expect(fs.readFileSync(two!.tarPath).equals(fs.readFileSync(one!.tarPath))).toBe(true);

    // Only -c records say what was read.
    await box.run(['--list-archives', '--keyfile', box.key, '--no-default-config']);
    expect(readCalls(box.state).at(-1)).not.toHaveProperty('bytesRead');
  });

  it('a new mtime, a new size or a new inode (temporary file renamed over it) each make a file read again', async () => {
    const same = bytes(SMALL, 3);
    writeOld({
      'd/touched': bytes(SMALL, 1),
      'd/grown': bytes(SMALL, 2),
      'd/replaced': same,
      'd/kept': bytes(SMALL, 4),
    });
    expect(await create('one', ['-C', box.dir, 'd'])).toMatchObject({ filesRead: 4 });

    setMtime('d/touched', HOUR_AGO + 1);
    fs.appendFileSync(path.join(box.dir, 'd/grown'), 'more');
    setMtime('d/grown', HOUR_AGO);
    fs.writeFileSync(path.join(box.dir, 'd/replaced.tmp'), same);
    fs.renameSync(path.join(box.dir, 'd/replaced.tmp'), path.join(box.dir, 'd/replaced'));
    setMtime('d/replaced', HOUR_AGO);

    expect(await create('two', ['-C', box.dir, 'd'])).toMatchObject({
      exitCode: 0,
      filesRead: 3,
      bytesRead: 3 * SMALL + 4,
      filesSkipped: 1,
      bytesSkipped: SMALL,
    });
  });

  it('a file modified in the second the snapshot began (here: an mtime in the future) is read again next time', async () => {
    writeOld({ 'd/old': bytes(SMALL, 1), 'd/busy': bytes(SMALL, 2) });
    const future = Math.floor(Date.now() / 1000) + 3600;
    setMtime('d/busy', future);

    expect(await create('one', ['-C', box.dir, 'd'])).toMatchObject({ filesRead: 2 });
    const entry = readChunkCache(box.cache)![fs.realpathSync(path.join(box.dir, 'd/busy'))]!;
    // Stored as snaptime - 1: before this moment, never the file's own mtime.
    expect(entry.mtime).toBeLessThan(Date.now() / 1000);

    expect(await create('two', ['-C', box.dir, 'd'])).toMatchObject({
      filesRead: 1,
      bytesRead: SMALL,
      filesSkipped: 1,
    });
  });

  it('a hard link at a new path is read once (new realpath), then supplied by the cache', async () => {
    writeOld({ 'live/f': bytes(LARGE, 1) });
    expect(await create('live', ['-C', box.dir, 'live'])).toMatchObject({ filesRead: 1 });
    fs.mkdirSync(path.join(box.dir, 'stage'));
    fs.linkSync(path.join(box.dir, 'live/f'), path.join(box.dir, 'stage/f'));

    expect(await create('stage-1', ['-C', box.dir, 'stage'])).toMatchObject({ filesRead: 1, bytesRead: LARGE });
    expect(await create('stage-2', ['-C', box.dir, 'stage'])).toMatchObject({
      filesRead: 0,
      filesSkipped: 1,
      bytesSkipped: LARGE,
    });
  });

  it('the key is the realpath, not the member name: another operand spelling hits, another directory misses', async () => {
    writeOld({ 'stage/f': bytes(SMALL, 1) });
    expect(await create('relative', ['-C', box.dir, 'stage'])).toMatchObject({ filesRead: 1 });
    expect(await create('absolute', [path.join(box.dir, 'stage')])).toMatchObject({ filesRead: 0, filesSkipped: 1 });

    // Same inode, size and mtime, but a different staging directory.
    fs.renameSync(path.join(box.dir, 'stage'), path.join(box.dir, 'stage-2'));
    expect(await create('moved', ['-C', box.dir, 'stage-2'])).toMatchObject({ filesRead: 1, filesSkipped: 0 });
  });

  it('--dry-run uses the cache but never writes it', async () => {
    writeOld({ 'd/f': bytes(SMALL, 1) });
    expect(await create('dry', ['-C', box.dir, 'd'], { extra: ['--dry-run'] })).toMatchObject({
      exitCode: 0,
      filesRead: 1,
    });
    expect(readChunkCache(box.cache)).toBeNull();

    expect(await create('real', ['-C', box.dir, 'd'])).toMatchObject({ filesRead: 1 });
    const written = cacheText();
    expect(await create('dry', ['-C', box.dir, 'd'], { extra: ['--dry-run'] })).toMatchObject({
      filesRead: 0,
      filesSkipped: 1,
    });
    expect(cacheText()).toBe(written);
  });

  it('a failed create writes no cache', async () => {
    writeOld({ 'd/f': bytes(SMALL, 1) });
    const offline = { env: { TARSNAP_EMULATOR_FAULT: 'network' } };
    expect(await create('offline', ['-C', box.dir, 'd'], offline)).toMatchObject({ exitCode: 1 });
    expect(readChunkCache(box.cache)).toBeNull();

    expect(await create('online', ['-C', box.dir, 'd'])).toMatchObject({ exitCode: 0, filesRead: 1 });
    const written = cacheText();
    setMtime('d/f', HOUR_AGO + 1);
    expect(await create('offline', ['-C', box.dir, 'd'], offline)).toMatchObject({ exitCode: 1 });
    expect(cacheText()).toBe(written);
  });

  it('a fresh file whose chunks left the server (its archive deleted) is read again', async () => {
    writeOld({ 'd/f': bytes(LARGE, 1) });
    expect(await create('one', ['-C', box.dir, 'd'])).toMatchObject({ filesRead: 1 });
    expect((await box.run(['-d', ...box.common(), '-f', 'one'])).exitCode).toBe(0);
    expect(await create('two', ['-C', box.dir, 'd'])).toMatchObject({ filesRead: 1, bytesRead: LARGE });
  });

  it('--verylowmem neither looks files up nor writes the cache', async () => {
    writeOld({ 'd/f': bytes(SMALL, 1) });
    expect(await create('one', ['-C', box.dir, 'd'])).toMatchObject({ filesRead: 1 });
    const written = cacheText();
    expect(await create('two', ['-C', box.dir, 'd'], { extra: ['--verylowmem'] })).toMatchObject({
      exitCode: 0,
      filesRead: 1,
      filesSkipped: 0,
    });
    expect(cacheText()).toBe(written);
  });

  it('trailers (pieces under 4 KiB) are kept only while they use at most twice the chunks’ memory, never with --lowmem', async () => {
    writeOld({ 'tiny/s1': bytes(100, 1), 'tiny/s2': bytes(100, 2) });
    // Nothing cached yet: the first small file's trailer fits the budget (0 <= 2 x 0), the second's no longer does.
    expect(await create('one', ['-C', box.dir, 'tiny'])).toMatchObject({ filesRead: 2 });
    expect(Object.keys(readChunkCache(box.cache)!)).toHaveLength(1);
    expect(await create('two', ['-C', box.dir, 'tiny'])).toMatchObject({ filesRead: 1, filesSkipped: 1 });

    const lowmem = ['--lowmem'];
    fs.rmSync(box.cache, { recursive: true });
    fs.rmSync(box.state, { recursive: true });
    expect(await create('one', ['-C', box.dir, 'tiny'], { extra: lowmem })).toMatchObject({ filesRead: 2 });
    expect(readChunkCache(box.cache)).toEqual({});
    expect(await create('two', ['-C', box.dir, 'tiny'], { extra: lowmem })).toMatchObject({ filesRead: 2 });
  });

  it('drops an entry left unused for ten runs', async () => {
    writeOld({ 'd/f': bytes(SMALL, 1) });
    fs.mkdirSync(box.cache);
    const entry = { ino: '1', size: 1, mtime: 1, chunks: [['0'.repeat(64), 1, 1]], trailer: null };
    fs.writeFileSync(
      path.join(box.cache, 'cache'),
      JSON.stringify({ entries: { '/gone/ten': { ...entry, age: 10 }, '/gone/eleven': { ...entry, age: 11 } } }),
    );
    expect(await create('one', ['-C', box.dir, 'd'])).toMatchObject({ exitCode: 0 });
    const entries = readChunkCache(box.cache)!;
    expect(entries['/gone/ten']?.age).toBe(11);
    expect(entries).not.toHaveProperty('/gone/eleven');
    expect(entries[fs.realpathSync(path.join(box.dir, 'd/f'))]?.age).toBe(1);
  });

  it('refuses (exit 70) a fresh file whose contents changed: tarsnap would archive the old data', async () => {
    writeOld({ 'd/f': bytes(SMALL, 1) });
    expect(await create('one', ['-C', box.dir, 'd'])).toMatchObject({ filesRead: 1 });
    fs.writeFileSync(path.join(box.dir, 'd/f'), bytes(SMALL, 2)); // same inode, same size
    setMtime('d/f', HOUR_AGO);

    const stale = await create('two', ['-C', box.dir, 'd']);
    expect(stale.exitCode).toBe(70);
    expect(stale.stderr).toMatch(/^tarsnap: emulator: d\/f: same inode, size and mtime .*cached \(old\) data/);
    expect(listStoredArchives(box.state).map((archive) => archive.name)).toEqual(['one']);
  });
});
