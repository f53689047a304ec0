/** tarsnap's progress lines parsed, and progress as people read it (bar, log line, retry countdown). */
import { describe, expect, it } from 'vitest';
import {
  describeCreateWalk,
  formatProgressBar,
  formatProgressLog,
  formatRemaining,
  formatRetryCountdown,
  parseCreateProgressLine,
  parseExtractedLine,
  progressBytesArgs,
  progressBytesFor,
  progressFigures,
  tarEntryBytes,
} from '../../src/core/tarsnap-progress.js';

describe('parseCreateProgressLine', () => {
  it.each([
    ['Processed 12 entries, 4096 bytes', { kind: 'processed', entries: 12, bytes: 4096 }],
    ['Processed 0 entries, 0 bytes', { kind: 'processed', entries: 0, bytes: 0 }],
    ['adding srv/app.db (0 / 1048576 bytes)', { kind: 'adding' }],
    ['adding .hotsnap', { kind: 'adding' }],
    ["tarsnap: Removing leading '/' from member names", undefined],
    ['Processed 12 entries, 4.1 kB', undefined],
    ['                                       Total size  Compressed size', undefined],
    ['', undefined],
  ])('%j → %j', (line, expected) => {
    expect(parseCreateProgressLine(line)).toEqual(expected);
  });
});

describe('parseExtractedLine', () => {
  it.each([
    ['x srv/app.db', 'srv/app.db'],
    ['x dir with spaces/', 'dir with spaces/'],
    ['x ', undefined],
    ['tarsnap: Error opening archive', undefined],
    ["srv/app.db: Path contains '..'", undefined],
  ])('%j → %j', (line, expected) => {
    expect(parseExtractedLine(line)).toBe(expected);
  });
});

describe('progress intervals and sizes', () => {
  it.each([
    [0, 1000],
    [50_000, 1000],
    [5_000_000, 50_000],
    [1e9, 10_000_000],
    [Number.POSITIVE_INFINITY, 10_000_000],
  ])('progressBytesFor(%d) → %d', (total, expected) => {
    expect(progressBytesFor(total)).toBe(expected);
  });

  it('asks tarsnap for the interval unless extra_args already do (tarsnap refuses it twice), never under 1000', () => {
    expect(progressBytesArgs(50_000, [])).toEqual(['--progress-bytes', '50000']);
    expect(progressBytesArgs(10, ['--lowmem'])).toEqual(['--progress-bytes', '1000']);
    expect(progressBytesArgs(50_000, ['--progress-bytes', '1M'])).toEqual([]);
    expect(progressBytesArgs(50_000, ['--progress-bytes=1M'])).toEqual([]);
    expect(progressBytesArgs(50_000, ['--no-progress-bytes'])).toEqual([]);
    expect(progressBytesArgs(undefined, [])).toEqual([]);
  });

  it.each([
    [0, 512],
    [1, 1024],
    [512, 1024],
    [513, 1536],
  ])('tarEntryBytes(%d) → %d', (size, expected) => {
    expect(tarEntryBytes(size)).toBe(expected);
  });
});

describe('progressFigures', () => {
  it('gives fraction, rate and time left', () => {
    expect(progressFigures({ done: 50, total: 100, elapsedMs: 10_000 })).toEqual({
      fraction: 0.5,
      bytesPerSecond: 5,
      remainingMs: 10_000,
    });
  });

  it('tells no rate in the first second, and no time left past an estimate that was too small', () => {
    expect(progressFigures({ done: 50, total: 100, elapsedMs: 999 })).toEqual({ fraction: 0.5 });
    expect(progressFigures({ done: 150, total: 100, elapsedMs: 10_000 })).toEqual({
      fraction: 0.99,
      bytesPerSecond: 15,
    });
    expect(progressFigures({ done: 150, elapsedMs: 10_000 })).toEqual({ bytesPerSecond: 15 });
  });

  it.each([
    [400, '1 s'],
    [40_000, '40 s'],
    [200_000, '3 min'],
    [3_600_000, '1 h'],
    [4_500_000, '1 h 15 min'],
  ])('formatRemaining(%d) → %s', (ms, expected) => {
    expect(formatRemaining(ms)).toBe(expected);
  });
});

describe('progress lines', () => {
  it('logs bytes of about the total, percent, rate and time left', () => {
    expect(formatProgressLog('uploading', { done: 1.2e9, total: 3.4e9, elapsedMs: 100_000 })).toBe(
      'uploading: 1.2 GB of about 3.4 GB (35%), 12.0 MB/s, about 3 min left',
    );
  });

  it('logs bytes and rate alone without a total', () => {
    expect(formatProgressLog('restoring', { done: 2e6, elapsedMs: 2000 })).toBe('restoring: 2.0 MB, 1.0 MB/s');
  });

  it('draws a bar on a terminal', () => {
    expect(formatProgressBar('uploading', { done: 1.2e9, total: 3.4e9, elapsedMs: 100_000 })).toBe(
      'uploading [#######.............]  35% 1.2 GB of about 3.4 GB, 12.0 MB/s, about 3 min left',
    );
    expect(formatProgressBar('restoring', { done: 2e6, elapsedMs: 500 })).toBe('restoring: 2.0 MB');
  });

  it('counts a network retry down', () => {
    expect(formatRetryCountdown(4000, 1, 1)).toBe('cannot reach the tarsnap server; retrying in 4 s… (attempt 1 of 1)');
    expect(formatRetryCountdown(10, 2, 3)).toBe('cannot reach the tarsnap server; retrying in 1 s… (attempt 2 of 3)');
  });
});

describe('describeCreateWalk', () => {
  it('finds the -C directory, the operands and every exclude of a -c argv', () => {
    expect(
      describeCreateWalk([
        '-c',
        '--keyfile',
        'K',
        '--exclude=*.log',
        '--exclude',
        '*.tmp',
        '-f',
        'n',
        '-C',
        '/S',
        'srv/app.db',
        './-odd',
        '/etc',
      ]),
    ).toEqual({ directory: '/S', operands: ['srv/app.db', '-odd', '/etc'], excludes: ['*.log', '*.tmp'] });
  });
});
