import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countArchives,
  escapeLabelValue,
  formatSampleValue,
  renderMetrics,
  type MetricsInput,
  type MetricsRun,
} from '../../src/core/metrics.js';
import { parseExposition } from './exposition-validator.js';

const dailyOk: MetricsRun = {
  finished: '2026-01-02T03:04:05.250Z',
  status: 'ok',
  duration_ms: 83_412,
  stats: {
    total_bytes: 1_234_567_890,
    compressed_bytes: 456_789_012,
    new_bytes: 3_456_789,
    new_compressed_bytes: 1_234_567,
  },
  databases: 2,
  writer_block_ms: 37,
};
const weeklyOk: MetricsRun = {
  finished: '2025-12-28T03:00:41.000Z',
  status: 'ok',
  duration_ms: 120_000,
  stats: { total_bytes: 2000, compressed_bytes: 1000, new_bytes: 0 },
  databases: 1,
  writer_block_ms: 0,
};
const weeklyFailed: MetricsRun = {
  finished: '2026-01-01T04:10:00.000Z',
  status: 'failed',
  duration_ms: 1500,
  databases: 0,
  writer_block_ms: 0,
};

const input: MetricsInput = {
  profiles: [
    {
      profile: 'daily',
      last_attempt: dailyOk,
      last_success: dailyOk,
      last_verify: { time: '2026-01-02T03:04:05.000Z', status: 'ok', databases: 2 },
      archives: { complete: 31, partial: 1, incomplete: 2 },
    },
    {
      profile: 'weekly',
      last_attempt: weeklyFailed,
      last_success: weeklyOk,
      archives: { complete: 4, partial: 0, incomplete: 0 },
    },
    // Never ran, and its archives could not be listed (write-only key).
    { profile: 'monthly' },
  ],
};

const GOLDEN = `# HELP hotsnap_last_success_timestamp_seconds Unix time the last successful backup of the profile finished (0 if it never succeeded).
# TYPE hotsnap_last_success_timestamp_seconds gauge
hotsnap_last_success_timestamp_seconds{profile="daily"} 1767323045.25
hotsnap_last_success_timestamp_seconds{profile="weekly"} 1766890841
hotsnap_last_success_timestamp_seconds{profile="monthly"} 0
# HELP hotsnap_last_run_timestamp_seconds Unix time the last backup attempt finished.
# TYPE hotsnap_last_run_timestamp_seconds gauge
hotsnap_last_run_timestamp_seconds{profile="daily"} 1767323045.25
hotsnap_last_run_timestamp_seconds{profile="weekly"} 1767240600
# HELP hotsnap_last_run_success 1 if the last backup attempt succeeded, 0 if it failed.
# TYPE hotsnap_last_run_success gauge
hotsnap_last_run_success{profile="daily"} 1
hotsnap_last_run_success{profile="weekly"} 0
# HELP hotsnap_last_run_duration_seconds How long the last backup attempt took (hot copies, tarsnap, prune).
# TYPE hotsnap_last_run_duration_seconds gauge
hotsnap_last_run_duration_seconds{profile="daily"} 83.412
hotsnap_last_run_duration_seconds{profile="weekly"} 1.5
# HELP hotsnap_last_run_databases_copied SQLite databases hot-copied by the last backup attempt.
# TYPE hotsnap_last_run_databases_copied gauge
hotsnap_last_run_databases_copied{profile="daily"} 2
hotsnap_last_run_databases_copied{profile="weekly"} 0
# HELP hotsnap_last_run_writer_block_seconds How long the hot copies of the last backup attempt kept the applications from writing (summed over databases).
# TYPE hotsnap_last_run_writer_block_seconds gauge
hotsnap_last_run_writer_block_seconds{profile="daily"} 0.037
hotsnap_last_run_writer_block_seconds{profile="weekly"} 0
# HELP hotsnap_last_success_total_bytes Size of the last successful archive before compression and deduplication.
# TYPE hotsnap_last_success_total_bytes gauge
hotsnap_last_success_total_bytes{profile="daily"} 1234567890
hotsnap_last_success_total_bytes{profile="weekly"} 2000
# HELP hotsnap_last_success_compressed_bytes Compressed size of the last successful archive.
# TYPE hotsnap_last_success_compressed_bytes gauge
hotsnap_last_success_compressed_bytes{profile="daily"} 456789012
hotsnap_last_success_compressed_bytes{profile="weekly"} 1000
# HELP hotsnap_last_success_new_bytes Data of the last successful archive not already stored by earlier archives (before compression).
# TYPE hotsnap_last_success_new_bytes gauge
hotsnap_last_success_new_bytes{profile="daily"} 3456789
hotsnap_last_success_new_bytes{profile="weekly"} 0
# HELP hotsnap_last_success_new_compressed_bytes What the last successful archive added to the tarsnap account (compressed new data).
# TYPE hotsnap_last_success_new_compressed_bytes gauge
hotsnap_last_success_new_compressed_bytes{profile="daily"} 1234567
# HELP hotsnap_prune_refused 1 if the prune after the last backup was refused (max_delete, a wrong clock): the backup is stored, old archives pile up until the command in the log is run once.
# TYPE hotsnap_prune_refused gauge
hotsnap_prune_refused{profile="daily"} 0
# HELP hotsnap_archives Complete archives of the profile stored in tarsnap.
# TYPE hotsnap_archives gauge
hotsnap_archives{profile="daily"} 31
hotsnap_archives{profile="weekly"} 4
# HELP hotsnap_partial_archives Truncated .part archives of the profile (interrupted runs; never counted as backups).
# TYPE hotsnap_partial_archives gauge
hotsnap_partial_archives{profile="daily"} 1
hotsnap_partial_archives{profile="weekly"} 0
# HELP hotsnap_incomplete_archives Archives of the profile stored without a database whose hot copy failed (.incomplete; never counted as backups).
# TYPE hotsnap_incomplete_archives gauge
hotsnap_incomplete_archives{profile="daily"} 2
hotsnap_incomplete_archives{profile="weekly"} 0
# HELP hotsnap_last_verify_timestamp_seconds Unix time the last restore drill (hotsnap verify) of the profile finished.
# TYPE hotsnap_last_verify_timestamp_seconds gauge
hotsnap_last_verify_timestamp_seconds{profile="daily"} 1767323045
# HELP hotsnap_last_verify_success 1 if the last restore drill succeeded, 0 if it failed.
# TYPE hotsnap_last_verify_success gauge
hotsnap_last_verify_success{profile="daily"} 1
# HELP hotsnap_last_verify_databases SQLite databases checked by the last restore drill.
# TYPE hotsnap_last_verify_databases gauge
hotsnap_last_verify_databases{profile="daily"} 2
# HELP hotsnap_tarsnap_storage_price_dollars_per_byte_month tarsnap's storage price (250 picodollars per byte-month; https://www.tarsnap.com/picoUSD-why.html).
# TYPE hotsnap_tarsnap_storage_price_dollars_per_byte_month gauge
hotsnap_tarsnap_storage_price_dollars_per_byte_month 2.5e-10
# HELP hotsnap_tarsnap_bandwidth_price_dollars_per_byte tarsnap's bandwidth price, either direction (250 picodollars per byte).
# TYPE hotsnap_tarsnap_bandwidth_price_dollars_per_byte gauge
hotsnap_tarsnap_bandwidth_price_dollars_per_byte 2.5e-10
`;

describe('renderMetrics', () => {
  it('matches the golden text', () => {
    expect(renderMetrics(input)).toBe(GOLDEN);
  });

  it('passes the strict exposition-format check, every family a gauge with help', () => {
    const parsed = parseExposition(renderMetrics(input));
    expect(parsed.families.size).toBe(19);
    for (const [name, family] of parsed.families) {
      expect(name.startsWith('hotsnap_')).toBe(true);
      expect(family.type).toBe('gauge');
      expect(family.help).toBeTruthy();
      // The account's families (stored bytes, prices) have no profile label.
      const labels = name.startsWith('hotsnap_tarsnap_') || name.startsWith('hotsnap_account_') ? '' : 'profile';
      expect(family.samples.every((sample) => Object.keys(sample.labels).join() === labels)).toBe(true);
    }
  });

  it('leaves out a dry run as "last run", and unparseable times', () => {
    const text = renderMetrics({
      profiles: [
        {
          profile: 'p',
          last_attempt: { ...weeklyFailed, status: 'dry-run' },
          last_success: { ...weeklyOk, finished: 'garbage' },
        },
      ],
    });
    expect(text).not.toContain('hotsnap_last_run_');
    expect(text).not.toContain('hotsnap_last_success_timestamp_seconds{');
    expect(text).toContain('hotsnap_last_success_total_bytes{profile="p"} 2000');
    parseExposition(text);
  });

  it('hotsnap_prune_refused is 1 after a backup whose prune was refused, absent after a failed one', () => {
    const text = renderMetrics({
      profiles: [
        { profile: 'a', last_attempt: { ...dailyOk, prune_refused: 'the plan deletes 8 of 11 archives' } },
        { profile: 'b', last_attempt: { ...weeklyFailed, prune_refused: 'stale' } },
      ],
    });
    expect(text).toMatch(/^hotsnap_prune_refused\{profile="a"\} 1$/m);
    expect(text).not.toContain('hotsnap_prune_refused{profile="b"}');
  });

  it('renders nothing for no profiles', () => {
    expect(renderMetrics({ profiles: [] })).toBe('');
  });

  it('escapes label values and writes special floats as the format wants', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect([NaN, Infinity, -Infinity, 1e21, 0.1, -0].map(formatSampleValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '1e+21',
      '0.1',
      '0',
    ]);
    const text = renderMetrics({ profiles: [{ profile: 'we"ird\\name\nx' }] });
    expect(text).toContain('hotsnap_last_success_timestamp_seconds{profile="we\\"ird\\\\name\\nx"} 0\n');
  });

  it('property: any profile names and numbers give valid text whose labels and values read back exactly', () => {
    const run = fc.record({
      finished: fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      status: fc.constantFrom('ok' as const, 'failed' as const),
      duration_ms: fc.double({ min: 0, max: 1e12, noNaN: true }),
      databases: fc.nat(),
      writer_block_ms: fc.double({ min: 0, max: 1e9, noNaN: true }),
      stats: fc.record({ total_bytes: fc.nat(), compressed_bytes: fc.nat(), new_bytes: fc.nat() }),
    });
    const profile = fc.record(
      {
        // Control characters, quotes, backslashes and newlines as well as any Unicode.
        profile: fc.oneof(
          fc.string({ unit: 'grapheme', minLength: 1 }),
          fc.string({ unit: 'binary-ascii', minLength: 1 }),
        ),
        last_attempt: run,
        last_success: run,
        archives: fc.record({ complete: fc.nat(), partial: fc.nat() }),
      },
      { requiredKeys: ['profile'] },
    );
    fc.assert(
      fc.property(fc.uniqueArray(profile, { selector: (p) => p.profile, maxLength: 5 }), (profiles) => {
        const parsed = parseExposition(renderMetrics({ profiles }));
        const seen = parsed.families.get('hotsnap_last_success_timestamp_seconds')?.samples ?? [];
        expect(seen.map((sample) => sample.labels.profile)).toEqual(profiles.map((p) => p.profile));
        const durations = parsed.families.get('hotsnap_last_run_duration_seconds')?.samples ?? [];
        expect(durations.map((sample) => sample.value)).toEqual(
          profiles.filter((p) => p.last_attempt).map((p) => p.last_attempt!.duration_ms / 1000),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseExposition (the checker itself must be able to fail)', () => {
  const ok = '# HELP m help\n# TYPE m gauge\nm{a="1"} 1\n';
  it.each([
    ['no final newline', ok.slice(0, -1)],
    ['sample before TYPE', 'm 1\n'],
    ['bad escape', '# HELP m h\n# TYPE m gauge\nm{a="\\t"} 1\n'],
    ['unquoted label', '# HELP m h\n# TYPE m gauge\nm{a=1} 1\n'],
    ['duplicate series', `${ok}m{a="1"} 2\n`],
    ['interleaved family', `${ok}# HELP n h\n# TYPE n gauge\nn 1\nm{a="2"} 1\n`],
    ['bad value', '# HELP m h\n# TYPE m gauge\nm 1,5\n'],
    ['bad metric name', '# HELP 1m h\n# TYPE 1m gauge\n1m 1\n'],
    ['unknown type', '# HELP m h\n# TYPE m meter\nm 1\n'],
    ['reserved label name', '# HELP m h\n# TYPE m gauge\nm{__name__="x"} 1\n'],
    ['blank line', `${ok}\n`],
    ['HELP after samples', `${ok}# HELP m again\n`],
  ])('rejects %s', (_name, text) => {
    expect(() => parseExposition(text)).toThrow();
  });

  it('accepts well-formed text, with a timestamp and special values', () => {
    const parsed = parseExposition(
      '# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{a="x\\"y",b="2",} +Inf 1700000000000\nm{a="z"} NaN\n',
    );
    expect(parsed.families.get('m')!.help).toBe('a \\ b\nc');
    expect(parsed.families.get('m')!.samples[0]!.labels).toEqual({ a: 'x"y', b: '2' });
  });
});

describe('countArchives', () => {
  it('counts complete and partial archives per profile, zero for a profile with none, ignoring others', () => {
    const archives = [
      { profile: 'daily', partial: false, incomplete: false },
      { profile: 'daily', partial: false, incomplete: false },
      { profile: 'daily', partial: true, incomplete: false },
      { profile: 'daily', partial: false, incomplete: true },
      { profile: null, partial: false, incomplete: false },
      { profile: 'constructor', partial: false, incomplete: false },
      { profile: 'old-profile', partial: false, incomplete: false },
    ];
    expect(countArchives(archives, ['daily', 'weekly', 'constructor'])).toEqual({
      daily: { complete: 2, partial: 1, incomplete: 1 },
      weekly: { complete: 0, partial: 0, incomplete: 0 },
      constructor: { complete: 1, partial: 0, incomplete: 0 },
    });
    expect(countArchives(archives, ['weekly'])).toEqual({ weekly: { complete: 0, partial: 0, incomplete: 0 } });
  });
});
