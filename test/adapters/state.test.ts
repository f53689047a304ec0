import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_STATE_ERROR_CHARS,
  readProfileState,
  recordRun,
  updateProfileState,
  type RunRecord,
} from '../../src/adapters/state.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-state-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ok: RunRecord = {
  started: '2026-01-01T00:00:00.000Z',
  finished: '2026-01-01T00:01:00.000Z',
  status: 'ok',
  duration_ms: 60_000,
  archive: 'h-daily-1',
};
const failed: RunRecord = { ...ok, status: 'failed', archive: undefined, error: 'network down' };

describe('profile state', () => {
  it('starts empty, records success and keeps the last success through a failure', () => {
    expect(readProfileState(dir, 'daily')).toEqual({ profile: 'daily' });
    updateProfileState(dir, 'daily', recordRun(ok));
    const after = updateProfileState(dir, 'daily', recordRun(failed));
    expect(after.last_attempt).toEqual(failed);
    expect(after.last_success).toEqual(ok);
    expect(readProfileState(dir, 'daily')).toEqual(after);
    expect(readdirSync(join(dir, 'profiles'))).toEqual(['daily.json']);
  });

  it('keeps each error to MAX_STATE_ERROR_CHARS, saying how much was cut', () => {
    const huge = `cannot run tarsnap: ${'--exclude /srv/x '.repeat(500_000)}`;
    const state = updateProfileState(dir, 'daily', {
      ...recordRun({ ...failed, error: huge }),
      last_verify: { time: ok.started, status: 'failed', error: huge },
    });
    const cut = `${huge.slice(0, MAX_STATE_ERROR_CHARS)}… (${huge.length - MAX_STATE_ERROR_CHARS} more characters)`;
    expect(state.last_attempt!.error).toBe(cut);
    expect(state.last_verify!.error).toBe(cut);
    expect(readProfileState(dir, 'daily')).toEqual(state);
    expect(statSync(join(dir, 'profiles', 'daily.json')).size).toBeLessThan(3 * MAX_STATE_ERROR_CHARS);
    // A short error is kept whole.
    expect(updateProfileState(dir, 'daily', recordRun(failed)).last_attempt!.error).toBe('network down');
  });

  it('first_success is written once: the first success, or for older state files the last success they had', () => {
    expect(updateProfileState(dir, 'daily', recordRun(failed)).first_success).toBeUndefined();
    expect(updateProfileState(dir, 'daily', recordRun(ok)).first_success).toBe(ok.finished);
    const later = { ...ok, started: '2026-02-01T00:00:00.000Z', finished: '2026-02-01T00:01:00.000Z' };
    expect(updateProfileState(dir, 'daily', recordRun(later)).first_success).toBe(ok.finished);
    // A state file from before first_success: its last success is the first one hotsnap knows of.
    writeFileSync(join(dir, 'profiles', 'old.json'), JSON.stringify({ profile: 'old', last_success: ok }));
    expect(updateProfileState(dir, 'old', recordRun(later)).first_success).toBe(ok.finished);
    expect(readProfileState(dir, 'old').first_success).toBe(ok.finished);
  });

  it('says how to recover from a damaged state file', () => {
    mkdirSync(join(dir, 'profiles'));
    writeFileSync(join(dir, 'profiles', 'daily.json'), '{ half');
    expect(() => readProfileState(dir, 'daily')).toThrow(
      /cannot read state file .*daily.json: .*\(delete it to start afresh\)/,
    );
  });
});
