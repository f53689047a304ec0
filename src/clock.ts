/**
 * What time it is: the one place hotsnap reads the wall clock for a time it records or reasons
 * about (archive names, state timestamps, prune's and status's "now", schedule samples, verify,
 * the staging dir's and run lock's `started`). src/core never reads a clock; it takes `now`.
 *
 * TEST ONLY: the environment variable HOTSNAP_TEST_NOW (an ISO time with its zone, e.g.
 * 2026-03-01T03:00:00Z) fixes the time for the whole process, so the end-to-end tests get exact
 * archive names and prune counts however loaded the machine is. It is not a user setting and is
 * not in --help: with it, every run of a day would get the same archive name.
 *
 * Not routed through here, on purpose: elapsed time (timeouts, lock-wait deadlines, copy_ms,
 * duration_ms) is measured with performance.now(), which must move even when the time is fixed;
 * the age of a file on disk (leftover sweeps) is compared with its mtime, which the kernel stamps
 * from the real clock; log records carry the real time they were written.
 */
import { UsageError } from './errors.js';

/** The test-only environment variable that fixes the time. */
export const TEST_NOW_VARIABLE = 'HOTSNAP_TEST_NOW';

// An explicit zone (Z or ±hh:mm) so the fixed time means the same on every machine.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

// Date.parse rolls 2026-02-30 over into March; a typo should not silently name another day.
function isCalendarDate(iso: string): boolean {
  const [year, month, day] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/**
 * Returns the current time, or the time HOTSNAP_TEST_NOW fixes (tests only).
 * Example: with HOTSNAP_TEST_NOW=2026-03-01T03:00:00Z, now().toISOString() → '2026-03-01T03:00:00.000Z'.
 */
export function now(): Date {
  const fixed = process.env[TEST_NOW_VARIABLE];
  if (fixed === undefined || fixed === '') return new Date();
  const time = ISO_WITH_ZONE.test(fixed) && isCalendarDate(fixed) ? Date.parse(fixed) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(
      `${TEST_NOW_VARIABLE}=${JSON.stringify(fixed)} is not an ISO time with a zone (e.g. 2026-03-01T03:00:00Z); unset it: it is for hotsnap's tests only`,
    );
  }
  return new Date(time);
}
