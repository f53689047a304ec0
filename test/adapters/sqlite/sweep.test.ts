/** Temp copies left by a hot copy that was killed outright (SIGKILL) are swept by the next copy. */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hotCopy } from '../../../src/adapters/sqlite/hot-copy.js';
import { sweepStaleCopyDirs } from '../../../src/adapters/sqlite/preflight.js';
import { makeDb, makeTempDir } from './support.js';

const { dir, remove } = makeTempDir('hotsnap-sweep-');
afterAll(remove);

function leftover(name: string, ageMs: number): string {
  const path = join(dir, 'out', name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'ghost.db'), 'half a copy');
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
  return path;
}

describe('sweepStaleCopyDirs', () => {
  it('removes only old .NAME.hotsnap-XXXXXX directories of that name', () => {
    const old = leftover('.ghost.db.hotsnap-AbC123', 3 * 3_600_000);
    const fresh = leftover('.ghost.db.hotsnap-XyZ789', 60_000);
    const other = leftover('.other.db.hotsnap-AbC123', 3 * 3_600_000);
    expect(sweepStaleCopyDirs(join(dir, 'out'), 'ghost.db', 3_600_000)).toEqual([old]);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it('runs before each hot copy, with twice the copy timeout as the age limit', async () => {
    const db = join(dir, 'ghost.db');
    await makeDb(db, 1, 'wal');
    const stale = leftover('.ghost.db.hotsnap-Stale1', 3 * 60_000);
    const young = leftover('.ghost.db.hotsnap-Young1', 30_000);
    await hotCopy(db, join(dir, 'out', 'ghost.db'), { copyTimeoutMs: 60_000 });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(join(dir, 'out', 'ghost.db'))).toBe(true);
  });
});
