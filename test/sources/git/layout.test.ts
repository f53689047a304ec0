import { describe, expect, it } from 'vitest';
import {
  completePackGroups,
  isLooseObjectName,
  isSkippedName,
  packIndexObjectCount,
} from '../../../src/sources/git/layout.js';

const A = `pack-${'a'.repeat(40)}`;
const B = `pack-${'b'.repeat(40)}`;

describe('isSkippedName', () => {
  it.each([
    ['main.lock', true],
    ['packed-refs.lock', true],
    ['gc.pid', true],
    ['tmp_objdir-incoming-x1', true],
    ['tmp_obj_abc', true],
    ['.tmp-123-pack', true],
    ['packed-refs', false],
    ['HEAD', false],
    ['lockfile-free', false],
  ])('%s → %s', (name, skipped) => expect(isSkippedName(name)).toBe(skipped));
});

describe('isLooseObjectName', () => {
  it.each([
    ['e'.repeat(38), true],
    ['e'.repeat(62), true],
    ['tmp_obj_x', false],
    ['E'.repeat(38), false],
    ['e'.repeat(39), false],
  ])('%s → %s', (name, loose) => expect(isLooseObjectName(name)).toBe(loose));
});

describe('completePackGroups', () => {
  it('keeps groups with both .pack and .idx, with their extras, and nothing else', () => {
    const names = [
      `${B}.idx`,
      `${A}.pack`,
      `${A}.idx`,
      `${A}.rev`,
      `${A}.keep`,
      `${A}.bitmap`,
      `${B}.pack`,
      `pack-${'c'.repeat(40)}.pack`, // no .idx yet: still being written
      `pack-${'d'.repeat(40)}.idx`, // no .pack: being deleted
      'multi-pack-index',
      `multi-pack-index-${'f'.repeat(40)}.bitmap`,
      'tmp_pack_x',
      '.tmp-1-pack-x.pack',
    ];
    expect(completePackGroups(names)).toEqual([
      { base: A, required: [`${A}.pack`, `${A}.idx`], extras: [`${A}.rev`, `${A}.bitmap`, `${A}.keep`] },
      { base: B, required: [`${B}.pack`, `${B}.idx`], extras: [] },
    ]);
  });
});

describe('packIndexObjectCount', () => {
  function index(version: 1 | 2, count: number): Buffer {
    const header = version === 2 ? Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]) : Buffer.alloc(0);
    const fanout = Buffer.alloc(1024);
    fanout.writeUInt32BE(count, 255 * 4);
    return Buffer.concat([header, fanout]);
  }
  it.each([
    [2, 3021],
    [1, 17],
  ] as const)('reads a v%s index: %s objects', (version, count) =>
    expect(packIndexObjectCount(index(version, count))).toBe(count),
  );
  it('returns 0 for a truncated index', () => expect(packIndexObjectCount(index(2, 5).subarray(0, 100))).toBe(0));
});
