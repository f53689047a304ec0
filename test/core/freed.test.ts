import { describe, expect, it } from 'vitest';
import { deletedByCall, freedAtLeast } from '../../src/core/freed.js';

/** What `tarsnap -d --print-stats -f a -f b` prints on stderr: one table per archive. */
const twoDeletions = [
  '                                       Total size  Compressed size',
  'All archives                               605184           600516',
  '  (unique data)                            305184           300383',
  'a                                          302080           300244',
  'Deleted data                                 2080              111',
  '                                       Total size  Compressed size',
  'All archives                               303104           300272',
  '  (unique data)                            303104           300272',
  'b                                          303104           300272',
  'Deleted data                               303104           300272',
  '',
].join('\n');

describe('deletedByCall', () => {
  it('adds up the "Deleted data" of every table', () => {
    expect(deletedByCall(twoDeletions)).toEqual({
      compressed_bytes: 300_383,
      monthly_cost_dollars: 0.00007509575,
    });
  });

  it('is undefined without tables (a call without --print-stats)', () => {
    expect(deletedByCall('tarsnap: Archive does not exist: x\n')).toBeUndefined();
  });
});

describe('freedAtLeast', () => {
  const stats = {
    allArchives: { total: 30, compressed: 15 },
    uniqueData: { total: 20, compressed: 10 },
    archives: [
      { name: 'a', total: 10, compressed: 5, unique: { total: 4, compressed: 2 } },
      { name: 'b', total: 10, compressed: 5, unique: { total: 6, compressed: 3 } },
      { name: 'c', total: 10, compressed: 5, unique: { total: 0, compressed: 0 } },
    ],
  };

  it('sums the unique data of the archives to delete, and of no other', () => {
    expect(freedAtLeast(['a', 'b'], stats).compressed_bytes).toBe(5);
    expect(freedAtLeast(['c'], stats).compressed_bytes).toBe(0);
  });

  it('counts an archive tarsnap did not report as nothing', () => {
    expect(freedAtLeast(['gone', 'a'], stats).compressed_bytes).toBe(2);
  });
});
