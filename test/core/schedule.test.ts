import { execa } from 'execa';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_WEEKDAYS, fieldValues, parseCalendar, type CalendarSpec } from '../../src/core/calendar.js';
import { nextElapse } from '../../src/core/calendar-elapse.js';
import {
  calendarToCron,
  planScheduledJobs,
  renderCrontab,
  scheduleMinute,
  shellQuote,
  type CronFields,
} from '../../src/core/schedule.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { cronMatches, parseCronLine, type ParsedCron } from './cron-validator.js';

/** Whether a spec (no zone) fires at this whole minute in UTC, straight from its field values. */
function calendarMatcher(spec: CalendarSpec): (instant: number) => boolean {
  const [seconds, minutes, hours, days, months] = [
    fieldValues(spec.second, 0, 59),
    fieldValues(spec.minute, 0, 59),
    fieldValues(spec.hour, 0, 23),
    fieldValues(spec.day, 1, 31),
    fieldValues(spec.month, 1, 12),
  ].map((values) => new Set(values)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return (instant) => {
    const date = new Date(instant);
    return (
      seconds.has(0) &&
      minutes.has(date.getUTCMinutes()) &&
      hours.has(date.getUTCHours()) &&
      days.has(date.getUTCDate()) &&
      months.has(date.getUTCMonth() + 1) &&
      (spec.weekdays & (1 << ((date.getUTCDay() + 6) % 7))) !== 0
    );
  };
}

const line = (fields: CronFields) =>
  `${fields.minute} ${fields.hour} ${fields.dayOfMonth} ${fields.month} ${fields.dayOfWeek} true`;

describe('calendarToCron', () => {
  it.each([
    ['minutely', '* * * * *'],
    ['hourly', '37 * * * *'],
    ['daily', '37 0 * * *'],
    ['weekly', '37 0 * * 1'],
    ['monthly', '37 0 1 * *'],
    ['yearly', '37 0 1 1 *'],
    ['quarterly', '37 0 1 */3 *'],
    ['semiannually', '37 0 1 1,7 *'],
    ['*-*-* 02:30', '30 2 * * *'],
    ['Mon *-*-* 03:00', '0 3 * * 1'],
    ['Mon,Thu 04:00', '0 4 * * 1,4'],
    ['Mon..Fri 02:30', '30 2 * * 1-5'],
    ['Sat,Sun 9:00', '0 9 * * 0,6'],
    ['Sun 1:00', '0 1 * * 0'],
    ['Mon..Sun 1:00', '0 1 * * *'],
    ['*:0/15', '*/15 * * * *'],
    ['*:5/15', '5,20,35,50 * * * *'],
    ['0/2:00', '0 */2 * * *'],
    ['1/2:00', '0 1,3,5,7,9,11,13,15,17,19,21,23 * * *'],
    ['1..3,5:00', '0 1-3,5 * * *'],
    ['*-*-* 1,2:00', '0 1,2 * * *'],
    ['*-*-1,15 3:00', '0 3 1,15 * *'],
    ['*-*-1/10 4:0', '0 4 */10 * *'],
    ['*-1..3-1 0:0', '0 0 1 1-3 *'],
    ['*-*-1..31 1:00', '0 1 * * *'],
    ['Mon *-*-1..31 1:00', '0 1 * * 1'],
    ['*-*-* 02:30:00', '30 2 * * *'],
  ])('%s → %s', (text, expected) => {
    const fields = calendarToCron(parseCalendar(text), 37);
    expect(`${fields.minute} ${fields.hour} ${fields.dayOfMonth} ${fields.month} ${fields.dayOfWeek}`).toBe(expected);
    expect(() => parseCronLine(line(fields))).not.toThrow();
  });

  it.each([
    ['Mon *-*-1 0:0', /restricts both the weekday and the day of the month, and cron would run when either matches/],
    ['Mon,Thu *-*-1..7 03:00', /restricts both the weekday and the day of the month/],
    ['*-*-* 02:30:15', /cron runs at whole minutes only/],
    ['*:*:*', /cron runs at whole minutes only/],
    ['*:*:0/30', /cron runs at whole minutes only/],
    ['2025-*-* 1:00', /cron has no year field/],
    ['daily UTC', /cron runs in the machine's time zone and cannot follow "UTC"/],
    ['Mon 03:00 Europe/Berlin', /cannot follow "Europe\/Berlin"/],
  ])('refuses %s', (text, message) => {
    expect(() => calendarToCron(parseCalendar(text), 37)).toThrow(message);
  });

  it('converts random expressible expressions into valid fields that fire at exactly the same minutes (UTC)', () => {
    const list = (min: number, max: number) =>
      fc
        .array(
          fc.oneof(
            fc.integer({ min, max }).map(String),
            fc
              .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
              .map(([a, b]) => `${Math.min(a, b)}..${Math.max(a, b)}`),
            fc
              .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.max(1, (max - min) >> 1) }))
              .filter(([a, step]) => a + step <= max)
              .map(([a, step]) => `${a}/${step}`),
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((items) => items.join(','));
    const field = (min: number, max: number) => fc.oneof(fc.constant('*'), list(min, max));
    const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    const expression = fc
      .tuple(fc.boolean(), fc.subarray(days, { minLength: 1 }), field(1, 12), field(1, 31), field(0, 23), field(0, 59))
      // Either weekdays or days of the month, as cron needs.
      .map(([byWeekday, week, month, day, hour, minute]) =>
        byWeekday ? `${week.join(',')} *-${month}-* ${hour}:${minute}` : `*-${month}-${day} ${hour}:${minute}`,
      );
    fc.assert(
      fc.property(
        expression,
        fc.integer({ min: Date.UTC(2024, 0, 1) / 60_000, max: Date.UTC(2031, 0, 1) / 60_000 }),
        (text, baseMinute) => {
          const spec = parseCalendar(text);
          const cron = parseCronLine(line(calendarToCron(spec)));
          // Every elapse is a cron minute, and every minute of a window agrees either way.
          let after = baseMinute * 60_000 - 1;
          for (let index = 0; index < 20; index++) {
            const next = nextElapse(spec, after, 'UTC');
            if (next === undefined) break;
            expect(cronMatches(cron, next)).toBe(true);
            after = next;
          }
          const calendarMatches = calendarMatcher(spec);
          for (let minute = 0; minute < 3 * 24 * 60; minute += 7) {
            const instant = (baseMinute + minute) * 60_000;
            expect(cronMatches(cron, instant)).toBe(calendarMatches(instant));
          }
        },
      ),
      { numRuns: process.env.HOTSNAP_STRESS ? 3000 : 100, seed: 5 },
    );
  });
});

describe('scheduleMinute', () => {
  it('is the same on every call and differs between hosts and profiles', () => {
    expect(scheduleMinute('web1', 'daily')).toBe(scheduleMinute('web1', 'daily'));
    const minutes = ['web1', 'web2', 'web3', 'db1', 'db2'].map((host) => scheduleMinute(host, 'daily'));
    expect(new Set(minutes).size).toBeGreaterThan(1);
    expect(scheduleMinute('web1', 'daily')).not.toBe(scheduleMinute('web1', 'weekly'));
  });

  it('is pinned, so re-rendering after an upgrade does not move backups', () => {
    // FNV-1a of "host\0label" mod 60; changing these moves every host's backups.
    expect([
      scheduleMinute('web1', 'daily'),
      scheduleMinute('web1', 'hourly'),
      scheduleMinute('ghost-prod', 'daily'),
      scheduleMinute('ünïcode', 'verify'),
    ]).toEqual([37, 29, 55, 4]);
  });

  it('spreads 1000 hosts over the hour (every minute used, none more than 3× its share)', () => {
    const counts = new Array<number>(60).fill(0);
    for (let host = 0; host < 1000; host++) counts[scheduleMinute(`host-${host}`, 'daily')]!++;
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThan(3 * (1000 / 60));
  });
});

describe('planScheduledJobs', () => {
  const file = '/etc/hotsnap/hotsnap.yaml';

  it('one run per scheduled profile in file order, verify last; unscheduled profiles left out', () => {
    const jobs = planScheduledJobs({
      file,
      profiles: [{ name: 'daily', schedule: 'daily' }, { name: 'manual' }, { name: 'db', schedule: 'Mon..Fri 02:30' }],
      verify_schedule: 'weekly',
    });
    expect(jobs.map(({ unit, kind, profile, schedule, args }) => ({ unit, kind, profile, schedule, args }))).toEqual([
      { unit: 'hotsnap-daily', kind: 'run', profile: 'daily', schedule: 'daily', args: ['run', 'daily'] },
      { unit: 'hotsnap-db', kind: 'run', profile: 'db', schedule: 'Mon..Fri 02:30', args: ['run', 'db'] },
      { unit: 'hotsnap-verify', kind: 'verify', profile: undefined, schedule: 'weekly', args: ['verify'] },
    ]);
  });

  it('lists every unreadable schedule at once, with its config path', () => {
    let caught: unknown;
    try {
      planScheduledJobs({
        file,
        profiles: [
          { name: 'a', schedule: 'dialy' },
          { name: 'b', schedule: '25:00' },
        ],
        verify_schedule: '*-*~1',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((issue) => issue.path)).toEqual([
      'profiles.a.schedule',
      'profiles.b.schedule',
      'verify_schedule',
    ]);
    expect((caught as ConfigError).issues[0]!.message).toMatch(/"dialy"|unknown weekday "dialy"/);
  });

  it('refuses a profile named verify when verify_schedule is set (their units would collide)', () => {
    expect(() =>
      planScheduledJobs({ file, profiles: [{ name: 'verify', schedule: 'daily' }], verify_schedule: 'weekly' }),
    ).toThrow(/profile named "verify" would share the units hotsnap-verify/);
    expect(planScheduledJobs({ file, profiles: [{ name: 'verify', schedule: 'daily' }] })).toHaveLength(1);
  });
});

describe('shellQuote', () => {
  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['/etc/hotsnap/hotsnap.yaml', '/etc/hotsnap/hotsnap.yaml'],
    ['/opt/my app/bin', `'/opt/my app/bin'`],
    ["it's", `'it'\\''s'`],
    ['$HOME', `'$HOME'`],
    ['', `''`],
  ])('%s → %s', (argument, quoted) => {
    expect(shellQuote(argument)).toBe(quoted);
  });
});

describe('renderCrontab', () => {
  const temp = mkdtempSync(join(tmpdir(), 'hotsnap-cron-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const jobs = planScheduledJobs({
    file: '/etc/hotsnap/hotsnap.yaml',
    profiles: [
      { name: 'hourly', schedule: 'hourly' },
      { name: 'daily', schedule: 'daily' },
      { name: 'db', schedule: 'Mon..Fri 02:30' },
    ],
    verify_schedule: 'weekly',
  });
  const options = {
    hostname: 'web1',
    node: '/usr/bin/node',
    script: '/opt/hotsnap/bin/hotsnap.js',
    configFile: '/etc/hotsnap/hotsnap.yaml',
    logFile: '/var/log/hotsnap.log',
    needsPath: false,
  };

  it('renders a commented line per job; every line has 5 valid fields', () => {
    const text = renderCrontab(jobs, options);
    const lines = text.split('\n').filter((entry) => entry !== '' && !entry.startsWith('#'));
    expect(lines).toHaveLength(4);
    const parsed = lines.map(parseCronLine);
    const [hourly, daily, db, verify] = parsed as [ParsedCron, ParsedCron, ParsedCron, ParsedCron];
    expect([...hourly.minute]).toEqual([scheduleMinute('web1', 'hourly')]);
    expect(hourly.hour.size).toBe(24);
    expect([...daily.minute, ...daily.hour]).toEqual([scheduleMinute('web1', 'daily'), 0]);
    expect(lines[2]).toBe(
      '30 2 * * 1-5 /usr/bin/node /opt/hotsnap/bin/hotsnap.js --config /etc/hotsnap/hotsnap.yaml --log-file /var/log/hotsnap.log run db',
    );
    expect([...verify.dayOfWeek]).toEqual([1]);
    expect(verify.command).toBe(
      '/usr/bin/node /opt/hotsnap/bin/hotsnap.js --config /etc/hotsnap/hotsnap.yaml --log-file /var/log/hotsnap.log verify',
    );
    expect(text).toContain(
      `# hotsnap-daily: daily (*-*-* 00:00:00; minute ${scheduleMinute('web1', 'daily')} chosen from the host name)`,
    );
    expect(text).toContain('# hotsnap-db: Mon..Fri 02:30 (Mon..Fri *-*-* 02:30:00)');
    expect(text.startsWith('# hotsnap schedule for web1')).toBe(true);
    expect(db.command).not.toMatch(/flock/);
    // No redirection: what hotsnap prints is what cron mails (MAILTO); it writes the log itself.
    for (const entry of parsed) expect(entry.command).not.toMatch(/>|2>&1/);
    expect(text).toContain('so cron mails (MAILTO) exactly the runs that need a look');
    expect(renderCrontab(jobs, options)).toBe(text);
  });

  it("adds a PATH for a bare tarsnap name (cron's PATH misses /usr/local/bin)", () => {
    const text = renderCrontab(jobs.slice(0, 1), { ...options, needsPath: true });
    expect(text).toContain(' PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /usr/bin/node ');
  });

  it('refuses, naming each job, what cron cannot express', () => {
    const odd = planScheduledJobs({
      file: '/x.yaml',
      profiles: [
        { name: 'a', schedule: 'Mon *-*-1 03:00' },
        { name: 'b', schedule: 'daily' },
        { name: 'c', schedule: '*:*:30' },
      ],
    });
    let caught: unknown;
    try {
      renderCrontab(odd, options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    const message = (caught as Error).message;
    expect(message).toMatch(/^profile a: "Mon \*-\*-1 03:00" cannot be written as a cron line: it restricts both/);
    expect(message).toMatch(
      /\nprofile c: "\*:\*:30" cannot be written as a cron line: cron runs at whole minutes only/,
    );
    expect(message).toMatch(/use "hotsnap schedule systemd" for these/);
    expect(message).not.toMatch(/profile b/);
  });

  it('a line run the way cron runs it (% processing, then /bin/sh -c) passes paths with spaces, quotes, $ and % intact', async () => {
    const dir = join(temp, "we'ird $dir %d 100%");
    mkdirSync(dir, { recursive: true });
    const script = join(dir, 'argv.js');
    writeFileSync(script, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    const log = join(dir, 'out %s.log');
    const config = join(dir, 'hot snap.yaml');
    const text = renderCrontab(jobs.slice(2, 3), {
      ...options,
      node: process.execPath,
      script,
      configFile: config,
      logFile: log,
    });
    const cronLine = text.split('\n').find((entry) => /^\d/.test(entry))!;
    const { command } = parseCronLine(cronLine);
    expect(command).not.toMatch(/(^|[^\\])%/);
    // cron: an unescaped % ends the command (the rest is stdin); \% becomes %.
    const asCronRunsIt = command.replace(/\\%/g, '%');
    const result = await execa('/bin/sh', ['-c', asCronRunsIt], { reject: false });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['--config', config, '--log-file', log, 'run', 'db']);
  });
});

describe('a spec with every weekday is not weekday-restricted', () => {
  it('Mon..Sun parses to ALL_WEEKDAYS, so cron may restrict the day of the month', () => {
    const spec: CalendarSpec = parseCalendar('Mon..Sun *-*-1 0:0');
    expect(spec.weekdays).toBe(ALL_WEEKDAYS);
    expect(fieldValues(spec.day, 1, 31)).toEqual([1]);
    expect(line(calendarToCron(spec))).toBe('0 0 1 * * true');
  });
});
