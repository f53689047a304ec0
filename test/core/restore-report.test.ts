import { describe, expect, it } from 'vitest';
import {
  allVerified,
  formatDatabaseCheck,
  formatRestoreSummary,
  formatVerifySummary,
  shortDatabaseVerdict,
  type DatabaseCheck,
} from '../../src/core/restore-report.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('formatDatabaseCheck', () => {
  it.each<[DatabaseCheck, string]>([
    [
      { source: '/srv/a.db', status: 'ok', expected_sha256: A, sha256: A, integrity: [] },
      '/srv/a.db: verified ok (SHA-256 matches the manifest, integrity_check ok)',
    ],
    [
      { source: '/srv/a.db', status: 'ok', integrity: [], removed: ['/r/srv/a.db-wal'] },
      '/srv/a.db: verified ok (SHA-256 matches the manifest, integrity_check ok); removed stale /r/srv/a.db-wal',
    ],
    [
      { source: '/srv/a.db', status: 'mismatch', expected_sha256: A, sha256: B, integrity: [] },
      '/srv/a.db: MISMATCH: SHA-256 mismatch (manifest aaaaaaaaaaaaaaaa…, restored bbbbbbbbbbbbbbbb…); integrity_check ok, but these are not the bytes that were backed up',
    ],
    [
      { source: '/srv/a.db', status: 'mismatch', expected_sha256: A, sha256: B, integrity: ['p1', 'p2', 'p3', 'p4'] },
      '/srv/a.db: MISMATCH: SHA-256 mismatch (manifest aaaaaaaaaaaaaaaa…, restored bbbbbbbbbbbbbbbb…); integrity_check failed (4 problems: p1; p2; p3; …)',
    ],
    [
      {
        source: '/srv/a.db',
        status: 'integrity-failed',
        expected_sha256: A,
        sha256: A,
        integrity: ['row 3 missing from index i'],
      },
      '/srv/a.db: INTEGRITY FAILED: SHA-256 matches the manifest, but integrity_check failed (1 problem: row 3 missing from index i)',
    ],
    [
      { source: '/srv/a.db', status: 'missing', restored_to: '/r/srv/a.db', detail: 'no such file' },
      '/srv/a.db: MISSING: the manifest lists it, but the extraction did not restore /r/srv/a.db (no such file)',
    ],
    [
      { source: '/srv/a.db', status: 'not-in-archive', detail: 'its hot copy failed at backup time: locked\nmore' },
      '/srv/a.db: NOT IN ARCHIVE: its hot copy failed at backup time: locked',
    ],
    [
      {
        source: '/srv/a.db',
        status: 'unsafe',
        detail: 'the archive is unsafe: /srv in the restored tree is a symlink to /srv/live; …',
      },
      '/srv/a.db: UNSAFE, not checked: the archive is unsafe: /srv in the restored tree is a symlink to /srv/live; …',
    ],
  ])('%j', (check, line) => {
    expect(formatDatabaseCheck(check)).toBe(line);
  });
});

describe('verdicts', () => {
  it('all verified only when every status is ok', () => {
    expect(allVerified([])).toBe(true);
    expect(allVerified([{ source: '/a', status: 'ok' }])).toBe(true);
    expect(
      allVerified([
        { source: '/a', status: 'ok' },
        { source: '/b', status: 'not-in-archive' },
      ]),
    ).toBe(false);
    expect(
      allVerified([
        { source: '/a', status: 'ok' },
        { source: '/b', status: 'unsafe' },
      ]),
    ).toBe(false);
  });

  it('short verdicts name the database and the failure', () => {
    expect(shortDatabaseVerdict({ source: '/srv/a.db', status: 'mismatch' })).toBe('/srv/a.db: SHA-256 mismatch');
    expect(shortDatabaseVerdict({ source: '/srv/a.db', status: 'integrity-failed' })).toBe(
      '/srv/a.db: integrity_check failed',
    );
    expect(shortDatabaseVerdict({ source: '/srv/a.db', status: 'unsafe' })).toBe(
      '/srv/a.db: the archive is unsafe (a symlink, hard link or odd path in it could lead outside the restored tree); not checked',
    );
  });
});

describe('formatRestoreSummary', () => {
  it('says what was restored, where the manifest is, and each database', () => {
    const text = formatRestoreSummary({
      archive: 'blog-daily-1',
      target: '/tmp/r',
      files: 1,
      manifest: '/tmp/r/.hotsnap/manifest.json',
      databases: [
        { source: '/srv/a.db', status: 'ok' },
        { source: '/srv/b.db', status: 'mismatch', expected_sha256: A, sha256: B },
      ],
      warnings: ['restoring over the live database /srv/a.db'],
      ok: false,
    });
    expect(text).toBe(
      [
        'restored blog-daily-1 into /tmp/r: 1 file',
        'WARNING: restoring over the live database /srv/a.db',
        'manifest: /tmp/r/.hotsnap/manifest.json',
        '  /srv/a.db: verified ok (SHA-256 matches the manifest, integrity_check ok)',
        '  /srv/b.db: MISMATCH: SHA-256 mismatch (manifest aaaaaaaaaaaaaaaa…, restored bbbbbbbbbbbbbbbb…)',
        '1 of 2 databases FAILED verification',
        '',
      ].join('\n'),
    );
  });

  it('says so when the archive has no manifest', () => {
    const text = formatRestoreSummary({
      archive: 'x',
      target: '/r',
      files: 3,
      manifest: null,
      databases: [],
      warnings: [],
      ok: true,
    });
    expect(text).toBe(
      'restored x into /r: 3 files\nmanifest: none in this archive (not made by hotsnap?), so no database was checked\n',
    );
  });
});

describe('formatVerifySummary', () => {
  it('one line per profile, then one per database and missing path', () => {
    const text = formatVerifySummary({
      profile: 'daily',
      status: 'failed',
      archive: 'blog-daily-1',
      duration_ms: 1234,
      databases: [{ source: '/srv/a.db', status: 'mismatch', expected_sha256: A, sha256: B, integrity: [] }],
      paths_checked: 2,
      missing_paths: ['/home/bob'],
      error: '/srv/a.db: SHA-256 mismatch; configured path not in the archive: /home/bob',
    });
    expect(text.split('\n')).toEqual([
      'daily: FAILED  archive blog-daily-1  0 of 1 database verified  1 of 2 paths present  1.2s  error: /srv/a.db: SHA-256 mismatch; configured path not in the archive: /home/bob',
      '  /srv/a.db: MISMATCH: SHA-256 mismatch (manifest aaaaaaaaaaaaaaaa…, restored bbbbbbbbbbbbbbbb…); integrity_check ok, but these are not the bytes that were backed up',
      '  /home/bob: NOT IN ARCHIVE (configured, but the archive does not hold it)',
    ]);
  });

  it('a profile with no archive yet', () => {
    expect(
      formatVerifySummary({
        profile: 'weekly',
        status: 'failed',
        duration_ms: 3,
        databases: [],
        missing_paths: [],
        error: 'profile weekly has no complete archive yet',
      }),
    ).toBe('weekly: FAILED  0.0s  error: profile weekly has no complete archive yet');
  });
});
