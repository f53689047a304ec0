/**
 * Time spans for operational settings (`busy_timeout: 10s`, `retry_delay: 30s`, `--wait 2h`).
 * Units: ms, s, m or min (minutes), h, d, w — combined like `1h30m`. A bare number is seconds.
 * (Retention durations are different: there `m` means calendar months; see core/retention.)
 */

/** Milliseconds per unit: the one table for time spans and tarsnapper deltas (s, h, d); `UNIT_MS.d` → 86_400_000. */
export const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

const PART = /(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d|w)/y;

/** Given `"1h30m"`, returns 5_400_000; given `"45"`, returns 45_000; throws on `"soon"`. */
export function parseTimeSpan(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0)
      throw new Error(`invalid time span ${text}: expected a non-negative number of seconds`);
    return Math.round(text * 1000);
  }
  const input = text.trim();
  if (/^\d+(\.\d+)?$/.test(input)) return Math.round(Number(input) * 1000);
  let total = 0;
  let index = 0;
  PART.lastIndex = 0;
  while (index < input.length) {
    if (input[index] === ' ') {
      index++;
      continue;
    }
    PART.lastIndex = index;
    const match = PART.exec(input);
    if (!match) {
      throw new Error(
        `invalid time span "${text}": use a number with a unit (ms, s, m, h, d, w), e.g. "30s", "2h", "1h30m"`,
      );
    }
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    index = PART.lastIndex;
  }
  if (input === '') throw new Error('empty time span: use e.g. "30s" or "2h"');
  return Math.round(total);
}

/** Given 5_400_000, returns "1h30m"; given 1500, returns "1.5s". For messages. */
export function formatTimeSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] / 1000;
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('');
}
