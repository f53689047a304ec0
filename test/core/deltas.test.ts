import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeltas, planDeltas, type Delta } from '../../src/core/deltas.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T12:00:00Z');
/** An archive named by its day offset from T0 ("d39"), or by a given name. */
const day = (offset: number, name = `d${offset}`) => ({ name, time: new Date(T0 + offset * DAY) });
const summary = (plan: ReturnType<typeof planDeltas<{ name: string; time: Date }>>) => ({
  keep: plan.keep.map(({ archive, reasons }) => `${archive.name}: ${reasons.join(', ')}`),
  remove: plan.remove.map((archive) => archive.name),
});

describe('parseDeltas', () => {
  it.each([
    ['1d 7d 30d 360d', ['1d', '7d', '30d', '360d'], [DAY, 7 * DAY, 30 * DAY, 360 * DAY]],
    ['  1h   6h 1d ', ['1h', '6h', '1d'], [3_600_000, 6 * 3_600_000, DAY]],
    ['30s 1h', ['30s', '1h'], [30_000, 3_600_000]],
  ])('%j', (text, words, lengths) => {
    const deltas = parseDeltas(text);
    expect(deltas.map((delta) => delta.text)).toEqual(words);
    expect(deltas.map((delta) => delta.ms)).toEqual(lengths);
  });

  it.each([
    [
      '',
      'deltas "": at least two deltas are needed, the last one being how far back archives are kept; write them like tarsnapper, ascending, e.g. "1d 7d 30d 360d" (units s, h, d)',
    ],
    ['1d', /at least two deltas/],
    ['7d 1d', 'deltas "7d 1d": "1d" is not longer than "7d" before it;'],
    ['1d 24h', 'deltas "1d 24h": "24h" is not longer than "1d" before it;'],
    ['1w 4w', 'deltas "1w 4w": "1w" is not a delta (for weeks write days: 7d);'],
    ['30m 1d', 'deltas "30m 1d": "30m" is not a delta;'], // tarsnapper has no minutes (or months)
    ['1.5d 2d', '"1.5d" is not a delta'],
    ['1D 2D', '"1D" is not a delta'],
    ['0d 1d', 'deltas "0d 1d": "0d" is zero;'],
    ['1d 999999999999999d', '"999999999999999d" is too large'],
  ])('%j is refused', (text, message) => {
    expect(() => parseDeltas(text)).toThrow(message);
  });
});

describe('planDeltas: hand-computed cases', () => {
  it('keeps a lone archive, as the newest and as the pick of the first generation', () => {
    // 1d generation: pointer = newest − 7d, closest is the only archive.
    expect(summary(planDeltas([day(0)], parseDeltas('1d 7d')))).toEqual({ keep: ['d0: newest, delta 1d'], remove: [] });
  });

  it('plans nothing for no archives', () => {
    expect(planDeltas([], parseDeltas('1d 7d'))).toEqual({ keep: [], remove: [] });
  });

  it("keeps tarsnapper's regression case whole (its test_failing_keep)", () => {
    // Newest C (06-20). 1d: pointer 06-13 → A (06-15); pointer 06-16 → A again, step to 06-17:
    // A and B are both 2 days away, the newer B wins; pointer 06-20 is not older than C: done.
    const archives = [
      { name: 'A', time: new Date('2010-06-15T00:00:00Z') },
      { name: 'B', time: new Date('2010-06-19T00:00:00Z') },
      { name: 'C', time: new Date('2010-06-20T00:00:00Z') },
    ];
    expect(summary(planDeltas(archives, parseDeltas('1d 7d')))).toEqual({
      keep: ['C: newest', 'B: delta 1d', 'A: delta 1d'],
      remove: [],
    });
  });

  it('thins 40 daily archives with "1d 7d 30d"', () => {
    // Newest d39. 1d generation starts at 39 − 7 = d32 and keeps d32…d38 (pointer d39 stops it).
    // 7d generation starts at 39 − 30 = d9 and keeps d9, d16, d23, d30, d37. 30d is the horizon.
    const archives = Array.from({ length: 40 }, (_, offset) => day(offset));
    const plan = summary(planDeltas(archives, parseDeltas('1d 7d 30d')));
    expect(plan.keep).toEqual([
      'd39: newest',
      'd38: delta 1d',
      'd37: delta 1d, delta 7d',
      'd36: delta 1d',
      'd35: delta 1d',
      'd34: delta 1d',
      'd33: delta 1d',
      'd32: delta 1d',
      'd30: delta 7d',
      'd23: delta 7d',
      'd16: delta 7d',
      'd9: delta 7d',
    ]);
    expect(plan.remove).toEqual(
      [31, 29, 28, 27, 26, 25, 24, 22, 21, 20, 19, 18, 17, 15, 14, 13, 12, 11, 10, 8, 7, 6, 5, 4, 3, 2, 1, 0].map(
        (offset) => `d${offset}`,
      ),
    );
  });

  it('gives a tie in distance to the newer archive', () => {
    // 1d: pointer d1 is 1 day from d0 and from d2 → d2. Then d2 stays closest until the pointer
    // reaches d6, equally far from d2 and d10 → d10 (the newest) is picked too.
    const plan = planDeltas([day(0), day(2), day(10)], parseDeltas('1d 9d'));
    expect(summary(plan)).toEqual({ keep: ['d10: newest, delta 1d', 'd2: delta 1d'], remove: ['d0'] });
  });

  it('gives equal times to the archive listed first', () => {
    // 1d: pointer d3 is 2 days from both a and b (d5) → a, listed first. Then d8 → n.
    const plan = planDeltas([day(5, 'a'), day(5, 'b'), day(10, 'n')], parseDeltas('1d 7d'));
    expect(summary(plan)).toEqual({ keep: ['n: newest, delta 1d', 'a: delta 1d'], remove: ['b'] });
  });

  it('keeps the archive closest to the horizon even when it is older than the horizon', () => {
    // Newest d100, horizon 30d = d70. 1d: pointer d93 → d95, later d98 → d100.
    // 7d: pointer d70 is 20 days from d50 and 25 from d95 → d50 (older than the horizon);
    // the pointer steps d57, d64, d71, d78 where d95 is closer → d95. d0 is deleted.
    const plan = planDeltas([day(0), day(50), day(95), day(100)], parseDeltas('1d 7d 30d'));
    expect(summary(plan)).toEqual({
      keep: ['d100: newest, delta 1d', 'd95: delta 1d, delta 7d', 'd50: delta 7d'],
      remove: ['d0'],
    });
  });

  it('crosses a long gap at once instead of stepping a second at a time', () => {
    // "1s 3600d": the pointer would step 130 million times from d0 towards d1500, the midpoint.
    const plan = planDeltas([day(0), day(3000)], parseDeltas('1s 3600d'));
    expect(summary(plan)).toEqual({ keep: ['d3000: newest, delta 1s', 'd0: delta 1s'], remove: [] });
  });

  it('accepts archives in any order and returns both lists newest first', () => {
    const plan = planDeltas([day(1), day(3), day(0), day(2)], parseDeltas('1d 2d'));
    // 1d: pointer d1 → d1; d2 → d2; d3 is not older than the newest: stop.
    expect(summary(plan)).toEqual({ keep: ['d3: newest', 'd2: delta 1d', 'd1: delta 1d'], remove: ['d0'] });
  });

  it('refuses deltas that are not positive and ascending', () => {
    expect(() =>
      planDeltas(
        [day(0)],
        [
          { text: '7d', ms: 7 * DAY },
          { text: '1d', ms: DAY },
        ],
      ),
    ).toThrow(/ascending/);
    expect(() => planDeltas([day(0)], [{ text: '1d', ms: DAY }])).toThrow(/two deltas/);
  });
});

/** The algorithm as the doc states it, step by step with a linear search: the slow oracle. */
function referenceKeep(times: number[], deltas: readonly Delta[]): Set<number> {
  const order = times.map((time, index) => ({ time, index })).sort((a, b) => b.time - a.time || a.index - b.index);
  const newest = order[0]!.time;
  const keep = new Set([order[0]!.index]);
  for (let generation = 0; generation + 1 < deltas.length; generation++) {
    let pointer = newest - deltas[generation + 1]!.ms;
    let last: number | undefined;
    while (pointer < newest) {
      let best = order[0]!;
      for (const candidate of order)
        if (Math.abs(candidate.time - pointer) < Math.abs(best.time - pointer)) best = candidate;
      if (best.index === last) pointer += deltas[generation]!.ms;
      else {
        last = best.index;
        keep.add(best.index);
        pointer = best.time + deltas[generation]!.ms;
      }
    }
  }
  return keep;
}

describe('planDeltas: properties', () => {
  const HOUR = 3_600_000;
  const deltasArb = fc
    .uniqueArray(fc.integer({ min: 1, max: 24 * 20 }), { minLength: 2, maxLength: 4 })
    .map((hours) => hours.sort((a, b) => a - b).map((count) => ({ text: `${count}h`, ms: count * HOUR })))
    .filter((deltas) => deltas.every((delta, index) => index === 0 || delta.ms / deltas[index - 1]!.ms <= 200));
  const timesArb = fc.array(
    fc.integer({ min: 0, max: 24 * 60 }).map((hours) => T0 + hours * HOUR),
    { minLength: 1, maxLength: 40 },
  );

  it('keeps exactly what the step-by-step algorithm keeps', () => {
    fc.assert(
      fc.property(timesArb, deltasArb, (times, deltas) => {
        const archives = times.map((time, index) => ({ index, time: new Date(time) }));
        const plan = planDeltas(archives, deltas);
        expect(new Set(plan.keep.map(({ archive }) => archive.index))).toEqual(referenceKeep(times, deltas));
        expect(plan.keep[0]!.reasons[0]).toBe('newest');
        expect(plan.keep.length + plan.remove.length).toBe(archives.length);
      }),
      { numRuns: 300 },
    );
  });
});
