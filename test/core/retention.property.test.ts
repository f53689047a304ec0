import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isEmptyPolicy,
  planPrune,
  sortNewestFirst,
  type PrunePlan,
  type RetentionPolicy,
} from '../../src/core/retention.js';

interface Archive {
  id: number;
  time: Date;
}
const COUNT_KEYS = ['keep_last', 'keep_hourly', 'keep_daily', 'keep_weekly', 'keep_monthly', 'keep_yearly'] as const;
const WINDOW_KEYS = [
  'keep_within',
  'keep_within_hourly',
  'keep_within_daily',
  'keep_within_weekly',
  'keep_within_monthly',
  'keep_within_yearly',
] as const;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
const MINUTE = 60_000;
const START = Date.parse('2023-01-01T00:00:00Z');

// Times on a 7-minute grid over three days, two months or two years: duplicates, neighbours in
// one hour or day, and gaps all occur.
const SPANS = [3 * 24 * 60, 60 * 24 * 60, 2 * 365 * 24 * 60].map((minutes) => Math.floor(minutes / 7));
const seriesArb = fc.constantFrom(...SPANS).chain((span) =>
  fc.record({
    archives: fc
      .array(fc.integer({ min: 0, max: span }), { minLength: 1, maxLength: 60 })
      .map((steps) => steps.map((step, id): Archive => ({ id, time: new Date(START + step * 7 * MINUTE) }))),
    // Sometimes "now" falls inside the series, so some archives are in the future.
    now: fc.option(
      fc.integer({ min: 0, max: span }).map((step) => new Date(START + step * 7 * MINUTE + 1)),
      { nil: undefined },
    ),
  }),
);
const archivesArb = seriesArb.map(({ archives }) => archives);
const countArb = fc.constantFrom(-1, 0, 1, 2, 3, 5);
const windowArb = fc.constantFrom('1h', '6h', '1d', '2d', '7d', '1m', '2m1d', '1y', '13d23h');
const policyArb = fc
  .record(
    {
      keep_last: countArb,
      keep_hourly: countArb,
      keep_daily: countArb,
      keep_weekly: countArb,
      keep_monthly: countArb,
      keep_yearly: countArb,
      keep_within: windowArb,
      keep_within_hourly: windowArb,
      keep_within_daily: windowArb,
      keep_within_weekly: windowArb,
      keep_within_monthly: windowArb,
      keep_within_yearly: windowArb,
    },
    { requiredKeys: [] },
  )
  .filter((policy) => !isEmptyPolicy(policy));
const zoneArb = fc.constantFrom(...ZONES);

const ids = (archives: readonly Archive[]): number[] => archives.map((archive) => archive.id);
const keptIds = (plan: PrunePlan<Archive>): number[] => plan.keep.map(({ archive }) => archive.id);
const newestFirst = (archives: readonly Archive[]): Archive[] =>
  [...archives].sort((a, b) => b.time.getTime() - a.time.getTime() || a.id - b.id);

describe('planPrune invariants', () => {
  it('splits the input: keep ∪ remove = input, disjoint, both newest first (stable)', () => {
    fc.assert(
      fc.property(seriesArb, policyArb, zoneArb, ({ archives, now }, policy, timezone) => {
        const plan = planPrune(archives, policy, { timezone, now });
        const kept = new Set(keptIds(plan));
        expect(plan.remove.some((archive) => kept.has(archive.id))).toBe(false);
        expect([...kept, ...ids(plan.remove)].sort((a, b) => a - b)).toEqual(ids(archives));
        const order = ids(newestFirst(archives));
        expect(keptIds(plan)).toEqual(order.filter((id) => kept.has(id)));
        expect(ids(plan.remove)).toEqual(order.filter((id) => !kept.has(id)));
        expect(plan.keep.every(({ reasons }) => reasons.length > 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('orders like a stable comparator sort, newest first', () => {
    // Whole seconds, whole milliseconds, and a spread too wide to pack (the binary-search path).
    const valuesArb = fc
      .constantFrom(1000, 1, 1e15)
      .chain((scale) =>
        fc.array(fc.integer({ min: -5, max: 5 }).map((value) => value * scale + (scale === 1e15 ? 1 : 0))),
      );
    fc.assert(
      fc.property(valuesArb, (values) => {
        const expected = values.map((_, index) => index).sort((a, b) => values[b]! - values[a]! || a - b);
        const { order, times } = sortNewestFirst(values.map((value) => ({ time: new Date(value) })));
        expect(Array.from(order)).toEqual(expected);
        expect(Array.from(times)).toEqual(expected.map((index) => values[index]));
      }),
      { numRuns: 300 },
    );
  });

  it('always keeps the newest archive when any rule exists', () => {
    fc.assert(
      fc.property(seriesArb, policyArb, zoneArb, ({ archives, now }, policy, timezone) => {
        const plan = planPrune(archives, policy, { timezone, now });
        expect(plan.keep[0]?.archive).toBe(newestFirst(archives)[0]);
      }),
      { numRuns: 200 },
    );
  });

  it('never removes more when a count is raised (or set to -1)', () => {
    const raiseArb = fc.record({
      key: fc.constantFrom(...COUNT_KEYS),
      by: fc.constantFrom(1, 2, 10, 'unlimited' as const),
    });
    fc.assert(
      fc.property(seriesArb, policyArb, raiseArb, zoneArb, ({ archives, now }, policy, { key, by }, timezone) => {
        const current = policy[key] ?? 0;
        const raised: RetentionPolicy = { ...policy, [key]: by === 'unlimited' || current === -1 ? -1 : current + by };
        const before = new Set(ids(planPrune(archives, policy, { timezone, now }).remove));
        const after = ids(planPrune(archives, raised, { timezone, now }).remove);
        expect(after.filter((id) => !before.has(id))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent: planning the kept archives again removes nothing', () => {
    fc.assert(
      fc.property(seriesArb, policyArb, zoneArb, ({ archives, now }, policy, timezone) => {
        const kept = planPrune(archives, policy, { timezone, now }).keep.map(({ archive }) => archive);
        const again = planPrune(kept, policy, { timezone, now });
        expect(again.remove).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('in a fixed-offset zone, equals UTC planning of the shifted times', () => {
    // Etc/GMT-5 is UTC+5 (POSIX signs): every calendar computation moves by exactly 5 hours.
    fc.assert(
      fc.property(archivesArb, policyArb, (archives, policy) => {
        const shifted = archives.map((archive) => ({
          id: archive.id,
          time: new Date(archive.time.getTime() + 5 * 3_600_000),
        }));
        const inZone = planPrune(archives, policy, { timezone: 'Etc/GMT-5' });
        const inUtc = planPrune(shifted, policy, { timezone: 'UTC' });
        expect(inZone.keep.map(({ archive, reasons }) => [archive.id, reasons])).toEqual(
          inUtc.keep.map(({ archive, reasons }) => [archive.id, reasons]),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('keep_daily: -1 keeps the newest archive of every local day (as Intl names days) and the oldest', () => {
    fc.assert(
      fc.property(archivesArb, zoneArb, (archives, timezone) => {
        const localDay = (archive: Archive): string => archive.time.toLocaleDateString('sv-SE', { timeZone: timezone });
        const expected = new Set<number>();
        const seen = new Set<string>();
        const sorted = newestFirst(archives);
        for (const archive of sorted) {
          if (!seen.has(localDay(archive))) expected.add(archive.id);
          seen.add(localDay(archive));
        }
        expected.add(sorted.at(-1)!.id);
        expect(new Set(keptIds(planPrune(archives, { keep_daily: -1 }, { timezone })))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('a bucketed window keeps a subset of what the plain window of the same length keeps', () => {
    // keep_within_X: w keeps a subset of what keep_within: w keeps (one per bucket inside it).
    fc.assert(
      fc.property(
        archivesArb,
        windowArb,
        fc.constantFrom(...WINDOW_KEYS.slice(1)),
        zoneArb,
        (archives, window, key, timezone) => {
          const all = new Set(keptIds(planPrune(archives, { keep_within: window }, { timezone })));
          const bucketed = keptIds(planPrune(archives, { [key]: window }, { timezone }));
          expect(bucketed.filter((id) => !all.has(id))).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('buckets are computed in the configured time zone', () => {
  const at = (iso: string, name = iso) => ({ name, time: new Date(iso) });
  const kept = (archives: { name: string; time: Date }[], policy: RetentionPolicy, timezone: string) =>
    planPrune(archives, policy, { timezone }).keep.map(
      ({ archive, reasons }) => `${archive.name}: ${reasons.join(', ')}`,
    );

  it('23:30 UTC is already the next day in Europe/Berlin', () => {
    const archives = [
      at('2024-01-10T23:30:00Z', 'late'),
      at('2024-01-10T22:30:00Z', 'earlier'),
      at('2024-01-10T08:00:00Z', 'morning'),
    ];
    // UTC: one day; the oldest is kept only as the oldest.
    expect(kept(archives, { keep_daily: 1 }, 'UTC')).toEqual(['late: daily snapshot']);
    // Berlin: 'late' is 00:30 on Jan 11, 'earlier' (23:30) and 'morning' are Jan 10.
    expect(kept(archives, { keep_daily: 2 }, 'Europe/Berlin')).toEqual([
      'late: daily snapshot',
      'earlier: daily snapshot',
    ]);
    expect(kept(archives, { keep_daily: 2 }, 'UTC')).toEqual([
      'late: daily snapshot',
      'morning: oldest daily snapshot',
    ]);
  });

  it('ISO weeks start on Monday in the zone: Sunday 23:30 UTC is Monday in Berlin', () => {
    const archives = [at('2024-01-14T23:30:00Z', 'sunday-late'), at('2024-01-14T10:00:00Z', 'sunday')];
    expect(kept(archives, { keep_weekly: 1 }, 'UTC')).toEqual(['sunday-late: weekly snapshot']);
    expect(kept(archives, { keep_weekly: 5 }, 'Europe/Berlin')).toEqual([
      'sunday-late: weekly snapshot',
      'sunday: weekly snapshot',
    ]);
  });

  it('ISO week years: 2024-12-30 (Monday) is in week 1 of 2025, like 2025-01-02', () => {
    const archives = [
      at('2025-01-02T12:00:00Z', 'thursday'),
      at('2024-12-30T12:00:00Z', 'monday'),
      at('2024-12-29T12:00:00Z', 'sunday'),
    ];
    expect(kept(archives, { keep_weekly: 2 }, 'UTC')).toEqual(['thursday: weekly snapshot', 'sunday: weekly snapshot']);
  });

  it('new year comes earlier east of UTC', () => {
    const archives = [at('2023-12-31T23:30:00Z', 'eve'), at('2023-06-01T12:00:00Z', 'june')];
    expect(kept(archives, { keep_yearly: 5 }, 'Europe/Berlin')).toEqual([
      'eve: yearly snapshot',
      'june: yearly snapshot',
    ]);
    expect(kept(archives, { keep_yearly: 1, keep_monthly: 1 }, 'UTC')).toEqual([
      'eve: monthly snapshot, yearly snapshot',
    ]);
  });

  it("the repeated hour of a fall-back is one wall-clock hour bucket (like restic's Y-M-D-H)", () => {
    // New York 2024-11-03: 01:30 EDT is 05:30Z, 01:30 EST is 06:30Z; both read "01:30".
    const archives = [
      at('2024-11-03T06:30:00Z', 'est'),
      at('2024-11-03T05:30:00Z', 'edt'),
      at('2024-11-03T04:30:00Z', 'midnight'),
    ];
    expect(kept(archives, { keep_hourly: 3 }, 'America/New_York')).toEqual([
      'est: hourly snapshot',
      'midnight: hourly snapshot',
    ]);
    expect(kept(archives, { keep_hourly: 3 }, 'UTC')).toEqual([
      'est: hourly snapshot',
      'edt: hourly snapshot',
      'midnight: hourly snapshot',
    ]);
  });

  it('half-hour zones split UTC hours', () => {
    // Kolkata is UTC+5:30: 10:10Z and 10:40Z are 15:40 and 16:10 local.
    const archives = [at('2024-05-01T10:40:00Z', 'b'), at('2024-05-01T10:10:00Z', 'a')];
    expect(kept(archives, { keep_hourly: 5 }, 'Asia/Kolkata')).toEqual(['b: hourly snapshot', 'a: hourly snapshot']);
    expect(kept(archives, { keep_hourly: 1 }, 'UTC')).toEqual(['b: hourly snapshot']);
  });
});
