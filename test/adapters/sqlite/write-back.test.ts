/**
 * A durable copy (copy-db) reaches the disk in several bounded flushes, never in one fsync of the
 * whole file; a staging copy is never flushed at all (its fsync would stall the application).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hotCopy } from '../../../src/adapters/sqlite/hot-copy.js';
import { canWriteBackInChunks, writeBackFile } from '../../../src/adapters/sqlite/write-back.js';
import { makeDb, makeTempDir } from './support.js';

const MIB = 1024 * 1024;

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.reverse()) step();
  cleanup = [];
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function tempDir(): string {
  const { dir, remove } = makeTempDir();
  cleanup.push(remove);
  return dir;
}

/** Records every flush's range. */
function flushLog(): { ranges: Array<[number, number]>; onFlush: (offset: number, bytes: number) => void } {
  const ranges: Array<[number, number]> = [];
  return { ranges, onFlush: (offset, bytes) => void ranges.push([offset, bytes]) };
}

// Chunks are only used where cp cannot have cloned the source (ext2/3/4; XFS across devices).
const probe = tempDir();
const chunksHere = canWriteBackInChunks(join(probe, 'x'), statSync(probe).dev);

describe('durable write-back', () => {
  it.skipIf(!chunksHere)(
    'a durable copy larger than one chunk is flushed chunk by chunk, covering the whole file in order',
    async () => {
      const dir = tempDir();
      const source = join(dir, 'ghost.db');
      await makeDb(source, 4, 'wal');
      mkdirSync(join(dir, 'out'));
      const dest = join(dir, 'out', 'copy.db');
      const log = flushLog();
      const entry = await hotCopy(source, dest, { durable: true }, { writeBack: { chunkBytes: MIB, ...log } });
      expect(log.ranges.length).toBeGreaterThan(1);
      expect(log.ranges.every(([, bytes]) => bytes <= MIB)).toBe(true);
      let next = 0;
      for (const [offset, bytes] of log.ranges) {
        expect(offset).toBe(next);
        next += bytes;
      }
      expect(next).toBe(entry.size);
      expect(sha256(dest)).toBe(entry.sha256);
    },
  );

  it('a staging (non-durable) copy is never flushed', async () => {
    const dir = tempDir();
    const source = join(dir, 'ghost.db');
    await makeDb(source, 4, 'wal');
    const log = flushLog();
    const entry = await hotCopy(source, join(dir, 'copy.db'), {}, { writeBack: { chunkBytes: MIB, ...log } });
    expect(log.ranges).toEqual([]);
    expect(sha256(join(dir, 'copy.db'))).toBe(entry.sha256);
  });

  it('rewriting in chunks leaves the bytes as they were; chunkBytes 0 is one fsync of the whole file', async () => {
    const file = join(tempDir(), 'data');
    const bytes = Buffer.alloc(2.5 * MIB);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 12)) & 0xff;
    writeFileSync(file, bytes);
    const chunked = flushLog();
    expect(await writeBackFile(file, { chunkBytes: MIB, ...chunked })).toBe(3);
    expect(chunked.ranges).toEqual([
      [0, MIB],
      [MIB, MIB],
      [2 * MIB, MIB / 2],
    ]);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const whole = flushLog();
    expect(await writeBackFile(file, { chunkBytes: 0, ...whole })).toBe(1);
    expect(whole.ranges).toEqual([[0, bytes.length]]);
  });

  it('an empty file needs no chunk', async () => {
    const file = join(tempDir(), 'empty');
    writeFileSync(file, '');
    expect(await writeBackFile(file, { chunkBytes: MIB })).toBe(0);
  });
});
