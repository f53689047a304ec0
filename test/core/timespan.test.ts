import { describe, expect, it } from 'vitest';
import { formatTimeSpan, parseTimeSpan } from '../../src/core/timespan.js';

describe('parseTimeSpan', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1h 30min', 5_400_000],
    ['45', 45_000],
    ['1.5s', 1500],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseTimeSpan(text)).toBe(ms);
  });

  it.each(['', 'soon', '10 seconds', '-5s', '5x', 'h'])('rejects %j with a hint', (text) => {
    expect(() => parseTimeSpan(text)).toThrow(/time span/);
  });

  it('takes a number as seconds', () => {
    expect(parseTimeSpan(30)).toBe(30_000);
  });
});

describe('formatTimeSpan', () => {
  it.each([
    [250, '250ms'],
    [1500, '1.5s'],
    [5_400_000, '1h30m'],
    [90_061_000, '1d1h1m1s'],
  ])('%d → %s', (ms, text) => {
    expect(formatTimeSpan(ms)).toBe(text);
  });
});
