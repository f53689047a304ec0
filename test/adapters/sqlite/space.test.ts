import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { freeBytes, requiredBytes } from '../../../src/adapters/sqlite/space.js';

const MIB = 1024 * 1024;

describe('requiredBytes', () => {
  it.each([
    [0, 0, 16 * MIB],
    [100 * MIB, 4 * MIB, 120 * MIB],
    [1000 * MIB, 0, 1100 * MIB],
    [1000 * MIB, 100 * MIB, 1210 * MIB],
  ])('database %d + WAL %d → %d', (database, wal, expected) => {
    expect(requiredBytes(database, wal)).toBe(expected);
  });
});

describe('freeBytes', () => {
  it('reports the free space of a real directory', async () => {
    const free = await freeBytes(tmpdir());
    expect(Number.isInteger(free)).toBe(true);
    expect(free).toBeGreaterThan(0);
  });
});
