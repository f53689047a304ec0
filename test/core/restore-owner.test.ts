/**
 * What `restore` says about a restored database's owner and mode (issue 8 case 7): nothing for
 * manifests without owners, "as backed up" when they match, and the exact chown/chmod otherwise —
 * with the reason when the restore did not run as root.
 */
import { describe, expect, it } from 'vitest';
import {
  formatOwnerCheck,
  formatRestoreSummary,
  type DatabaseCheck,
  type FileOwner,
} from '../../src/core/restore-report.js';

const NOBODY: FileOwner = { uid: 65534, gid: 65534, user: 'nobody', group: 'nogroup', mode: '0640' };
const ALICE: FileOwner = { uid: 1000, gid: 1000, user: 'alice', group: 'alice', mode: '0640' };
const base: DatabaseCheck = { source: '/srv/a.db', restored_to: '/r/srv/a.db', status: 'ok' };

describe('formatOwnerCheck', () => {
  it.each<[string, DatabaseCheck, string]>([
    ['a manifest from before owners were recorded', { ...base, owner: ALICE }, ''],
    [
      'restored as backed up',
      { ...base, expected_owner: NOBODY, owner: NOBODY, restored_by_root: true },
      'owner nobody:nogroup 0640, as backed up',
    ],
    [
      'not root: tarsnap kept the restoring user as owner',
      { ...base, expected_owner: NOBODY, owner: ALICE, restored_by_root: false },
      'owner alice:alice 0640, backed up as nobody:nogroup 0640: tarsnap gives files their owners back only when run as root; run chown nobody:nogroup /r/srv/a.db before the application opens it',
    ],
    [
      'root, but the owner is unknown on this machine and the mode differs',
      {
        ...base,
        expected_owner: { uid: 2001, gid: 2001, user: '2001', group: '2001', mode: '0600' },
        owner: { ...NOBODY, uid: 0, gid: 0, user: 'root', group: 'root', mode: '0644' },
        restored_by_root: true,
      },
      'owner root:root 0644, backed up as 2001:2001 0600; run chown 2001:2001 /r/srv/a.db && chmod 0600 /r/srv/a.db before the application opens it',
    ],
    [
      'only the mode differs (a umask), the path quoted for the shell',
      {
        ...base,
        restored_to: '/r/my srv/a.db',
        expected_owner: { ...ALICE, mode: '0664' },
        owner: ALICE,
        restored_by_root: false,
      },
      "owner alice:alice 0640, backed up as alice:alice 0664; run chmod 0664 '/r/my srv/a.db' before the application opens it",
    ],
  ])('%s', (_name, check, text) => {
    expect(formatOwnerCheck(check)).toBe(text);
  });
});

describe('formatRestoreSummary with owners', () => {
  it('puts the owner line under its database', () => {
    const text = formatRestoreSummary({
      archive: 'blog-daily-1',
      target: '/r',
      files: 1,
      manifest: '/r/.hotsnap/manifest.json',
      databases: [{ ...base, expected_owner: NOBODY, owner: NOBODY, restored_by_root: true }],
      warnings: [],
      ok: true,
    });
    expect(text).toBe(
      [
        'restored blog-daily-1 into /r: 1 file',
        'manifest: /r/.hotsnap/manifest.json',
        '  /srv/a.db: verified ok (SHA-256 matches the manifest, integrity_check ok)',
        '    owner nobody:nogroup 0640, as backed up',
        'all 1 database verified',
        '',
      ].join('\n'),
    );
  });
});
