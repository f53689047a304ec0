import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArchiveInfo } from '../../src/core/archives.js';
import { maxDeleteCount, planProfilePrune, type PruneRules } from '../../src/core/prune-plan.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T03:00:00Z');
const archive = (day: number, partial = false): ArchiveInfo => ({
  name: `h-daily-${day}${partial ? '.part' : ''}`,
  time: new Date(T0 + day * DAY + (partial ? 3_600_000 : 0)),
  profile: 'daily',
  partial,
  incomplete: false,
  adopted: false,
});
const rules = (over: Partial<PruneRules>): PruneRules => ({ prune_partial: true, max_delete: '100%', ...over });
const options = { timezone: 'UTC', now: new Date(T0 + 1000 * DAY), force: false };
const names = (list: { archive: ArchiveInfo }[]) => list.map((entry) => entry.archive.name);

describe('maxDeleteCount', () => {
  it.each([
    ['50%', 10, 5],
    ['50%', 3, 1],
    ['0%', 10, 0],
    [7, 100, 7],
  ] as const)('%s of %d → %d', (limit, count, expected) => {
    expect(maxDeleteCount(limit, count)).toBe(expected);
  });
  it('rejects other strings', () => {
    expect(() => maxDeleteCount('half', 10)).toThrow(/number or a percentage/);
  });
});

describe('planProfilePrune', () => {
  const ten = Array.from({ length: 10 }, (_, day) => archive(day));

  it('keeps by the rules and removes the rest, newest first', () => {
    const plan = planProfilePrune(ten, rules({ retention: { keep_last: 3 } }), options);
    expect(names(plan.keep)).toEqual(['h-daily-9', 'h-daily-8', 'h-daily-7']);
    expect(plan.keep[0]!.reasons).toEqual(['last snapshot']);
    expect(names(plan.remove)).toEqual([
      'h-daily-6',
      'h-daily-5',
      'h-daily-4',
      'h-daily-3',
      'h-daily-2',
      'h-daily-1',
      'h-daily-0',
    ]);
    expect(plan.remove[0]!.why).toBe('not kept by any rule');
    expect(plan.refused).toBeUndefined();
  });

  it('never prunes a profile without rules', () => {
    for (const retention of [undefined, {}, { keep_daily: 0 }]) {
      const plan = planProfilePrune(ten, rules({ retention }), options);
      expect(plan.noRules).toBe(true);
      expect(plan.remove).toEqual([]);
    }
  });

  it('refuses more deletions than max_delete unless forced', () => {
    const refused = planProfilePrune(ten, rules({ retention: { keep_last: 3 }, max_delete: '50%' }), options);
    expect(refused.refused).toBe(
      'the plan deletes 7 of 10 archives, more than max_delete allows (5); check it with "hotsnap prune --dry-run", then run again with --force (or --max-delete 7)',
    );
    expect(
      planProfilePrune(ten, rules({ retention: { keep_last: 3 }, max_delete: '50%' }), { ...options, force: true })
        .refused,
    ).toBeUndefined();
    expect(
      planProfilePrune(ten, rules({ retention: { keep_last: 3 }, max_delete: '50%' }), {
        ...options,
        maxDeleteOverride: 7,
      }).refused,
    ).toBeUndefined();
  });

  it('never counts a .part archive, and removes one only when a newer complete archive exists', () => {
    const list = [...ten, archive(4, true), archive(9, true)];
    const plan = planProfilePrune(list, rules({ retention: { keep_last: 2 } }), options);
    expect(names(plan.keep)).toEqual(['h-daily-9.part', 'h-daily-9', 'h-daily-8']);
    expect(plan.keep[0]!.reasons).toEqual(['partial archive (.part), kept until a newer complete archive exists']);
    expect(plan.remove.find((entry) => entry.archive.name === 'h-daily-4.part')?.why).toBe(
      'partial archive (.part); a newer complete archive exists',
    );
    const off = planProfilePrune(list, rules({ retention: { keep_last: 2 }, prune_partial: false }), options);
    expect(off.remove.some((entry) => entry.archive.partial)).toBe(false);
  });

  it('never counts an .incomplete archive, and removes one only when a newer complete archive exists', () => {
    const incomplete = (day: number): ArchiveInfo => ({
      ...archive(day),
      name: `h-daily-${day}.incomplete`,
      time: new Date(T0 + day * DAY + 60_000),
      incomplete: true,
    });
    // A week of runs where the database failed, after three complete days: keep_last 3 must keep
    // the three complete ones (the only copies of the database), not the seven incomplete ones.
    const list = [...[0, 1, 2].map((day) => archive(day)), ...[3, 4, 5, 6, 7, 8, 9].map(incomplete)];
    const plan = planProfilePrune(list, rules({ retention: { keep_last: 3 } }), options);
    expect(plan.remove).toEqual([]);
    expect(names(plan.keep)).toContain('h-daily-0');
    expect(plan.keep.find((entry) => entry.archive.name === 'h-daily-9.incomplete')?.reasons).toEqual([
      'incomplete archive (a database was missing), kept until a newer complete archive exists',
    ]);
    // Once a complete archive is newer, the incomplete ones before it go.
    const healed = planProfilePrune([...list, archive(10)], rules({ retention: { keep_last: 3 } }), options);
    expect(healed.remove.filter((entry) => entry.archive.incomplete).map((entry) => entry.why)).toEqual(
      Array(7).fill('incomplete archive (a database was missing); a newer complete archive exists'),
    );
    expect(names(healed.keep)).toEqual(['h-daily-10', 'h-daily-2', 'h-daily-1']);
  });

  it('never removes the archive the current run made, even when its time says it is the oldest', () => {
    // A clock a year behind: the run's own archive is dated before all the others.
    const own: ArchiveInfo = { ...archive(-365), name: 'h-daily-own' };
    const plan = planProfilePrune([...ten, own], rules({ retention: { keep_last: 3 } }), {
      ...options,
      madeByThisRun: 'h-daily-own',
    });
    expect(plan.keep.find((entry) => entry.archive.name === 'h-daily-own')?.reasons).toEqual([
      'made by this run (always kept)',
    ]);
    expect(names(plan.remove)).not.toContain('h-daily-own');
  });

  it('prunes nothing when an archive is dated after now (the clock is wrong), even with force', () => {
    const now = new Date(T0 + 5 * DAY);
    for (const force of [false, true]) {
      const plan = planProfilePrune(ten, rules({ retention: { keep_last: 3 } }), { ...options, now, force });
      expect(plan.remove).toEqual([]);
      expect(plan.keep).toHaveLength(10);
      expect(plan.refused).toMatch(
        /^archive h-daily-9 is dated 2026-01-10T03:00:00.000Z, after this machine's clock \(2026-01-06T03:00:00.000Z\): the clock is wrong/,
      );
    }
    // A few seconds ahead is an NTP step, not a wrong clock.
    expect(
      planProfilePrune(ten, rules({ retention: { keep_last: 3 } }), {
        ...options,
        now: new Date(T0 + 9 * DAY - 60_000),
      }).refused,
    ).toBeUndefined();
  });

  it('plans tarsnapper deltas', () => {
    const plan = planProfilePrune(ten, rules({ deltas: '1d 3d' }), options);
    expect(names(plan.keep)[0]).toBe('h-daily-9');
    expect(plan.keep[0]!.reasons).toContain('newest');
    expect(plan.remove.length).toBeGreaterThan(0);
  });

  it('property: never removes the newest complete archive, never removes all, keep and remove partition the input', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 5 }),
        fc.record({
          keep_last: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
          keep_daily: fc.option(
            fc.integer({ min: -1, max: 5 }).filter((n) => n !== 0),
            { nil: undefined },
          ),
          keep_within: fc.option(fc.constantFrom('1h', '2d', '1m'), { nil: undefined }),
        }),
        (days, partialDays, retention) => {
          const list = [...days.map((day) => archive(day)), ...partialDays.map((day) => archive(day, true))];
          const plan = planProfilePrune(list, rules({ retention }), options);
          const newest = Math.max(...days);
          if (plan.noRules) return;
          expect(names(plan.keep)).toContain(`h-daily-${newest}`);
          expect(plan.keep.length).toBeGreaterThan(0);
          const all = [...names(plan.keep), ...plan.remove.map((entry) => entry.archive.name)].sort();
          expect(all).toEqual(list.map((a) => a.name).sort());
        },
      ),
    );
  });
});
