/**
 * When an OnCalendar expression (core/calendar) elapses next, the way systemd counts it: wall
 * clock fields in the expression's zone (or the machine's), a time skipped by a spring-forward
 * gap passed over, a repeated fall-back time run once at its first occurrence.
 */
import { fieldValues, MAX_YEAR, MIN_YEAR, type CalendarSpec } from './calendar.js';
import { civilFromDays, createZoneCalendar, DAY_MS, daysFromCivil, type ZoneCalendar } from './duration.js';

const zoneCache = new Map<string, ZoneCalendar>();
function zoneCalendar(timeZone: string): ZoneCalendar {
  let calendar = zoneCache.get(timeZone);
  if (!calendar) zoneCache.set(timeZone, (calendar = createZoneCalendar(timeZone)));
  return calendar;
}

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

interface ExpandedSpec {
  years: number[];
  months: number[];
  days: number[];
  hours: number[];
  minutes: number[];
  seconds: number[];
}

// Specs are never mutated after parsing, so their expanded values can be kept with them.
const expansions = new WeakMap<CalendarSpec, ExpandedSpec>();
function expanded(spec: CalendarSpec): ExpandedSpec {
  let values = expansions.get(spec);
  if (!values) {
    values = {
      years: fieldValues(spec.year, MIN_YEAR, MAX_YEAR),
      months: fieldValues(spec.month, 1, 12),
      days: fieldValues(spec.day, 1, 31),
      hours: fieldValues(spec.hour, 0, 23),
      minutes: fieldValues(spec.minute, 0, 59),
      seconds: fieldValues(spec.second, 0, 59),
    };
    expansions.set(spec, values);
  }
  return values;
}

/** The first wall-clock second ≥ `from` (seconds, wall time written as UTC) the spec matches. */
function nextMatchingWall(spec: CalendarSpec, from: number): number | undefined {
  const fromDays = Math.floor(from / 86_400);
  const { year: Y, month: MO, day: D } = civilFromDays(fromDays);
  const secondOfDay = from - fromDays * 86_400;
  const [H, MI, S] = [Math.floor(secondOfDay / 3600), Math.floor((secondOfDay % 3600) / 60), secondOfDay % 60];
  const { years, months, days, hours, minutes, seconds } = expanded(spec);
  for (const year of years) {
    if (year < Y) continue;
    const yearFirst = year === Y;
    for (const month of months) {
      if (yearFirst && month < MO) continue;
      const monthFirst = yearFirst && month === MO;
      const length = daysInMonth(year, month);
      for (const day of days) {
        if (day > length) break;
        if (monthFirst && day < D) continue;
        const dayNumber = daysFromCivil(year, month, day);
        // 1970-01-01 was a Thursday (bit 3 with Monday as bit 0).
        if (!(spec.weekdays & (1 << ((((dayNumber + 3) % 7) + 7) % 7)))) continue;
        const dayFirst = monthFirst && day === D;
        for (const hour of hours) {
          if (dayFirst && hour < H) continue;
          const hourFirst = dayFirst && hour === H;
          for (const minute of minutes) {
            if (hourFirst && minute < MI) continue;
            const minuteFirst = hourFirst && minute === MI;
            const second = seconds.find((value) => !minuteFirst || value >= S);
            if (second !== undefined) return dayNumber * 86_400 + hour * 3600 + minute * 60 + second;
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * Given a wall-clock reading (ms, written as UTC), returns the instant it names the way systemd
 * counts it: the earlier one when a fall-back hour repeats it, undefined when a spring-forward
 * gap skips it (systemd then skips that elapse; checked against systemd-analyze calendar).
 */
function instantOfWall(calendar: ZoneCalendar, wall: number): number | undefined {
  // Offsets a day either side: zones change offset at most once in that span.
  const candidates = [wall - calendar.offsetAt(wall - DAY_MS), wall - calendar.offsetAt(wall + DAY_MS)].sort(
    (a, b) => a - b,
  );
  return candidates.find((instant) => instant + calendar.offsetAt(instant) === wall);
}

/**
 * Given a spec, an instant (ms) and the zone to use when the spec names none, returns the first
 * elapse strictly after it (ms), or undefined when there is none before 2200 — as
 * `systemd-analyze calendar --base-time` does. Example:
 * nextElapse(parseCalendar('daily'), Date.parse('2024-03-01T10:00Z'), 'UTC') → 2024-03-02T00:00Z.
 */
export function nextElapse(spec: CalendarSpec, after: number, timeZone: string): number | undefined {
  const calendar = zoneCalendar(spec.timeZone ?? timeZone);
  let from = Math.floor((after + calendar.offsetAt(after)) / 1000) + 1;
  // Wall times in a DST gap, and repeated ones mapping to or before `after`, are passed over.
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const wall = nextMatchingWall(spec, from);
    if (wall === undefined) return undefined;
    const instant = instantOfWall(calendar, wall * 1000);
    if (instant !== undefined && instant > after) return instant;
    from = wall + 1;
  }
  return undefined;
}

/**
 * Given a spec, returns the shortest gap between consecutive elapses among the first `samples`
 * after `from` (ms), or undefined when it elapses less than twice. Example: "Mon,Thu 04:00" → 3 days.
 */
export function shortestInterval(spec: CalendarSpec, from: number, timeZone: string, samples = 64): number | undefined {
  let shortest: number | undefined;
  let previous = nextElapse(spec, from, timeZone);
  for (let index = 0; previous !== undefined && index < samples; index++) {
    const next = nextElapse(spec, previous, timeZone);
    if (next === undefined) break;
    shortest = Math.min(shortest ?? Infinity, next - previous);
    previous = next;
  }
  return shortest;
}
