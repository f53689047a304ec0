/**
 * Issue 8 case 7 end to end: a database owned by the application's user comes back from a
 * restore as root with that owner, group and mode (the staged copy carries them, tarsnap stores
 * them, `tarsnap -x` as root restores them), and `restore` says so.
 */
import { execa } from 'execa';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, FIXTURES, type World } from './harness.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
if (!asRoot) console.warn('skipping restore-owner e2e: only root can give a file to nobody and restore owners');

describe.skipIf(!asRoot)('hotsnap restore as root: owner, group and mode', () => {
  let world: World;
  let db: string;

  beforeAll(async () => {
    world = createWorld('restore-owner');
    db = join(world.dir, 'srv/app/app.db');
    mkdirSync(join(world.dir, 'srv/app'), { recursive: true });
    await execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', db, '--size-mb', '1']);
    chownSync(db, NOBODY, NOBODY);
    chmodSync(db, 0o640);
    world.writeConfig({ profiles: { daily: { sqlite: [db], retention: { keep_last: 5 } } } });
    const run = await world.hotsnap(['run', 'daily', '--no-prune']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.exitCode).toBe(0);
  });
  afterAll(() => world?.cleanup());

  it('the restored database is nobody:nogroup 0640 again, and the summary says so', async () => {
    const target = mkdtempSync(join(world.dir, 'restore-'));
    const result = await world.hotsnap(['restore', 'latest', '--to', target]);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(0);

    const restored = join(target, db);
    const stats = statSync(restored);
    expect({ uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o777 }).toEqual({
      uid: NOBODY,
      gid: NOBODY,
      mode: 0o640,
    });
    expect(result.stdout).toContain(
      `  ${db}: verified ok (SHA-256 matches the manifest, integrity_check ok)\n    owner nobody:nogroup 0640, as backed up\n`,
    );
  });

  it('--json carries the owner the manifest recorded and the one restored', async () => {
    const target = mkdtempSync(join(world.dir, 'restore-'));
    const result = await world.hotsnap(['restore', 'latest', '--to', target, '--json']);
    expect(result.exitCode).toBe(0);
    const owner = { uid: NOBODY, gid: NOBODY, user: 'nobody', group: 'nogroup', mode: '0640' };
    expect(JSON.parse(String(result.stdout)).databases).toEqual([
      expect.objectContaining({ source: db, status: 'ok', expected_owner: owner, owner, restored_by_root: true }),
    ]);
  });
});
