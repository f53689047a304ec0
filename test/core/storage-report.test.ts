import { describe, expect, it } from 'vitest';
import type { AccountStats } from '../../src/core/archive-stats.js';
import { planStorageReport, renderStorageReport } from '../../src/core/storage-report.js';

const stats: AccountStats = {
  allArchives: { total: 9_000_000_000, compressed: 4_500_000_000 },
  uniqueData: { total: 2_000_000_000, compressed: 1_200_000_000 },
  archives: [
    {
      name: 'web-daily-1',
      total: 3_000_000_000,
      compressed: 1_500_000_000,
      unique: { total: 10, compressed: 4_000_000 },
    },
    {
      name: 'web-daily-2',
      total: 3_000_000_000,
      compressed: 1_500_000_000,
      unique: { total: 10, compressed: 6_000_000 },
    },
    { name: 'web-weekly-1', total: 2_000_000_000, compressed: 1_000_000_000, unique: { total: 10, compressed: 0 } },
    { name: 'manual', total: 1_000_000_000, compressed: 500_000_000, unique: { total: 10, compressed: 400_000_000 } },
  ],
};
const owners = [
  { name: 'web-daily-1', profile: 'daily' },
  { name: 'web-daily-2', profile: 'daily' },
  { name: 'web-weekly-1', profile: 'weekly' },
  { name: 'manual', profile: null },
];

describe('planStorageReport', () => {
  it('bills the account on its compressed unique data, and sums each profile as a lower bound', () => {
    const report = planStorageReport(stats, owners, ['daily', 'weekly', 'monthly'], true);
    expect(report.account).toEqual({
      archives: 4,
      total_bytes: 9_000_000_000,
      compressed_bytes: 4_500_000_000,
      stored_bytes: 1_200_000_000,
      monthly_cost_dollars: 0.3,
    });
    expect(report.profiles).toEqual([
      {
        profile: 'daily',
        archives: 2,
        total_bytes: 6_000_000_000,
        compressed_bytes: 3_000_000_000,
        unique_compressed_bytes_at_least: 10_000_000,
        monthly_cost_dollars_at_least: 0.0025,
      },
      {
        profile: 'weekly',
        archives: 1,
        total_bytes: 2_000_000_000,
        compressed_bytes: 1_000_000_000,
        unique_compressed_bytes_at_least: 0,
        monthly_cost_dollars_at_least: 0,
      },
      {
        profile: 'monthly',
        archives: 0,
        total_bytes: 0,
        compressed_bytes: 0,
        unique_compressed_bytes_at_least: 0,
        monthly_cost_dollars_at_least: 0,
      },
    ]);
    expect(report.other?.archives).toBe(1);
    expect(report.other?.unique_compressed_bytes_at_least).toBe(400_000_000);
  });

  it('leaves archives of no profile out when profiles were named', () => {
    expect(planStorageReport(stats, owners, ['daily'], false).other).toBeUndefined();
  });

  it('reads as text: the account first, what a profile line means last', () => {
    const text = renderStorageReport(planStorageReport(stats, owners, ['daily', 'monthly'], true));
    expect(text).toBe(
      [
        'account: 1.2 GB stored (compressed unique data, what tarsnap bills) ≈ $0.30/month',
        '  4 archives: total 9.0 GB, compressed 4.5 GB before deduplication',
        'daily: 2 archives, total 6.0 GB, compressed 3.0 GB, unique at least 10.0 MB (≥ $0.0025/month)',
        'monthly: no archives',
        'not from any profile of this config: 1 archive, total 1.0 GB, compressed 500.0 MB, unique at least 400.0 MB (≥ $0.10/month)',
        'A profile\'s "unique" is a lower bound: data its archives share with each other or with other profiles is in',
        "no archive's unique figure; the account line is what you pay for (250 picodollars per byte-month).",
        '',
      ].join('\n'),
    );
  });
});
