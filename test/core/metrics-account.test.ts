import { describe, expect, it } from 'vitest';
import { renderMetrics, type MetricsRun } from '../../src/core/metrics.js';
import { parseExposition } from './exposition-validator.js';

const run = (finished: string, stored?: number): MetricsRun => ({
  finished,
  status: 'ok',
  duration_ms: 1000,
  stats: {
    total_bytes: 10,
    compressed_bytes: 5,
    new_bytes: 2,
    new_compressed_bytes: 1,
    ...(stored !== undefined ? { stored_bytes: stored } : {}),
  },
});

describe('account metrics', () => {
  it('export the stored bytes of the newest successful backup and the prices, without a profile label', () => {
    const text = renderMetrics({
      profiles: [
        { profile: 'weekly', last_success: run('2026-01-01T03:00:00Z', 1000) },
        { profile: 'daily', last_success: run('2026-01-02T03:00:00Z', 1200) },
      ],
    });
    expect(text).toContain('# TYPE hotsnap_account_stored_bytes gauge\nhotsnap_account_stored_bytes 1200\n');
    expect(text).toContain('hotsnap_tarsnap_storage_price_dollars_per_byte_month 2.5e-10\n');
    expect(text).toContain('hotsnap_tarsnap_bandwidth_price_dollars_per_byte 2.5e-10\n');
    // Valid exposition text, and every family has HELP and TYPE.
    expect(() => parseExposition(text)).not.toThrow();
  });

  it('leave the stored bytes out when no state recorded them (older state files), but keep the prices', () => {
    const text = renderMetrics({ profiles: [{ profile: 'daily', last_success: run('2026-01-02T03:00:00Z') }] });
    expect(text).not.toContain('hotsnap_account_stored_bytes');
    expect(text).toContain('hotsnap_tarsnap_storage_price_dollars_per_byte_month');
  });

  it('are absent when no backup ever reported sizes', () => {
    expect(renderMetrics({ profiles: [{ profile: 'daily' }] })).not.toContain('hotsnap_tarsnap');
  });
});
