/**
 * The kept stage: an identical copy keeps the kept file (same inode and mtime, so tarsnap's cache
 * skips it), a changed one replaces it, a crash's scratch is cleared, what the config dropped is
 * removed, and a kept stage that is not ours is refused.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keptStage, keptStageName, throwawayStage } from '../../src/adapters/stage-area.js';
import { removeUnusedKeptStages } from '../../src/adapters/kept-stages.js';
import type { Config } from '../../src/config/resolve.js';
import { silentLogger } from '../../src/log.js';

let dir: string;
let staging: string;
const state = '/var/lib/hotsnap-test';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-stage-area-'));
  staging = join(dir, 'staging');
  mkdirSync(staging, { mode: 0o700 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Stages `text` as the copy of /srv/app.db in a fresh kept stage and ends the run; returns what settle did. */
async function runOnce(text: string, mode = 0o600): Promise<string> {
  const area = keptStage(staging, state, 'daily');
  const scratch = area.scratchFor('/srv/app.db');
  writeFileSync(scratch, text, { mode });
  chmodSync(scratch, mode);
  const settled = await area.settleFile('/srv/app.db', scratch);
  area.finish(['srv/app.db']);
  return settled;
}

describe('kept stage', () => {
  it('keeps an identical copy as the same inode and mtime; replaces a changed one', async () => {
    expect(await runOnce('v1')).toBe('new');
    const place = join(staging, 'hotsnap', keptStageName('daily', state), 'srv/app.db');
    const first = statSync(place);
    expect(await runOnce('v1')).toBe('unchanged');
    const second = statSync(place);
    expect([second.ino, second.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
    expect(await runOnce('v2')).toBe('replaced');
    expect(statSync(place).ino).not.toBe(first.ino);
    expect(readFileSync(place, 'utf8')).toBe('v2');
  });

  it('an identical copy with another mode gives the kept file that mode, keeping its inode', async () => {
    await runOnce('same', 0o600);
    const place = join(staging, 'hotsnap', keptStageName('daily', state), 'srv/app.db');
    const before = statSync(place).ino;
    expect(await runOnce('same', 0o640)).toBe('unchanged');
    expect(statSync(place).mode & 0o777).toBe(0o640);
    expect(statSync(place).ino).toBe(before);
  });

  it("is private (0700) and clears a crashed run's scratch at the next start", async () => {
    await runOnce('v1');
    const root = join(staging, 'hotsnap', keptStageName('daily', state));
    expect(statSync(root).mode & 0o777).toBe(0o700);
    mkdirSync(join(root, '.incoming/srv'), { recursive: true });
    writeFileSync(join(root, '.incoming/srv/half.db'), 'half-written');
    const area = keptStage(staging, state, 'daily');
    expect(existsSync(join(root, '.incoming/srv/half.db'))).toBe(false);
    area.remove();
    expect(existsSync(join(root, '.incoming'))).toBe(false);
    expect(readFileSync(join(root, 'srv/app.db'), 'utf8')).toBe('v1');
  });

  it('finish removes what the run did not stage, and the directories left empty', async () => {
    const area = keptStage(staging, state, 'daily');
    for (const source of ['/srv/app.db', '/srv/old/gone.db', '/var/other.db']) {
      const scratch = area.scratchFor(source);
      writeFileSync(scratch, source);
      await area.settleFile(source, scratch);
    }
    area.finish(['srv/app.db']);
    const root = join(staging, 'hotsnap', keptStageName('daily', state));
    expect(existsSync(join(root, 'srv/app.db'))).toBe(true);
    expect(existsSync(join(root, 'srv/old'))).toBe(false);
    expect(existsSync(join(root, 'var'))).toBe(false);
  });

  it('settleDir replaces a kept directory whole', () => {
    const area = keptStage(staging, state, 'daily');
    for (const content of ['one', 'two']) {
      const scratch = area.scratchFor('/srv/git/app.git');
      mkdirSync(scratch);
      writeFileSync(join(scratch, 'HEAD'), content);
      area.settleDir('/srv/git/app.git', scratch);
    }
    expect(readFileSync(join(area.placeFor('/srv/git/app.git'), 'HEAD'), 'utf8')).toBe('two');
    area.finish(['srv/git/app.git']);
    expect(readFileSync(join(area.placeFor('/srv/git/app.git'), 'HEAD'), 'utf8')).toBe('two');
  });

  it('refuses a kept stage that is not a private directory of ours', () => {
    keptStage(staging, state, 'daily').remove();
    const root = join(staging, 'hotsnap', keptStageName('daily', state));
    chmodSync(root, 0o755);
    expect(() => keptStage(staging, state, 'daily')).toThrow(/not a private directory of this user.*rm -r/);
  });

  it('a throwaway stage is removed by finish, as before', async () => {
    const area = throwawayStage(staging, 'daily');
    const scratch = area.scratchFor('/srv/app.db');
    mkdirSync(join(scratch, '..'), { recursive: true });
    writeFileSync(scratch, 'x');
    expect(await area.settleFile('/srv/app.db', scratch)).toBe('new');
    area.finish(['srv/app.db']);
    expect(existsSync(area.path)).toBe(false);
  });
});

describe('removeUnusedKeptStages', () => {
  it("removes this config's kept snapshots of gone or keep_snapshot: false profiles, nothing else", () => {
    const owner = `${state}\0/root/tarsnap.key`;
    const otherKey = `${state}\0/root/other.key`;
    for (const profile of ['daily', 'weekly', 'gone']) keptStage(staging, owner, profile).remove();
    keptStage(staging, `/other/state\0/root/tarsnap.key`, 'gone').remove();
    keptStage(staging, otherKey, 'gone').remove();
    const profile = (name: string, keep: boolean) => ({ name, keep_snapshot: keep });
    const config = {
      staging_dir: staging,
      state_dir: state,
      tarsnap: { keyfile: '/root/tarsnap.key' },
      profiles: [profile('daily', true), profile('weekly', false)],
    } as unknown as Config;
    const removed = removeUnusedKeptStages(config, silentLogger).map((path) => path.split('/').pop());
    expect(removed.sort()).toEqual([keptStageName('gone', owner), keptStageName('weekly', owner)].sort());
    expect(existsSync(join(staging, 'hotsnap', keptStageName('daily', owner)))).toBe(true);
    // Another state_dir or another key: another config's runs, not serialised with ours, never touched.
    expect(existsSync(join(staging, 'hotsnap', keptStageName('gone', `/other/state\0/root/tarsnap.key`)))).toBe(true);
    expect(existsSync(join(staging, 'hotsnap', keptStageName('gone', otherKey)))).toBe(true);
    expect(keptStageName('gone', otherKey)).not.toBe(keptStageName('gone', owner));
  });
});
