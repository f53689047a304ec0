import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../src/log.js';

describe('formatLogLine', () => {
  it('stamps the date, the time to the second and the zone (UTC, Z): a log is read days later', () => {
    const time = Date.parse('2026-12-06T03:00:01.789Z');
    expect(formatLogLine({ level: 30, time, msg: 'copied', db: '/a b.db', ms: 120 })).toBe(
      '2026-12-06T03:00:01Z  INFO   copied  db="/a b.db"  ms=120',
    );
    expect(formatLogLine({ level: 50, time: 0, msg: 'x' })).toBe('1970-01-01T00:00:00Z  ERROR  x');
  });
});
