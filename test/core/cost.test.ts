import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDollars, monthlyStorageCost, transferCost } from '../../src/core/cost.js';
import { formatSummaryLine, type ProfileSummary } from '../../src/core/summary.js';

describe('prices', () => {
  it('charges 250 picodollars per byte-month and per byte moved', () => {
    expect(monthlyStorageCost(4e9)).toBe(1);
    expect(transferCost(4e9)).toBe(1);
    expect(monthlyStorageCost(1)).toBe(2.5e-10);
    expect(transferCost(0)).toBe(0);
    // 1 GB (10^9 bytes, as tarsnap counts) = $0.25 a month.
    expect(monthlyStorageCost(1e9)).toBe(0.25);
  });

  it('is exact for byte counts printed by tarsnap (no 0.30000000000000004)', () => {
    expect(transferCost(1_234_567)).toBe(0.00030864175);
    expect(monthlyStorageCost(1_200_000_000)).toBe(0.3);
  });
});

describe('formatDollars', () => {
  it.each([
    [0, '$0'],
    [2.5e-10, '<$0.000001'],
    [0.000001, '$0.0000010'],
    [0.000012, '$0.000012'],
    [0.00030864175, '$0.00031'],
    [0.0078, '$0.0078'],
    [0.00999, '$0.01'],
    [0.009999, '$0.01'],
    [0.01, '$0.01'],
    [0.25, '$0.25'],
    [12.4, '$12.40'],
    [999.999, '$1,000.00'],
    [1234.5, '$1,234.50'],
    [1_234_567.891, '$1,234,567.89'],
    [-0.25, '-$0.25'],
  ])('%s → %s', (amount, text) => {
    expect(formatDollars(amount)).toBe(text);
  });

  it('never prints an exponent and always starts with $ or <$', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (amount) => {
        const text = formatDollars(amount);
        expect(text).toMatch(/^(<\$0\.000001|\$[\d,]+(\.\d+)?)$/);
      }),
    );
  });
});

describe('the run summary line', () => {
  const base: ProfileSummary = {
    profile: 'daily',
    status: 'ok',
    archive: 'web-daily-2026-03-01_03-00-00',
    total_bytes: 1_200_000_000,
    compressed_bytes: 800_000_000,
    new_compressed_bytes: 3_100_000,
    duration_ms: 12_300,
    databases: 0,
    databases_failed: 0,
    writer_block_ms: 0,
  };

  it('says what the upload cost', () => {
    expect(formatSummaryLine(base)).toBe(
      'daily: ok  archive web-daily-2026-03-01_03-00-00  total 1.2 GB, compressed 800.0 MB, new upload 3.1 MB ($0.00077)  12.3s',
    );
  });

  it('says an unchanged backup cost nothing', () => {
    expect(formatSummaryLine({ ...base, new_compressed_bytes: 0 })).toContain('new upload 0 B ($0)');
  });
});
