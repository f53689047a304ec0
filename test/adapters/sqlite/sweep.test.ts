/** Temp copies left by a hot copy that was killed outright (SIGKILL) are swept by the next copy. */
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
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
  chmodSync(path, 0o700);
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

  it("leaves alone look-alikes it did not make: another user's, or not 0700 as mkdtemp makes them", (context) => {
    const loose = leftover('.ghost.db.hotsnap-Loose1', 3 * 3_600_000);
    chmodSync(loose, 0o755);
    expect(sweepStaleCopyDirs(join(dir, 'out'), 'ghost.db', 3_600_000)).toEqual([]);
    expect(existsSync(loose)).toBe(true);
    const nobody = /^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))?.[1];
    if (process.geteuid?.() !== 0 || nobody === undefined) {
      console.log('skipped the second-user half: needs root and a user "nobody"');
      return context.skip();
    }
    // Planted in a shared DEST directory by another user, with a link to something of ours inside.
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const planted = leftover('.ghost.db.hotsnap-Plant1', 3 * 3_600_000);
    symlinkSync(victim, join(planted, 'link'));
    chownSync(planted, Number(nobody), Number(nobody));
    const when = new Date(Date.now() - 3 * 3_600_000);
    utimesSync(planted, when, when);
    expect(sweepStaleCopyDirs(join(dir, 'out'), 'ghost.db', 3_600_000)).toEqual([]);
    expect(existsSync(planted)).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
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
