/**
 * The retention planner: which archives of one profile `prune` keeps, with restic `forget`
 * semantics (its ApplyPolicy, reproduced against restic's 40 golden files in
 * fixtures/restic-forget). Pure: the time zone and "now" are arguments.
 */
import {
  DAY_MS,
  civilFromDays,
  createZoneCalendar,
  formatRetentionDuration,
  parseRetentionDuration,
  subtractRetentionDuration,
  type RetentionDuration,
} from './duration.js';

/** The `retention:` keys. Counts: whole numbers, -1 = unlimited, 0 = off. Durations: "1y2m3d3h". */
export interface RetentionPolicy {
  keep_last?: number;
  keep_hourly?: number;
  keep_daily?: number;
  keep_weekly?: number;
  keep_monthly?: number;
  keep_yearly?: number;
  keep_within?: string;
  keep_within_hourly?: string;
  keep_within_daily?: string;
  keep_within_weekly?: string;
  keep_within_monthly?: string;
  keep_within_yearly?: string;
}

/** One kept archive and why, e.g. { archive, reasons: ['daily snapshot', 'weekly snapshot'] }. */
export interface KeptArchive<T> {
  archive: T;
  reasons: string[];
}

/** A prune plan; both lists newest first. */
export interface PrunePlan<T> {
  keep: KeptArchive<T>[];
  remove: T[];
}

export interface PlanPruneOptions {
  /** IANA zone in which hours, days, ISO weeks (Monday start), months and years are bucketed. */
  timezone: string;
  /**
   * Archives at or after `now` are "in the future" and are not the newest that `keep_within*`
   * windows count back from (restic's rule, so a clock set wrong once can't shrink the window).
   * Without it every archive counts.
   */
  now?: Date;
}

type Bucket = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
const BUCKETS: readonly Bucket[] = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];
const COUNT_KEYS = ['keep_last', 'keep_hourly', 'keep_daily', 'keep_weekly', 'keep_monthly', 'keep_yearly'] as const;
const WITHIN_KEYS = [
  'keep_within_hourly',
  'keep_within_daily',
  'keep_within_weekly',
  'keep_within_monthly',
  'keep_within_yearly',
] as const;
const WITHIN_KEYS_ALL = ['keep_within', ...WITHIN_KEYS] as const;

/** Given {} or { keep_daily: 0 }, returns true: no rule would keep anything, so prune must refuse. */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  const counts = COUNT_KEYS.some((key) => policy[key] !== undefined && policy[key] !== 0);
  // restic treats a zero duration ("0d") as unset; anything else (even invalid) is a rule that
  // planPrune will check and report.
  const windows = WITHIN_KEYS_ALL.some((key) => policy[key] !== undefined && !/^\s*(0+[ymdh])*\s*$/.test(policy[key]));
  return !counts && !windows;
}

/**
 * Given archives, returns their input indexes newest first, equal times in input order
 * (restic's sort.Stable), and their times in ms in that same order, so planners walk memory
 * sequentially. Throws on an invalid Date, naming its position.
 * Given times [1, 3, 2, 3], returns { order: [1, 3, 2, 0], times: [3, 3, 2, 1] }.
 */
export function sortNewestFirst(archives: readonly { time: Date }[]): { order: Int32Array; times: Float64Array } {
  const count = archives.length;
  const input = new Float64Array(count);
  let newest = -Infinity;
  let oldest = Infinity;
  let wholeSeconds = true;
  archives.forEach((archive, index) => {
    const time = archive.time.getTime();
    if (Number.isNaN(time)) throw new Error(`archive #${index + 1} has an invalid time`);
    input[index] = time;
    if (time > newest) newest = time;
    if (time < oldest) oldest = time;
    if (time % 1000 !== 0) wholeSeconds = false;
  });
  const order = new Int32Array(count);
  const unit = wholeSeconds ? 1000 : 1;
  if (count === 0 || ((newest - oldest) / unit + 1) * count < 2 ** 53) {
    // tarsnap lists times in whole seconds, so (age, input index) usually packs into one exact
    // number: a native numeric sort of those is stable by construction and ~10× faster than a
    // comparator sort (100k archives: ~10 ms instead of ~90).
    const packed = new Float64Array(count);
    for (let index = 0; index < count; index++) packed[index] = ((newest - input[index]!) / unit) * count + index;
    packed.sort();
    // `input` is no longer needed: it takes the sorted times (a 1M list is 8 MB per array).
    for (let position = 0; position < count; position++) {
      const index = packed[position]! % count;
      order[position] = index;
      input[position] = newest - ((packed[position]! - index) / count) * unit; // exact below 2^53
    }
    return { order, times: input };
  }
  // Too wide a spread to pack: sort the negated times natively, then binary-search each archive's
  // slot. Equal times share a slot range and fill it in input order, which keeps the sort stable.
  const negated = input.map((time) => -time).sort();
  const used = new Int32Array(count);
  for (let index = 0; index < count; index++) {
    const key = -input[index]!;
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const middle = (lo + hi) >>> 1;
      if (negated[middle]! < key) lo = middle + 1;
      else hi = middle;
    }
    order[lo + used[lo]!++] = index;
  }
  for (let position = 0; position < count; position++) negated[position] = -negated[position]!;
  return { order, times: negated };
}

function checkCount(key: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < -1)
    throw new Error(`${key} must be a whole number ≥ 0, or -1 for unlimited (got ${value})`);
  return value;
}

function checkWindow(key: string, text: string | undefined): RetentionDuration | undefined {
  if (text === undefined) return undefined;
  try {
    return parseRetentionDuration(text);
  } catch (error) {
    throw new Error(`${key}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Plans a prune with restic's rules: each count rule keeps the newest archive of each of its N
 * most recent buckets that hold archives (and the oldest archive while count is left), every
 * rule sees every archive, `keep_within*` count back from the newest archive, and the results
 * are united. Reasons are restic's labels ("daily snapshot", "oldest yearly snapshot",
 * "within 2d", "daily within 1m"). Throws on an empty policy: prune must refuse rather than
 * delete everything. Given three archives of one day and { keep_daily: 7 } in UTC, returns
 * keep = [newest ('daily snapshot'), oldest ('oldest daily snapshot')], remove = [middle].
 */
export function planPrune<T extends { time: Date }>(
  archives: readonly T[],
  policy: RetentionPolicy,
  options: PlanPruneOptions,
): PrunePlan<T> {
  if (isEmptyPolicy(policy))
    throw new Error('refusing to plan a prune without retention rules: it would delete every archive');
  const countRules = COUNT_KEYS.map((key, index) => {
    const bucket = BUCKETS[index]!;
    return { bucket, slot: index, count: checkCount(key, policy[key]), last: NaN, reason: `${bucket} snapshot` };
  }).filter((rule) => rule.count !== 0);
  const within = checkWindow('keep_within', policy.keep_within);
  const windows = WITHIN_KEYS.map((key, index) => ({
    bucket: BUCKETS[index + 1]!,
    slot: index + 1,
    duration: checkWindow(key, policy[key]),
  }));
  const calendar = createZoneCalendar(options.timezone);

  const { order, times } = sortNewestFirst(archives);
  const plan: PrunePlan<T> = { keep: [], remove: [] };
  if (order.length === 0) return plan;

  const now = options.now?.getTime() ?? Infinity;
  let newest = -Infinity;
  for (const time of times) if (time < now && time > newest) newest = time;
  const windowStart = (duration: RetentionDuration): number =>
    newest === -Infinity ? -Infinity : subtractRetentionDuration(newest, duration, calendar);
  const withinRule = within
    ? { start: windowStart(within), reason: `within ${formatRetentionDuration(within)}` }
    : undefined;
  const windowRules = windows
    .filter(
      (rule): rule is { bucket: Bucket; slot: number; duration: RetentionDuration } => rule.duration !== undefined,
    )
    .map(({ bucket, slot, duration }) => ({
      bucket,
      slot,
      start: windowStart(duration),
      last: NaN,
      reason: `${bucket} within`,
      label: formatRetentionDuration(duration),
    }));
  const needsCivil = [...countRules, ...windowRules].some(
    (rule) => rule.bucket === 'monthly' || rule.bucket === 'yearly',
  );

  // Bucket keys, indexed like BUCKETS; they only need to be equal within a bucket and differ
  // between buckets. Typed slots and lazily made reason lists keep 100k archives well under 200 ms.
  const keys = new Float64Array(BUCKETS.length);
  let civilDay = NaN;
  order.forEach((archiveIndex, position) => {
    const time = times[position]!;
    const isOldest = position === order.length - 1;
    const wall = time + calendar.offsetAt(time);
    const days = Math.floor(wall / DAY_MS);
    keys[0] = position;
    keys[1] = Math.floor(wall / 3_600_000);
    keys[2] = days;
    keys[3] = Math.floor((days + 3) / 7); // 1970-01-01 was a Thursday: +3 aligns weeks on Mondays
    if (needsCivil && days !== civilDay) {
      const { year, month } = civilFromDays(days);
      keys[4] = year * 12 + month;
      keys[5] = year;
      civilDay = days;
    }

    let reasons: string[] | undefined;
    if (withinRule && time > withinRule.start) (reasons ??= []).push(withinRule.reason);
    for (const rule of countRules) {
      if (rule.count === 0) continue;
      const key = keys[rule.slot]!;
      if (key === rule.last && !isOldest) continue;
      // restic keeps the oldest archive while a rule has count left, to stretch the history.
      (reasons ??= []).push(key === rule.last ? `oldest ${rule.reason}` : rule.reason);
      rule.last = key;
      if (rule.count > 0) rule.count--;
    }
    for (const rule of windowRules) {
      if (!(time > rule.start)) continue;
      const key = keys[rule.slot]!;
      if (key === rule.last && !isOldest) continue;
      (reasons ??= []).push(`${key === rule.last ? 'oldest ' : ''}${rule.reason} ${rule.label}`);
      rule.last = key;
    }

    const archive = archives[archiveIndex]!;
    if (reasons) plan.keep.push({ archive, reasons });
    else plan.remove.push(archive);
  });
  return plan;
}
