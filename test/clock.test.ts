/** src/clock: the one wall-clock read, and the test-only HOTSNAP_TEST_NOW that fixes it. */
import { afterEach, describe, expect, it } from 'vitest';
import { now, TEST_NOW_VARIABLE } from '../src/clock.js';
import { UsageError } from '../src/errors.js';

const saved = process.env[TEST_NOW_VARIABLE];
afterEach(() => {
  if (saved === undefined) delete process.env[TEST_NOW_VARIABLE];
  else process.env[TEST_NOW_VARIABLE] = saved;
});

describe('now', () => {
  it('returns the fixed time while HOTSNAP_TEST_NOW is set, the same on every call', () => {
    process.env[TEST_NOW_VARIABLE] = '2026-03-01T03:00:00Z';
    expect(now().toISOString()).toBe('2026-03-01T03:00:00.000Z');
    expect(now().toISOString()).toBe('2026-03-01T03:00:00.000Z');
  });

  it('honours an explicit offset and milliseconds', () => {
    process.env[TEST_NOW_VARIABLE] = '2026-03-01T05:30:00.250+02:30';
    expect(now().toISOString()).toBe('2026-03-01T03:00:00.250Z');
  });

  it('reads the wall clock when it is unset or empty', () => {
    for (const value of [undefined, '']) {
      if (value === undefined) delete process.env[TEST_NOW_VARIABLE];
      else process.env[TEST_NOW_VARIABLE] = value;
      const before = Date.now();
      const time = now().getTime();
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(Date.now());
    }
  });

  it.each(['yesterday', '2026-03-01', '2026-03-01T03:00:00', '2026-02-30T03:00:00Z', '1772334000000'])(
    'rejects %j with a usage error that says to unset it',
    (value) => {
      process.env[TEST_NOW_VARIABLE] = value;
      expect(() => now()).toThrow(UsageError);
      expect(() => now()).toThrow(
        `HOTSNAP_TEST_NOW=${JSON.stringify(value)} is not an ISO time with a zone (e.g. 2026-03-01T03:00:00Z); unset it: it is for hotsnap's tests only`,
      );
    },
  );
});
