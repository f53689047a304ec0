/**
 * The retention planner: which archives of one profile `prune` keeps, with restic `forget`
 * semantics (its ApplyPolicy, reproduced against restic's 40 golden files in
 * fixtures/restic-forget). Pure: the time zone and "now" are arguments.
 */
import {
  DAY_MS, civilFromDays, createZoneCalendar, formatRetentionDuration, parseRetentionDuration,
  subtractRetentionDuration, type RetentionDuration,
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
const WITHIN_KEYS = ['keep_within_hourly', 'keep_within_daily', 'keep_within_weekly', 'keep_within_monthly', 'keep_within_yearly'] as const;
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
 * Given times in ms, returns their indexes newest first; equal times keep their input order
 * (restic's sort.Stable). Given [1, 3, 2, 3], returns [1, 3, 2, 0].
 */
export function orderNewestFirst(times: Float64Array): number[] {
  const order = Array.from({ length: times.length }, (_, index) => index);
  let sorted = true;
  for (let index = 1; index < times.length && sorted; index++) sorted = times[index - 1]! >= times[index]!;
  // Listings are often already in order; the explicit index tie-break keeps equal times stable.
  if (!sorted) order.sort((a, b) => times[b]! - times[a]! || a - b);
  return order;
}

/** Given archives, returns their times in ms; throws on an invalid Date, naming its position. */
export function archiveTimes(archives: readonly { time: Date }[]): Float64Array {
  const times = new Float64Array(archives.length);
  archives.forEach((archive, index) => {
    const time = archive.time.getTime();
    if (Number.isNaN(time)) throw new Error(`archive #${index + 1} has an invalid time`);
    times[index] = time;
  });
  return times;
}

function checkCount(key: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < -1) throw new Error(`${key} must be a whole number ≥ 0, or -1 for unlimited (got ${value})`);
  return value;
}

function checkWindow(key: string, text: string | undefined): RetentionDuration | undefined {
  if (text === undefined) return undefined;
  try {
    return parseRetentionDuration(text);
  } catch (error) {
    throw new Error(`${key}: ${(error as Error).message}`);
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
export function planPrune<T extends { time: Date }>(archives: readonly T[], policy: RetentionPolicy, options: PlanPruneOptions): PrunePlan<T> {
  if (isEmptyPolicy(policy)) throw new Error('refusing to plan a prune without retention rules: it would delete every archive');
  const countRules = COUNT_KEYS.map((key, index) => {
    const bucket = BUCKETS[index]!;
    return { bucket, count: checkCount(key, policy[key]), last: NaN, reason: `${bucket} snapshot` };
  }).filter((rule) => rule.count !== 0);
  const within = checkWindow('keep_within', policy.keep_within);
  const windows = WITHIN_KEYS.map((key, index) => ({ bucket: BUCKETS[index + 1]!, duration: checkWindow(key, policy[key]) }));
  const calendar = createZoneCalendar(options.timezone);

  const times = archiveTimes(archives);
  const order = orderNewestFirst(times);
  const plan: PrunePlan<T> = { keep: [], remove: [] };
  if (order.length === 0) return plan;

  const now = options.now?.getTime() ?? Infinity;
  let newest = -Infinity;
  for (const time of times) if (time < now && time > newest) newest = time;
  const windowStart = (duration: RetentionDuration): number =>
    newest === -Infinity ? -Infinity : subtractRetentionDuration(newest, duration, calendar);
  const withinRule = within ? { start: windowStart(within), reason: `within ${formatRetentionDuration(within)}` } : undefined;
  const windowRules = windows
    .filter((rule): rule is { bucket: Bucket; duration: RetentionDuration } => rule.duration !== undefined)
    .map(({ bucket, duration }) => ({ bucket, start: windowStart(duration), last: NaN, reason: `${bucket} within`, label: formatRetentionDuration(duration) }));
  const needsCivil = [...countRules, ...windowRules].some((rule) => rule.bucket === 'monthly' || rule.bucket === 'yearly');

  const keys: Record<Bucket, number> = { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 };
  order.forEach((archiveIndex, position) => {
    const time = times[archiveIndex]!;
    const isOldest = position === order.length - 1;
    // Bucket keys only need to be equal within a bucket and differ between buckets.
    const wall = time + calendar.offsetAt(time);
    const days = Math.floor(wall / DAY_MS);
    keys.last = position;
    keys.hourly = Math.floor(wall / 3_600_000);
    keys.daily = days;
    keys.weekly = Math.floor((days + 3) / 7); // 1970-01-01 was a Thursday: +3 aligns weeks on Mondays
    if (needsCivil) {
      const { year, month } = civilFromDays(days);
      keys.monthly = year * 12 + month;
      keys.yearly = year;
    }

    const reasons: string[] = [];
    if (withinRule && time > withinRule.start) reasons.push(withinRule.reason);
    for (const rule of countRules) {
      if (rule.count === 0) continue;
      const key = keys[rule.bucket];
      if (key === rule.last && !isOldest) continue;
      // restic keeps the oldest archive while a rule has count left, to stretch the history.
      reasons.push(key === rule.last ? `oldest ${rule.reason}` : rule.reason);
      rule.last = key;
      if (rule.count > 0) rule.count--;
    }
    for (const rule of windowRules) {
      if (!(time > rule.start)) continue;
      const key = keys[rule.bucket];
      if (key === rule.last && !isOldest) continue;
      reasons.push(`${key === rule.last ? 'oldest ' : ''}${rule.reason} ${rule.label}`);
      rule.last = key;
    }

    const archive = archives[archiveIndex]!;
    if (reasons.length > 0) plan.keep.push({ archive, reasons });
    else plan.remove.push(archive);
  });
  return plan;
}
