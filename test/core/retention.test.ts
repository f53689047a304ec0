import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isEmptyPolicy, planPrune, sortNewestFirst, type RetentionPolicy } from '../../src/core/retention.js';

const fixtures = new URL('../../fixtures/restic-forget/', import.meta.url);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, fixtures), 'utf8')) as T;

interface Snapshot {
  time: string;
  tags: string[];
}
interface Golden {
  keep: { time: string; tags?: string[] }[] | null;
  reasons?: { snapshot: { time: string }; matches: string[] }[];
}
const snapshots = readJson<Snapshot[]>('snapshots.json');
const policies = readJson<{ index: number; policy: RetentionPolicy & { keep_tags?: unknown } }[]>('policies.json');
// Each archive knows its input position, so duplicates of one time stay distinguishable.
const archives = snapshots.map((snapshot, index) => ({ index, time: new Date(snapshot.time), tags: snapshot.tags }));
// restic's golden files print times with Go's RFC 3339 (no ".000", trailing fractions trimmed).
const goTime = (date: Date): string => date.toISOString().replace(/\.?0*Z$/, 'Z');
const TAG_POLICIES = new Set([18, 19, 20]);

describe('planPrune against restic golden files (UTC)', () => {
  it("has the 40 policies and 103 snapshots of restic's test", () => {
    expect(policies.map((entry) => entry.index)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(snapshots).toHaveLength(103);
  });

  it('policy 0 (no rules) is empty: hotsnap refuses instead of deleting everything', () => {
    expect(readJson<Golden>('expected/policy_keep_snapshots_0.json').keep).toBeNull();
    expect(isEmptyPolicy(policies[0]!.policy)).toBe(true);
    expect(() => planPrune(archives, policies[0]!.policy, { timezone: 'UTC' })).toThrow(/without retention rules/);
  });

  const applicable = policies.filter((entry) => entry.index !== 0 && !TAG_POLICIES.has(entry.index));
  it.each(applicable.map((entry) => [entry.index, entry.policy] as const))(
    'policy %i keeps what restic keeps, for the same reasons',
    (index, policy) => {
      const golden = readJson<Golden>(`expected/policy_keep_snapshots_${index}.json`);
      const plan = planPrune(archives, policy, { timezone: 'UTC' });
      expect(isEmptyPolicy(policy)).toBe(false);

      const kept = plan.keep.map(({ archive }) => ({ time: goTime(archive.time), tags: archive.tags }));
      expect(kept).toEqual((golden.keep ?? []).map((snapshot) => ({ time: snapshot.time, tags: snapshot.tags ?? [] })));
      expect(plan.keep.map(({ reasons }) => reasons)).toEqual((golden.reasons ?? []).map((reason) => reason.matches));
      expect(plan.keep.length + plan.remove.length).toBe(archives.length);
      const keptIndexes = new Set(plan.keep.map(({ archive }) => archive.index));
      expect(plan.remove.every((archive) => !keptIndexes.has(archive.index))).toBe(true);
    },
  );
});

describe('order', () => {
  it("sorts newest first and keeps the input order of equal times (restic's sort.Stable)", () => {
    const sort = (ms: number[]) => {
      const { order, times } = sortNewestFirst(ms.map((value) => ({ time: new Date(value) })));
      return { order: Array.from(order), times: Array.from(times) };
    };
    expect(sort([1, 3, 2, 3])).toEqual({ order: [1, 3, 2, 0], times: [3, 3, 2, 1] });
    expect(sort([5000, 5000, 4000])).toEqual({ order: [0, 1, 2], times: [5000, 5000, 4000] });
    expect(sort([-8e15, 8e15 - 1, 8e15 - 1, -8e15])).toEqual({
      order: [1, 2, 0, 3],
      times: [8e15 - 1, 8e15 - 1, -8e15, -8e15],
    });
    expect(sort([])).toEqual({ order: [], times: [] });
  });

  it("gives a duplicate time's bucket to the duplicate listed first", () => {
    const twins = [
      { name: 'a', time: new Date('2024-05-01T10:00:00Z') },
      { name: 'b', time: new Date('2024-05-01T10:00:00Z') },
      { name: 'c', time: new Date('2024-04-30T10:00:00Z') },
    ];
    const plan = planPrune(twins, { keep_daily: 1 }, { timezone: 'UTC' });
    expect(plan.keep.map(({ archive, reasons }) => [archive.name, reasons])).toEqual([['a', ['daily snapshot']]]);
    expect(plan.remove.map((archive) => archive.name)).toEqual(['b', 'c']);
  });

  it('returns remove newest first too', () => {
    const list = ['2024-01-01', '2024-01-03', '2024-01-02', '2024-01-04'].map((day) => ({
      time: new Date(`${day}T12:00:00Z`),
    }));
    const plan = planPrune(list, { keep_last: 1 }, { timezone: 'UTC' });
    expect(plan.remove.map((archive) => archive.time.toISOString().slice(0, 10))).toEqual([
      '2024-01-03',
      '2024-01-02',
      '2024-01-01',
    ]);
  });
});

describe('isEmptyPolicy', () => {
  it.each([
    [{}, true],
    [{ keep_daily: 0, keep_last: 0 }, true],
    [{ keep_within: '0d' }, true],
    [{ keep_last: -1 }, false],
    [{ keep_yearly: 1 }, false],
    [{ keep_within_monthly: '1y' }, false],
    [{ keep_within: 'nonsense' }, false],
  ] as [RetentionPolicy, boolean][])('%o → %s', (policy, empty) => {
    expect(isEmptyPolicy(policy)).toBe(empty);
  });
});

describe('planPrune input checks', () => {
  const one = [{ time: new Date('2024-01-01T00:00:00Z') }];
  it('names the bad key and value', () => {
    expect(() => planPrune(one, { keep_daily: 2.5 }, { timezone: 'UTC' })).toThrow(
      'keep_daily must be a whole number ≥ 0, or -1 for unlimited (got 2.5)',
    );
    expect(() => planPrune(one, { keep_weekly: -2 }, { timezone: 'UTC' })).toThrow(/keep_weekly must be/);
    expect(() => planPrune(one, { keep_within_daily: '2w' }, { timezone: 'UTC' })).toThrow(
      /^keep_within_daily: duration "2w": unknown unit "w" after 2 \(for weeks write days: 14d\)/,
    );
    expect(() => planPrune(one, { keep_daily: 1, keep_within: '0d' }, { timezone: 'UTC' })).toThrow(
      'keep_within: duration "0d" is zero; remove the rule instead',
    );
  });
  it('rejects an unknown zone and an invalid date', () => {
    expect(() => planPrune(one, { keep_daily: 1 }, { timezone: 'Mars/Olympus' })).toThrow(
      'unknown time zone "Mars/Olympus": use an IANA name such as "Europe/Berlin" or "UTC"',
    );
    expect(() => planPrune([...one, { time: new Date('nope') }], { keep_daily: 1 }, { timezone: 'UTC' })).toThrow(
      'archive #2 has an invalid time',
    );
  });
  it('plans nothing for no archives', () => {
    expect(planPrune([], { keep_daily: 1 }, { timezone: 'UTC' })).toEqual({ keep: [], remove: [] });
  });
});

describe('keep_within counts back from the newest archive that is not in the future', () => {
  const at = (iso: string) => ({ name: iso, time: new Date(iso) });
  const list = [
    at('2024-03-10T12:00:00Z'),
    at('2024-03-09T13:00:00Z'),
    at('2024-03-09T12:00:00Z'),
    at('2024-03-01T00:00:00Z'),
  ];
  it('is relative to the newest archive, not to now, so a stalled series keeps its archives', () => {
    const plan = planPrune(list, { keep_within: '1d' }, { timezone: 'UTC', now: new Date('2030-01-01T00:00:00Z') });
    // Window starts at 2024-03-09T12:00Z, exclusive (restic's After).
    expect(plan.keep.map(({ archive, reasons }) => [archive.name, reasons])).toEqual([
      ['2024-03-10T12:00:00Z', ['within 1d']],
      ['2024-03-09T13:00:00Z', ['within 1d']],
    ]);
  });
  it('ignores archives in the future when choosing the newest, but keeps them', () => {
    const plan = planPrune(
      [at('2024-03-20T00:00:00Z'), ...list],
      { keep_within: '1d' },
      { timezone: 'UTC', now: new Date('2024-03-11T00:00:00Z') },
    );
    expect(plan.keep.map(({ archive }) => archive.name)).toEqual([
      '2024-03-20T00:00:00Z',
      '2024-03-10T12:00:00Z',
      '2024-03-09T13:00:00Z',
    ]);
  });
  it('keeps everything when every archive is in the future (restic: the window starts at year 1)', () => {
    const plan = planPrune(list, { keep_within: '1d' }, { timezone: 'UTC', now: new Date('2000-01-01T00:00:00Z') });
    expect(plan.remove).toEqual([]);
  });
  it('uses calendar months with Go normalisation: 2015-03-31 minus 1m starts at 2015-03-03', () => {
    const march = [
      at('2015-03-31T10:00:00Z'),
      at('2015-03-03T10:00:01Z'),
      at('2015-03-03T10:00:00Z'),
      at('2015-02-28T10:00:00Z'),
    ];
    const plan = planPrune(march, { keep_within: '1m' }, { timezone: 'UTC' });
    expect(plan.keep.map(({ archive }) => archive.name)).toEqual(['2015-03-31T10:00:00Z', '2015-03-03T10:00:01Z']);
  });
});
