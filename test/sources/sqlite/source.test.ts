/**
 * The SQLite source in a kept stage: the copy is dated by its data but never in the seconds its
 * archive is made (tarsnap's cache would re-read it next run), and an unchanged database keeps the
 * kept file.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keptStage } from '../../../src/adapters/stage-area.js';
import type { Profile } from '../../../src/config/resolve.js';
import { silentLogger } from '../../../src/log.js';
import { sqliteSource } from '../../../src/sources/sqlite/index.js';

let dir: string;
let staging: string;
let db: string;
const profile = {
  hot_copy: { method: 'auto', verify: 'quick', busy_timeout_ms: 5000, copy_timeout_ms: 60_000 },
} as unknown as Profile;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-sqlite-source-'));
  staging = join(dir, 'staging');
  mkdirSync(staging, { mode: 0o700 });
  db = join(dir, 'app.db');
  const database = new Database(db);
  database.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
  database.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function stageOnce() {
  const area = keptStage(staging, 'owner', 'daily');
  const staged = await sqliteSource.stage({ source: db }, { profile, area, logger: silentLogger, progress: false });
  area.finish([db.slice(1)]);
  return { staged, place: area.placeFor(db) };
}

describe('sqliteSource.stage in a kept stage', () => {
  it('dates a just-written database at least 2 s before its copy began', async () => {
    const { staged, place } = await stageOnce();
    expect(statSync(db).mtimeMs).toBeGreaterThan(Date.parse(staged.entry.copied_at!) - 2000);
    expect(statSync(place).mtimeMs).toBeLessThanOrEqual(Date.parse(staged.entry.copied_at!) - 2000);
  });

  it('keeps the kept file (inode and mtime) for an unchanged database; replaces it after a write', async () => {
    const first = await stageOnce();
    const before = statSync(first.place);
    const second = await stageOnce();
    expect(second.staged.settled).toBe('unchanged');
    expect([statSync(second.place).ino, statSync(second.place).mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    const database = new Database(db);
    database.exec('INSERT INTO t VALUES (2)');
    database.close();
    const third = await stageOnce();
    expect(third.staged.settled).toBe('replaced');
    expect(statSync(third.place).ino).not.toBe(before.ino);
  });
});
