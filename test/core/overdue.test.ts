import { describe, expect, it } from 'vitest';
import { parseCalendar } from '../../src/core/calendar.js';
import {
  checkSchedule,
  evaluateStatus,
  formatAge,
  graceFor,
  renderStatusTable,
  type StatusRecords,
} from '../../src/core/overdue.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z');

describe('graceFor: max(1 hour, 25% of the interval)', () => {
  it.each([
    [undefined, HOUR],
    [15 * 60_000, HOUR],
    [HOUR, HOUR],
    [DAY, 6 * HOUR],
    [7 * DAY, 42 * HOUR],
    [31 * DAY, 7.75 * DAY],
  ])('%s → %i', (interval, grace) => {
    expect(graceFor(interval)).toBe(grace);
  });
});

describe('checkSchedule', () => {
  it.each([
    // schedule, zone, last success, now, state, due, interval (h), deadline
    [
      'daily',
      'UTC',
      '2024-05-01T00:30:00Z',
      '2024-05-02T05:59:59Z',
      'ok',
      '2024-05-02T00:00:00Z',
      24,
      '2024-05-02T06:00:00Z',
    ],
    [
      'daily',
      'UTC',
      '2024-05-01T00:30:00Z',
      '2024-05-02T06:00:00Z',
      'ok',
      '2024-05-02T00:00:00Z',
      24,
      '2024-05-02T06:00:00Z',
    ],
    [
      'daily',
      'UTC',
      '2024-05-01T00:30:00Z',
      '2024-05-02T06:00:01Z',
      'overdue',
      '2024-05-02T00:00:00Z',
      24,
      '2024-05-02T06:00:00Z',
    ],
    [
      'hourly',
      'UTC',
      '2024-05-01T10:05:00Z',
      '2024-05-01T11:59:00Z',
      'ok',
      '2024-05-01T11:00:00Z',
      1,
      '2024-05-01T12:00:00Z',
    ],
    [
      'hourly',
      'UTC',
      '2024-05-01T10:05:00Z',
      '2024-05-01T12:01:00Z',
      'overdue',
      '2024-05-01T11:00:00Z',
      1,
      '2024-05-01T12:00:00Z',
    ],
    [
      'weekly',
      'UTC',
      '2024-05-06T00:20:00Z',
      '2024-05-14T17:00:00Z',
      'ok',
      '2024-05-13T00:00:00Z',
      168,
      '2024-05-14T18:00:00Z',
    ],
    [
      'weekly',
      'UTC',
      '2024-05-06T00:20:00Z',
      '2024-05-14T19:00:00Z',
      'overdue',
      '2024-05-13T00:00:00Z',
      168,
      '2024-05-14T18:00:00Z',
    ],
    // February 2024 has 29 days: grace 7.25 days.
    [
      'monthly',
      'UTC',
      '2024-01-01T00:10:00Z',
      '2024-02-08T05:00:00Z',
      'ok',
      '2024-02-01T00:00:00Z',
      29 * 24,
      '2024-02-08T06:00:00Z',
    ],
    [
      'monthly',
      'UTC',
      '2024-01-01T00:10:00Z',
      '2024-02-08T07:00:00Z',
      'overdue',
      '2024-02-01T00:00:00Z',
      29 * 24,
      '2024-02-08T06:00:00Z',
    ],
    // Weekdays only: a Friday backup is not overdue over the weekend (a fixed 1-day interval would say it is).
    [
      'Mon..Fri 02:30',
      'UTC',
      '2024-05-03T02:40:00Z',
      '2024-05-05T12:00:00Z',
      'ok',
      '2024-05-06T02:30:00Z',
      24,
      '2024-05-06T08:30:00Z',
    ],
    [
      'Mon..Fri 02:30',
      'UTC',
      '2024-05-03T02:40:00Z',
      '2024-05-06T09:00:00Z',
      'overdue',
      '2024-05-06T02:30:00Z',
      24,
      '2024-05-06T08:30:00Z',
    ],
    // Uneven gaps: after Monday, Thursday is due, and Thursday→Monday is 4 days (grace 1 day).
    [
      'Mon,Thu 04:00',
      'UTC',
      '2024-05-06T04:10:00Z',
      '2024-05-10T03:00:00Z',
      'ok',
      '2024-05-09T04:00:00Z',
      96,
      '2024-05-10T04:00:00Z',
    ],
    // Berlin midnight across the spring change: due 00:00 CEST = 22:00Z.
    [
      'daily',
      'Europe/Berlin',
      '2024-03-30T23:30:00Z',
      '2024-04-01T03:00:00Z',
      'ok',
      '2024-03-31T22:00:00Z',
      24,
      '2024-04-01T04:00:00Z',
    ],
    [
      'daily',
      'Europe/Berlin',
      '2024-03-30T23:30:00Z',
      '2024-04-01T04:30:00Z',
      'overdue',
      '2024-03-31T22:00:00Z',
      24,
      '2024-04-01T04:00:00Z',
    ],
    // A zone in the expression beats the machine zone.
    [
      'daily UTC',
      'Europe/Berlin',
      '2024-05-01T00:30:00Z',
      '2024-05-02T05:00:00Z',
      'ok',
      '2024-05-02T00:00:00Z',
      24,
      '2024-05-02T06:00:00Z',
    ],
    // A success "in the future" (clock skew) is not overdue.
    [
      'daily',
      'UTC',
      '2024-05-10T00:30:00Z',
      '2024-05-01T00:00:00Z',
      'ok',
      '2024-05-11T00:00:00Z',
      24,
      '2024-05-11T06:00:00Z',
    ],
  ] as const)('%s (%s), last success %s, now %s → %s', (schedule, zone, last, now, state, due, hours, deadline) => {
    const check = checkSchedule(parseCalendar(schedule), t(last), t(now), zone);
    expect({
      state: check.state,
      due: iso(check.due),
      interval: check.interval! / HOUR,
      deadline: iso(check.deadline),
    }).toEqual({
      state,
      due: due.replace('.000Z', 'Z'),
      interval: hours,
      deadline,
    });
  });

  it('never succeeded → never; nothing left to run → ok with no due time', () => {
    expect(checkSchedule(parseCalendar('daily'), undefined, t('2024-05-01T00:00:00Z'), 'UTC')).toEqual({
      state: 'never',
    });
    expect(
      checkSchedule(parseCalendar('2024-01-01'), t('2024-01-01T00:10:00Z'), t('2030-01-01T00:00:00Z'), 'UTC'),
    ).toEqual({ state: 'ok' });
  });

  it('the last elapse of a schedule has an unknown interval: grace 1 hour', () => {
    const spec = parseCalendar('2024-01-01,02 00:00');
    expect(checkSchedule(spec, t('2024-01-01T12:00:00Z'), t('2024-01-02T00:30:00Z'), 'UTC')).toEqual({
      state: 'ok',
      due: t('2024-01-02T00:00:00Z'),
      deadline: t('2024-01-02T01:00:00Z'),
    });
    expect(checkSchedule(spec, t('2024-01-01T12:00:00Z'), t('2024-01-02T01:30:00Z'), 'UTC').state).toBe('overdue');
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [-5000, '0s'],
    [45_000, '45s'],
    [12 * 60_000, '12m'],
    [HOUR, '1h'],
    [5 * HOUR + 29 * 60_000 + 59_000, '5h29m'],
    [DAY, '1d'],
    [3 * DAY + 4 * HOUR + 59 * 60_000, '3d4h'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

const ok = (started: string, finished: string) => ({
  started,
  finished,
  status: 'ok',
  duration_ms: t(finished) - t(started),
  archive: `web1-daily-${started}`,
});

describe('evaluateStatus', () => {
  const now = t('2024-05-02T07:00:00Z');
  const daily = { text: 'daily', spec: parseCalendar('daily') };
  const weekly = { text: 'weekly', spec: parseCalendar('weekly') };

  it('unscheduled and never run: nothing to report', () => {
    const status = evaluateStatus({ profile: 'manual', records: {} }, now, 'UTC');
    expect(status).toMatchObject({
      profile: 'manual',
      schedule: null,
      calendar: null,
      state: 'unscheduled',
      last_success: null,
      age_seconds: null,
      problems: [],
    });
  });

  it('scheduled but never succeeded is a problem', () => {
    const status = evaluateStatus(
      {
        profile: 'daily',
        schedule: daily,
        records: {
          last_attempt: {
            started: '2024-05-02T00:10:00Z',
            finished: '2024-05-02T00:11:00Z',
            status: 'failed',
            error: 'no network',
          },
        },
      },
      now,
      'UTC',
    );
    expect(status.state).toBe('never');
    expect(status.problems).toEqual(['daily: scheduled (daily) but never backed up successfully']);
  });

  it('overdue: says when it last succeeded, when the next run was due and by when at the latest', () => {
    const status = evaluateStatus(
      {
        profile: 'daily',
        schedule: daily,
        records: { last_success: ok('2024-05-01T00:20:00Z', '2024-05-01T00:30:00Z') },
      },
      now,
      'UTC',
    );
    expect(status).toMatchObject({
      state: 'overdue',
      calendar: '*-*-* 00:00:00',
      age_seconds: (now - t('2024-05-01T00:30:00Z')) / 1000,
      next_due: '2024-05-02T00:00:00.000Z',
      deadline: '2024-05-02T06:00:00.000Z',
      interval_seconds: 86_400,
    });
    expect(status.problems).toEqual([
      'daily: overdue: last success 2024-05-01 00:30Z (1d6h ago); the next run was due 2024-05-02 00:00Z (daily), at the latest by 2024-05-02 06:00Z',
    ]);
  });

  it('a failed last attempt within the grace is no problem yet (the next run may well succeed)', () => {
    const records: StatusRecords = {
      last_success: ok('2024-05-02T00:20:00Z', '2024-05-02T00:30:00Z'),
      last_attempt: {
        started: '2024-05-02T06:00:00Z',
        finished: '2024-05-02T06:01:00Z',
        status: 'failed',
        error: 'network down',
      },
    };
    const status = evaluateStatus({ profile: 'daily', schedule: daily, records }, now, 'UTC');
    expect(status.state).toBe('ok');
    expect(status.problems).toEqual([]);
  });

  it('verify: failed, never run and overdue are problems for scheduled profiles; on time is not', () => {
    const fresh = { last_success: ok('2024-05-02T00:20:00Z', '2024-05-02T00:30:00Z') };
    const run = (last_verify?: StatusRecords['last_verify']) =>
      evaluateStatus(
        {
          profile: 'daily',
          schedule: daily,
          verify: weekly,
          records: { ...fresh, ...(last_verify ? { last_verify } : {}) },
        },
        now,
        'UTC',
      );
    // Never run, but its first due date (the first weekly elapse after the first backup) is ahead.
    expect(run().problems).toEqual([]);
    expect(run().verify).toMatchObject({ state: 'pending', deadline: '2024-05-07T18:00:00.000Z' });
    expect(run({ time: '2024-04-29T01:00:00Z', status: 'failed', error: 'sha256 mismatch' }).problems).toEqual([
      'daily: the last verify (2024-04-29 01:00Z) failed: sha256 mismatch',
    ]);
    expect(run({ time: '2024-04-15T01:00:00Z', status: 'ok' }).problems).toEqual([
      'daily: verify overdue: last 2024-04-15 01:00Z, due by 2024-04-23 18:00Z',
    ]);
    const onTime = run({ time: '2024-04-29T01:00:00Z', status: 'ok' });
    expect(onTime.problems).toEqual([]);
    expect(onTime.verify).toEqual({
      schedule: 'weekly',
      state: 'ok',
      last: { time: '2024-04-29T01:00:00Z', status: 'ok' },
      deadline: '2024-05-07T18:00:00.000Z',
    });
    const neverBackedUp = evaluateStatus(
      { profile: 'daily', schedule: daily, verify: weekly, records: {} },
      now,
      'UTC',
    );
    expect(neverBackedUp.problems).toEqual(['daily: scheduled (daily) but never backed up successfully']);
    const unscheduledProfile = evaluateStatus({ profile: 'manual', verify: weekly, records: {} }, now, 'UTC');
    expect(unscheduledProfile.problems).toEqual([]);
    expect(unscheduledProfile.verify.state).toBe('unscheduled');
  });
});

describe('a never-run verify', () => {
  const now = t('2024-05-02T07:00:00Z'); // a Thursday
  const weekly = { text: 'weekly', spec: parseCalendar('weekly') };
  const status = (records: StatusRecords) =>
    evaluateStatus(
      { profile: 'daily', schedule: { text: 'daily', spec: parseCalendar('daily') }, verify: weekly, records },
      now,
      'UTC',
    );
  const lastSuccess = { started: '2024-05-02T00:20:00Z', finished: '2024-05-02T00:30:00Z', status: 'ok' };

  it.each([
    // first success, state, deadline (the Monday after the first success + 42 h grace)
    ['2024-04-20T00:30:00Z', 'never', '2024-04-23T18:00:00.000Z'],
    ['2024-04-28T23:59:00Z', 'never', '2024-04-30T18:00:00.000Z'],
    ['2024-04-29T00:30:00Z', 'pending', '2024-05-07T18:00:00.000Z'],
    ['2024-05-02T00:30:00Z', 'pending', '2024-05-07T18:00:00.000Z'],
  ])('first success %s → %s, due by %s', (first, state, deadline) => {
    const result = status({ first_success: first, last_success: lastSuccess });
    expect(result.verify).toMatchObject({ state, deadline });
    expect(result.problems).toEqual(
      state === 'never'
        ? [
            `daily: verify is scheduled (weekly) but has never run; the first was due by ${deadline.slice(0, 16).replace('T', ' ')}Z`,
          ]
        : [],
    );
  });

  it('says in the table when the first verify is due', () => {
    const text = renderStatusTable([status({ first_success: '2024-05-02T00:30:00Z', last_success: lastSuccess })], now);
    expect(text).toContain('first verify due by 2024-05-07 18:00Z');
    expect(text).toMatch(/all 1 profile on schedule\n$/);
  });
});

describe('renderStatusTable', () => {
  it('aligns the columns, lists the problems, ends with a summary', () => {
    const now = t('2024-05-02T07:00:00Z');
    const statuses = [
      evaluateStatus(
        {
          profile: 'daily',
          schedule: { text: 'daily', spec: parseCalendar('daily') },
          records: {
            last_success: ok('2024-05-02T00:20:00Z', '2024-05-02T00:30:00Z'),
            last_attempt: ok('2024-05-02T00:20:00Z', '2024-05-02T00:30:00Z'),
          },
        },
        now,
        'UTC',
      ),
      evaluateStatus(
        { profile: 'weekly', schedule: { text: 'Mon 03:00', spec: parseCalendar('Mon 03:00') }, records: {} },
        now,
        'UTC',
      ),
      evaluateStatus({ profile: 'manual', records: {} }, now, 'UTC'),
    ];
    expect(renderStatusTable(statuses, now)).toBe(
      [
        'PROFILE  SCHEDULE   LAST RUN              LAST SUCCESS       AGE    LAST VERIFY  STATE',
        'daily    daily      2024-05-02 00:20Z ok  2024-05-02 00:30Z  6h30m  -            ok, next due 2024-05-03 00:00Z',
        'weekly   Mon 03:00  never                 never              -      -            NEVER SUCCEEDED',
        'manual   -          never                 never              -      -            not scheduled',
        'problem: weekly: scheduled (Mon 03:00) but never backed up successfully',
        '1 problem',
        '',
      ].join('\n'),
    );
    expect(renderStatusTable(statuses.slice(0, 1), now).endsWith('\nall 1 profile on schedule\n')).toBe(true);
  });

  it('says why the last run failed: the error’s first line, secrets masked, cut to 300 characters', () => {
    const now = t('2024-05-02T07:00:00Z');
    const failedRun = (error: string) =>
      evaluateStatus(
        {
          profile: 'daily',
          schedule: { text: 'daily', spec: parseCalendar('daily') },
          records: {
            last_success: ok('2024-05-02T00:20:00Z', '2024-05-02T00:30:00Z'),
            last_attempt: {
              started: '2024-05-02T06:00:00Z',
              finished: '2024-05-02T06:01:00Z',
              status: 'failed',
              error,
            },
          },
        },
        now,
        'UTC',
      );
    const text = renderStatusTable(
      [
        failedRun(
          'before hook of profile daily failed: curl https://hc-ping.com/0f4e8b1f0f62aa11bb22cc33 (exit 6)\n    | curl: (6) Could not resolve host',
        ),
      ],
      now,
    );
    expect(text.split('\n')).toContain(
      'failed: daily: before hook of profile daily failed: curl https://hc-ping.com/*** (exit 6)',
    );
    expect(text).not.toContain('0f4e8b1f');
    expect(text).not.toContain('Could not resolve');
    const long = renderStatusTable([failedRun(`tarsnap failed: ${'x'.repeat(1000)}`)], now);
    expect(long).toMatch(new RegExp(`^failed: daily: tarsnap failed: x{284}…$`, 'm'));
  });
});
