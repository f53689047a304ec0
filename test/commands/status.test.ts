import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { readProfileState, recordRun, updateProfileState, type RunRecord } from '../../src/adapters/state.js';
import { statusCommand, type StatusDeps } from '../../src/commands/status.js';
import { ExitCode, UsageError, UserError } from '../../src/errors.js';

let temp = '';
afterEach(() => rmSync(temp, { recursive: true, force: true }));

function setup(extra = '') {
  temp = mkdtempSync(join(tmpdir(), 'hotsnap-status-'));
  const stateDir = join(temp, 'state');
  const text = `
hostname: web1
state_dir: ${stateDir}
${extra}
tarsnap:
  keyfile: /root/tarsnap.key
  cachedir: /var/cache/tarsnap
profiles:
  daily:
    paths: [/etc]
  weekly:
    paths: [/srv]
  manual:
    paths: [/opt]
`;
  const context = {
    loadConfig: async () =>
      parseConfig(text, join(temp, 'hotsnap.yaml'), {
        hostname: 'web1',
        timezone: 'UTC',
        tmpdir: '/tmp',
        stateDir: '/unused',
      }),
  };
  return { stateDir, context };
}

const NOW = Date.parse('2024-05-08T12:00:00Z');
const deps: StatusDeps = { now: () => NOW, timeZone: 'UTC', readState: readProfileState };

function run(started: string, status: RunRecord['status'] = 'ok'): RunRecord {
  return {
    started,
    finished: new Date(Date.parse(started) + 60_000).toISOString(),
    status,
    duration_ms: 60_000,
    ...(status === 'failed' ? { error: 'tarsnap failed' } : { archive: `web1-x-${started}` }),
  };
}

describe('statusCommand (real state files, fixed clock)', () => {
  it('exit 0 when every scheduled profile is on time; the unscheduled one is listed but not judged', async () => {
    const { stateDir, context } = setup();
    updateProfileState(stateDir, 'daily', recordRun(run('2024-05-08T00:10:00Z')));
    updateProfileState(stateDir, 'weekly', recordRun(run('2024-05-06T00:10:00Z')));
    const result = await statusCommand(context, [], {}, deps);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.stdout).toMatch(/^PROFILE +SCHEDULE +LAST RUN/);
    expect(result.stdout).toMatch(/\nmanual +- +never +never +- +- +not scheduled\n/);
    expect(result.stdout!.endsWith('all 3 profiles on schedule\n')).toBe(true);
  });

  it('exit 3 when one is overdue or never succeeded; naming a profile judges only that one', async () => {
    const { stateDir, context } = setup();
    updateProfileState(stateDir, 'daily', recordRun(run('2024-05-06T00:10:00Z')));
    updateProfileState(stateDir, 'daily', recordRun(run('2024-05-07T00:10:00Z', 'failed')));
    const result = await statusCommand(context, [], {}, deps);
    expect(result.exitCode).toBe(ExitCode.problems);
    expect(result.stdout).toContain(
      'problem: daily: overdue: last success 2024-05-06 00:11Z (2d11h ago); the next run was due 2024-05-07 00:00Z (daily), at the latest by 2024-05-07 06:00Z\n',
    );
    expect(result.stdout).toContain('problem: weekly: scheduled (weekly) but never backed up successfully\n');
    expect(result.stdout).toMatch(
      /\ndaily +daily +2024-05-07 00:10Z failed +2024-05-06 00:11Z +2d11h +- +OVERDUE since 2024-05-07 06:00Z\n/,
    );
    expect((await statusCommand(context, ['manual'], {}, deps)).exitCode).toBe(ExitCode.ok);
    expect((await statusCommand(context, ['weekly'], {}, deps)).exitCode).toBe(ExitCode.problems);
  });

  it('--json carries every field; verify_schedule adds verify problems', async () => {
    const { stateDir, context } = setup('verify_schedule: weekly');
    updateProfileState(stateDir, 'daily', {
      ...recordRun(run('2024-05-08T00:10:00Z')),
      last_verify: { time: '2024-05-06T00:30:00Z', status: 'failed', error: 'sha256 mismatch' },
    });
    updateProfileState(stateDir, 'weekly', {
      ...recordRun(run('2024-05-06T00:10:00Z')),
      last_verify: { time: '2024-05-06T01:00:00Z', status: 'ok' },
    });
    const result = await statusCommand(context, ['daily', 'weekly'], { json: true }, deps);
    expect(result.exitCode).toBe(ExitCode.problems);
    const body = JSON.parse(result.stdout!);
    expect(body).toMatchObject({ now: '2024-05-08T12:00:00.000Z', ok: false, verify_schedule: 'weekly' });
    expect(body.profiles.map((status: { profile: string }) => status.profile)).toEqual(['daily', 'weekly']);
    expect(body.profiles[0]).toMatchObject({
      profile: 'daily',
      schedule: 'daily',
      calendar: '*-*-* 00:00:00',
      state: 'ok',
      age_seconds: 42_540,
      next_due: '2024-05-09T00:00:00.000Z',
      deadline: '2024-05-09T06:00:00.000Z',
      interval_seconds: 86_400,
      last_success: { started: '2024-05-08T00:10:00Z', status: 'ok' },
      verify: { schedule: 'weekly', state: 'failed', last: { status: 'failed', error: 'sha256 mismatch' } },
      problems: ['daily: the last verify (2024-05-06 00:30Z) failed: sha256 mismatch'],
    });
    expect(body.profiles[1]).toMatchObject({
      state: 'ok',
      verify: { state: 'ok', deadline: '2024-05-14T18:00:00.000Z' },
      problems: [],
    });
  });

  it('an unknown profile is a usage error; a corrupt state file is an error naming the file', async () => {
    const { stateDir, context } = setup();
    const unknown = await statusCommand(context, ['nightly'], {}, deps).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(UsageError);
    mkdirSync(join(stateDir, 'profiles'), { recursive: true });
    writeFileSync(join(stateDir, 'profiles/daily.json'), '{"profile": "daily", ');
    const corrupt = await statusCommand(context, [], {}, deps).catch((error: unknown) => error);
    expect(corrupt).toBeInstanceOf(UserError);
    expect((corrupt as Error).message).toMatch(/cannot read state file .*profiles\/daily\.json/);
  });
});
