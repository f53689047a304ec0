/**
 * `hotsnap schedule cron|systemd` and `hotsnap status` end to end through the built CLI: crontab
 * lines checked field by field and one run the way cron runs it (a real backup into the emulator),
 * unit files parsed as INI and checked by systemd-analyze where it exists, --install against a
 * fake systemctl on PATH that records its argv, status against hand-written state files.
 */
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCronLine } from '../core/cron-validator.js';
import { parseUnit, unitValue } from '../core/unit-ini.js';
import { BIN, createWorld, type World } from './harness.js';

const analyze = (await execa('sh', ['-c', 'command -v systemd-analyze'], { reject: false })).exitCode === 0;
if (!analyze)
  console.warn(
    'test/e2e/schedule-status.test.ts: systemd-analyze verify skipped — systemd-analyze is not installed here',
  );

const HOUR = 3_600_000;

interface Ran {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in a world; the exact bytes the user sees (no final newline stripped), as strings. */
async function hotsnapIn(world: World, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  const result = await world.hotsnap(args, { stripFinalNewline: false, env });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe('hotsnap schedule and status (built CLI)', () => {
  let world: World;
  let node: string;
  const script = realpathSync(BIN);

  beforeAll(async () => {
    world = createWorld('schedule');
    node = (await execa('node', ['-p', 'process.execPath'])).stdout;
    mkdirSync(join(world.dir, 'srv/site'), { recursive: true });
    writeFileSync(join(world.dir, 'srv/site/index.html'), '<h1>hello</h1>\n');
    world.writeConfig({
      verify_schedule: 'weekly',
      profiles: {
        daily: { paths: [join(world.dir, 'srv/site')] },
        site: { paths: [join(world.dir, 'srv/site')], schedule: 'Mon..Fri 02:30' },
        manual: { paths: [join(world.dir, 'srv/site')] },
      },
    });
  });
  afterAll(() => world.cleanup());

  it('schedule cron: one valid line per job with absolute node, script, config and log', async () => {
    const log = join(world.dir, 'hotsnap.log');
    const result = await hotsnapIn(world, ['schedule', 'cron', '--log', log]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const parsed = lines.map(parseCronLine);
    const prefix = `${node} ${script} --config ${world.configFile} --log-file ${log} `;
    expect(parsed.map((line) => line.command)).toEqual([`${prefix}run daily`, `${prefix}run site`, `${prefix}verify`]);
    expect(lines[1]!.startsWith('30 2 * * 1-5 ')).toBe(true);
  });

  it('a cron line, run the way cron runs it, backs up; status then reports that profile on time', async () => {
    expect((await world.fsck()).exitCode).toBe(0);
    const log = join(world.dir, 'cron.log');
    const result = await hotsnapIn(world, ['schedule', 'cron', '--log', log]);
    const line = result.stdout.split('\n').find((entry) => / run site$/.test(entry))!;
    const { command } = parseCronLine(line);
    // Monday 02:30, when "Mon..Fri 02:30" fires.
    world.setNow('2026-03-02T02:30:00Z');
    const { HOTSNAP_TEST_NOW, TARSNAP_EMULATOR_NOW } = world.nextEnv();
    // cron hands the command to /bin/sh with a minimal environment (plus what the emulator and the test clock need).
    const ran = await execa('/bin/sh', ['-c', command.replace(/\\%/g, '%')], {
      reject: false,
      extendEnv: false,
      env: {
        PATH: '/usr/bin:/bin',
        HOME: world.dir,
        TARSNAP_EMULATOR_DIR: world.emulatorDir,
        TZ: 'UTC',
        HOTSNAP_TEST_NOW,
        TARSNAP_EMULATOR_NOW,
      },
    });
    expect(ran.exitCode).toBe(0);
    // A good run prints nothing, so cron mails nothing; the log holds its lines and summary.
    expect([ran.stdout, ran.stderr]).toEqual(['', '']);
    expect(readFileSync(log, 'utf8')).toMatch(/^site: ok {2}archive blog-site-2026-03-02_02-30-00 {2}/m);
    // On time now, and so is the restore drill verify_schedule asks for: it never ran, but it is
    // first due the week after this first backup (plus its grace), not before.
    const status = await hotsnapIn(world, ['status', 'site', '--json']);
    expect(status.exitCode).toBe(0);
    const site = JSON.parse(status.stdout).profiles[0];
    expect(site).toMatchObject({
      profile: 'site',
      state: 'ok',
      last_success: { status: 'ok' },
      verify: { state: 'pending' },
      problems: [],
    });
    // Past that first due date, a verify that never ran is a problem.
    world.setNow(new Date(Date.parse(site.verify.deadline) + 60_000));
    const late = await hotsnapIn(world, ['status', 'site', '--json']);
    expect(late.exitCode).toBe(3);
    expect(JSON.parse(late.stdout).profiles[0].problems).toContainEqual(
      expect.stringMatching(/^site: verify is scheduled \(weekly\) but has never run; the first was due by /),
    );
  });

  it('schedule alone (or with an unknown subcommand) names cron and systemd: exit 2, nothing on stdout', async () => {
    for (const [args, what] of [
      [['schedule'], 'needs a subcommand'],
      [['schedule', 'crontab'], 'has no subcommand "crontab"'],
    ] as const) {
      const result = await hotsnapIn(world, args);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `hotsnap: "hotsnap schedule" ${what}: cron (print crontab lines) or systemd (timers; --install to enable them), e.g. hotsnap schedule cron; see hotsnap schedule --help\n`,
      );
    }
  });

  it('schedule cron refuses what cron cannot express: exit 2, the reason and the way out on stderr', async () => {
    const other = createWorld('schedule-cron');
    try {
      other.writeConfig({ profiles: { monthly: { paths: [other.dir], schedule: 'Mon *-*-1..7 03:00' } } });
      const result = await hotsnapIn(other, ['schedule', 'cron']);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'hotsnap: profile monthly: "Mon *-*-1..7 03:00" cannot be written as a cron line: it restricts both the weekday and the day of the month, and cron would run when either matches\n' +
          'use "hotsnap schedule systemd" for these (systemd timers understand every OnCalendar expression), or change the schedule\n',
      );
    } finally {
      other.cleanup();
    }
  });

  it('schedule systemd --dir: a service and a timer per job, valid INI with the expected keys, accepted by systemd-analyze verify', async () => {
    const dir = join(world.dir, 'units');
    const result = await hotsnapIn(world, ['schedule', 'systemd', '--dir', dir]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const names = ['hotsnap-daily', 'hotsnap-site', 'hotsnap-verify'].flatMap((unit) => [
      `${unit}.service`,
      `${unit}.timer`,
    ]);
    const written = [...names, 'hotsnap-failure@.service'].map((name) => join(dir, name));
    expect(result.stdout).toMatch(
      new RegExp(
        `^${written.map((path) => `wrote ${path}`).join('\n')}\n${dir} is not a directory systemd reads units from; to enable them \\(as root\\), copy them into /etc/systemd/system:\n  cp ${written.join(' ')} /etc/systemd/system/\n  systemctl daemon-reload\n  systemctl enable --now hotsnap-daily.timer hotsnap-site.timer hotsnap-verify.timer\n`,
      ),
    );
    const service = parseUnit(readFileSync(join(dir, 'hotsnap-site.service'), 'utf8'));
    expect(unitValue(service, 'Service', 'ExecStart')).toBe(`${node} ${script} --config ${world.configFile} run site`);
    expect(unitValue(service, 'Service', 'Type')).toBe('oneshot');
    expect(unitValue(service, 'Service', 'ProtectSystem')).toBe('strict');
    const timer = parseUnit(readFileSync(join(dir, 'hotsnap-site.timer'), 'utf8'));
    expect(unitValue(timer, 'Timer', 'OnCalendar')).toBe('Mon..Fri 02:30');
    expect(unitValue(timer, 'Timer', 'Persistent')).toBe('true');
    expect(
      unitValue(parseUnit(readFileSync(join(dir, 'hotsnap-verify.service'), 'utf8')), 'Service', 'ExecStart'),
    ).toBe(`${node} ${script} --config ${world.configFile} verify`);
    expect(existsSync(join(dir, 'hotsnap-manual.service'))).toBe(false);
    if (analyze) {
      const verify = await execa('systemd-analyze', ['verify', '--man=no', ...names.map((name) => join(dir, name))], {
        reject: false,
        env: { SYSTEMD_COLORS: '0' },
      });
      expect(verify.stderr).toBe('');
      expect(verify.exitCode).toBe(0);
    }
  });

  describe('schedule systemd --install with a fake systemctl on PATH', () => {
    let fakeBin: string;
    let callLog: string;

    beforeAll(() => {
      fakeBin = join(world.dir, 'fake-bin');
      callLog = join(world.dir, 'systemctl-calls.txt');
      mkdirSync(fakeBin);
      // Records each call's argv, one tab-separated line per call; FAKE_SYSTEMCTL_FAIL makes it fail.
      writeFileSync(
        join(fakeBin, 'systemctl'),
        [
          '#!/bin/sh',
          'for arg in "$@"; do printf \'%s\\t\' "$arg"; done >> "$FAKE_SYSTEMCTL_LOG"',
          'echo >> "$FAKE_SYSTEMCTL_LOG"',
          'if [ -n "$FAKE_SYSTEMCTL_FAIL" ]; then echo "Failed to connect to bus: No such file or directory" >&2; exit 1; fi',
          '',
        ].join('\n'),
      );
      chmodSync(join(fakeBin, 'systemctl'), 0o755);
    });

    const calls = () =>
      readFileSync(callLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/\t$/, '').split('\t'));
    const env = (extra: Record<string, string> = {}) => ({
      PATH: `${fakeBin}:${process.env.PATH}`,
      FAKE_SYSTEMCTL_LOG: callLog,
      // This machine may run no systemd: the fake systemctl stands in for it.
      HOTSNAP_TEST_SYSTEMD: 'present',
      ...extra,
    });
    const written = (dir: string) =>
      ['daily', 'site', 'verify']
        .flatMap((unit) => [`hotsnap-${unit}.service`, `hotsnap-${unit}.timer`])
        .concat('hotsnap-failure@.service')
        .map((name) => join(dir, name));

    it('writes the units, links them (the --dir is not in the unit path), then daemon-reload and enable --now on the timers', async () => {
      const dir = join(world.dir, 'installed');
      writeFileSync(callLog, '');
      const result = await hotsnapIn(world, ['schedule', 'systemd', '--install', '--dir', dir], env());
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(calls()).toEqual([
        ['link', ...written(dir)],
        ['daemon-reload'],
        ['enable', '--now', 'hotsnap-daily.timer', 'hotsnap-site.timer', 'hotsnap-verify.timer'],
      ]);
      expect(existsSync(join(dir, 'hotsnap-verify.timer'))).toBe(true);
      expect(result.stdout).toContain(
        'ran systemctl enable --now hotsnap-daily.timer hotsnap-site.timer hotsnap-verify.timer\n',
      );
    });

    it('--user: user units and systemctl --user', async () => {
      const dir = join(world.dir, 'installed-user');
      writeFileSync(callLog, '');
      const result = await hotsnapIn(world, ['schedule', 'systemd', '--install', '--user', '--dir', dir], env());
      expect(result.exitCode).toBe(0);
      expect(calls()).toEqual([
        ['--user', 'link', ...written(dir)],
        ['--user', 'daemon-reload'],
        ['--user', 'enable', '--now', 'hotsnap-daily.timer', 'hotsnap-site.timer', 'hotsnap-verify.timer'],
      ]);
      expect(
        unitValue(parseUnit(readFileSync(join(dir, 'hotsnap-daily.service'), 'utf8')), 'Service', 'ProtectSystem'),
      ).toBeUndefined();
    });

    it('a failing systemctl: exit 1 with its message and what was written, and nothing more is attempted', async () => {
      writeFileSync(callLog, '');
      const dir = join(world.dir, 'installed-fail');
      const result = await hotsnapIn(
        world,
        ['schedule', 'systemd', '--install', '--dir', dir],
        env({ FAKE_SYSTEMCTL_FAIL: '1' }),
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        `hotsnap: systemctl link ${written(dir).join(' ')} failed (exit 1):\n  Failed to connect to bus: No such file or directory\nthe unit files are written in ${dir}; once systemctl works, run this again (or remove them: rm ${written(dir).join(' ')})\n`,
      );
      expect(calls()).toEqual([['link', ...written(dir)]]);
    });

    it('on a machine without systemd: exit 2, nothing written, systemctl never run', async () => {
      writeFileSync(callLog, '');
      const home = join(world.dir, 'home-without-systemd');
      mkdirSync(home);
      const result = await hotsnapIn(
        world,
        ['schedule', 'systemd', '--install', '--user'],
        env({ HOTSNAP_TEST_SYSTEMD: 'absent', HOME: home }),
      );
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'hotsnap: cannot install systemd units: this machine does not run systemd (no /run/systemd/system); nothing was written. Use "hotsnap schedule cron" (and crontab -e) on this machine, or "hotsnap schedule systemd --dir DIR" to write units for another one\n',
      );
      expect(readdirSync(home)).toEqual([]);
      expect(calls()).toEqual([]);
    });
  });

  describe('status against hand-written state files', () => {
    let other: World;
    const writeState = (profile: string, state: object) => {
      mkdirSync(join(other.stateDir, 'profiles'), { recursive: true });
      writeFileSync(
        join(other.stateDir, 'profiles', `${profile}.json`),
        `${JSON.stringify({ profile, ...state }, null, 2)}\n`,
      );
    };
    // Relative to the time the next status call runs at (the world's clock), never the wall clock.
    const record = (ago: number, status = 'ok') => {
      const now = other.now().getTime();
      return {
        started: new Date(now - ago).toISOString(),
        finished: new Date(now - ago + 60_000).toISOString(),
        status,
        duration_ms: 60_000,
      };
    };

    beforeAll(() => {
      other = createWorld('status');
      other.writeConfig({
        profiles: { daily: { paths: [other.dir] }, weekly: { paths: [other.dir] }, manual: { paths: [other.dir] } },
      });
    });
    afterAll(() => other.cleanup());

    it('exit 0 with recent successes, 3 once one is stale; --json agrees', async () => {
      // Sunday 03:00 UTC: the weekly run (Monday 00:00) is not due yet.
      other.setNow('2026-03-01T03:00:00Z');
      writeState('daily', { last_attempt: record(HOUR), last_success: record(HOUR) });
      writeState('weekly', { last_attempt: record(2 * 24 * HOUR), last_success: record(2 * 24 * HOUR) });
      const fresh = await hotsnapIn(other, ['status'], { TZ: 'UTC' });
      expect(fresh.stderr).toBe('');
      expect(fresh.exitCode).toBe(0);
      expect(fresh.stdout).toMatch(
        /^PROFILE +SCHEDULE +LAST RUN +LAST SUCCESS +AGE +LAST VERIFY +STATE\ndaily +daily +\S+ \S+ ok +\S+ \S+ +59m +- +ok, next due /,
      );
      expect(fresh.stdout.endsWith('all 3 profiles on schedule\n')).toBe(true);

      writeState('daily', { last_attempt: record(HOUR, 'failed'), last_success: record(3 * 24 * HOUR) });
      const stale = await hotsnapIn(other, ['status'], { TZ: 'UTC' });
      expect(stale.exitCode).toBe(3);
      expect(stale.stdout).toMatch(
        /\nproblem: daily: overdue: last success .* \(2d23h ago\); the next run was due .* \(daily\), at the latest by .*\n1 problem\n$/,
      );

      const json = await hotsnapIn(other, ['status', '--json'], { TZ: 'UTC' });
      expect(json.exitCode).toBe(3);
      const body = JSON.parse(json.stdout);
      expect(body.ok).toBe(false);
      expect(body.profiles.map((status: { profile: string; state: string }) => [status.profile, status.state])).toEqual(
        [
          ['daily', 'overdue'],
          ['weekly', 'ok'],
          ['manual', 'unscheduled'],
        ],
      );
      expect(body.profiles[0].last_attempt.status).toBe('failed');

      const onlyWeekly = await hotsnapIn(other, ['status', 'weekly'], { TZ: 'UTC' });
      expect(onlyWeekly.exitCode).toBe(0);
    });

    it('a weekly success two days old is overdue on Tuesday evening: the Monday run was missed', async () => {
      // What made this suite fail on Tuesday evenings UTC while it read the wall clock.
      other.setNow('2026-03-03T20:00:00Z');
      writeState('daily', { last_attempt: record(HOUR), last_success: record(HOUR) });
      writeState('weekly', { last_attempt: record(2 * 24 * HOUR), last_success: record(2 * 24 * HOUR) });
      const result = await hotsnapIn(other, ['status', '--json'], { TZ: 'UTC' });
      expect(result.exitCode).toBe(3);
      const body = JSON.parse(result.stdout);
      expect(body.now).toBe('2026-03-03T20:00:00.000Z');
      expect(body.profiles.map((status: { profile: string; state: string }) => [status.profile, status.state])).toEqual(
        [
          ['daily', 'ok'],
          ['weekly', 'overdue'],
          ['manual', 'unscheduled'],
        ],
      );
    });

    it('an unknown profile: exit 2', async () => {
      const result = await hotsnapIn(other, ['status', 'nightly']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        /^hotsnap: unknown profile nightly; the config \(.*\) has: daily, weekly, manual\n$/,
      );
    });
  });
});
