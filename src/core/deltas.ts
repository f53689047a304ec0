/**
 * tarsnapper's `deltas` retention (for users migrating from tarsnapper), following its
 * `expire()`: keep the newest archive; for each delta d whose next larger delta is P, put a
 * pointer at newest − P, keep the archive closest to it, move the pointer to that archive's
 * time + d, and repeat while the pointer is older than the newest archive. The largest delta
 * only sets how far back the next one starts, so it is the horizon. Everything is elapsed time
 * measured from the newest archive: no calendar, no time zone.
 *
 * Reasons: "newest" for the newest archive; "delta 1d" for an archive picked by the generation
 * that steps 1d (it can carry several, e.g. ["delta 1d", "delta 7d"], in the order written).
 */
import { sortNewestFirst, type PrunePlan } from './retention.js';
import { UNIT_MS } from './timespan.js';

/** One delta as written ("7d") and its length in ms. */
export interface Delta {
  text: string;
  ms: number;
}

const HELP = 'write them like tarsnapper, ascending, e.g. "1d 7d 30d 360d" (units s, h, d)';

/**
 * Parses a tarsnapper deltas string. tarsnapper's units are s, h and d (no minutes, weeks or
 * months). Unlike tarsnapper, which sorts silently, the order must be ascending, so the last
 * value visibly is the horizon. Given "1d 7d 30d 360d", returns four deltas, the last
 * { text: '360d', ms: 31_104_000_000 }; given "7d 1d", throws.
 */
export function parseDeltas(text: string): Delta[] {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const deltas = words.map((word): Delta => {
    const match = /^(\d+)([shd])$/.exec(word);
    if (!match) {
      const hint = /^\d+w$/.test(word) ? ` (for weeks write days: ${Number.parseInt(word, 10) * 7}d)` : '';
      throw new Error(`deltas "${text}": "${word}" is not a delta${hint}; ${HELP}`);
    }
    const ms = Number(match[1]) * UNIT_MS[match[2] as 's' | 'h' | 'd'];
    if (ms === 0) throw new Error(`deltas "${text}": "${word}" is zero; ${HELP}`);
    if (!Number.isSafeInteger(ms)) throw new Error(`deltas "${text}": "${word}" is too large`);
    return { text: word, ms };
  });
  if (deltas.length < 2)
    throw new Error(
      `deltas "${text}": at least two deltas are needed, the last one being how far back archives are kept; ${HELP}`,
    );
  deltas.forEach((delta, index) => {
    const previous = deltas[index - 1];
    if (previous && delta.ms <= previous.ms) {
      throw new Error(`deltas "${text}": "${delta.text}" is not longer than "${previous.text}" before it; ${HELP}`);
    }
  });
  return deltas;
}

/**
 * Plans a prune with tarsnapper's deltas (see the module comment); ties in distance go to the
 * newer archive, and equal times to the one listed first, as in tarsnapper. Given archives
 * every 12 hours for 3 days and deltas "1d 2d", returns keep = [newest ('newest'), then one
 * archive per day back to 2 days ago ('delta 1d')] and the rest in remove.
 */
export function planDeltas<T extends { time: Date }>(archives: readonly T[], deltas: readonly Delta[]): PrunePlan<T> {
  if (deltas.length < 2) throw new Error('at least two deltas are needed');
  deltas.forEach((delta, index) => {
    if (!(delta.ms > 0) || (index > 0 && delta.ms <= deltas[index - 1]!.ms))
      throw new Error('deltas must be positive and ascending; use parseDeltas');
  });
  const { order, times } = sortNewestFirst(archives);
  if (order.length === 0) return { keep: [], remove: [] };
  const timeAt = (position: number): number => times[position]!;
  // Positions are newest first, so times descend: binary search for the first time ≤ instant.
  const firstAtOrBefore = (instant: number): number => {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const middle = (lo + hi) >>> 1;
      if (timeAt(middle) <= instant) hi = middle;
      else lo = middle + 1;
    }
    return lo;
  };
  const closest = (pointer: number): number => {
    const older = firstAtOrBefore(pointer);
    if (older === 0) return 0;
    const newer = firstAtOrBefore(timeAt(older - 1)); // first listed among equal times
    if (older === order.length) return newer;
    return timeAt(newer) - pointer <= pointer - timeAt(older) ? newer : older;
  };

  const reasons = new Map<number, string[]>([[0, ['newest']]]);
  const newest = timeAt(0);
  for (let index = 0; index + 1 < deltas.length; index++) {
    const step = deltas[index]!;
    const label = `delta ${step.text}`;
    let pointer = newest - deltas[index + 1]!.ms;
    let lastPicked = -1;
    while (pointer < newest) {
      const picked = closest(pointer);
      if (picked !== lastPicked) {
        lastPicked = picked;
        const list = reasons.get(picked) ?? [];
        if (!list.includes(label)) list.push(label);
        reasons.set(picked, list);
        pointer = timeAt(picked) + step.ms;
        continue;
      }
      // tarsnapper steps the pointer by d until another archive is closest. Jump there at once
      // (same pointer values, exact in integer ms): the next newer archive wins from the midpoint.
      pointer += step.ms;
      const newer = firstAtOrBefore(timeAt(picked)) - 1;
      if (newer < 0) break; // picked is the newest, so pointer is already past it
      const newerTime = timeAt(newer);
      const steps = Math.max(0, Math.ceil((timeAt(picked) + newerTime - 2 * pointer) / (2 * step.ms)));
      pointer += steps * step.ms;
    }
  }

  const plan: PrunePlan<T> = { keep: [], remove: [] };
  order.forEach((archiveIndex, position) => {
    const why = reasons.get(position);
    if (why) plan.keep.push({ archive: archives[archiveIndex]!, reasons: why });
    else plan.remove.push(archives[archiveIndex]!);
  });
  return plan;
}
