import { describe, expect, it } from 'vitest';
import { classifyTarsnapFailure } from '../../src/core/tarsnap-failure.js';

describe('classifyTarsnapFailure', () => {
  it.each([
    ['lock-busy', 1, 'tarsnap: Transaction already in progress\ntarsnap: Error creating new archive\n'],
    ['needs-fsck', 1, 'tarsnap: Sequence number mismatch: Run --fsck\ntarsnap: Error creating new archive\n'],
    ['needs-fsck', 1, 'tarsnap: Directory is not consistent with archive: Run --fsck\n'],
    ['needs-fsck', 1, 'tarsnap: Chunk not present: 0123abcd: Run --fsck\n'],
    ['no-cache', 1, 'tarsnap: Cache directory must already exist for -d; check --cachedir and/or run --fsck\n'],
    ['key-missing', 1, 'tarsnap: fopen(/root/k): No such file or directory\ntarsnap: Cannot read key file: /root/k\n'],
    ['key-corrupt', 1, 'tarsnap: Key file is corrupt or truncated: /root/k\ntarsnap: Cannot read key file: /root/k\n'],
    [
      'key-passphrase',
      1,
      'tarsnap: Error reading passphrase: Inappropriate ioctl for device\ntarsnap: Cannot read key file: /root/k\n',
    ],
    ['key-passphrase', 1, 'tarsnap: Passphrase is incorrect\ntarsnap: Cannot read key file: /root/k\n'],
    ['no-key', 1, 'tarsnap: Keys must be provided via --keyfile option\n'],
    ['write-only-key', 1, 'tarsnap: The read authorization key is required for --list-archives but is not available\n'],
    ['write-only-key', 1, 'tarsnap: The archive decryption key is required for -x but is not available\n'],
    ['key-permission', 1, 'tarsnap: The delete authorization key is required for -d but is not available\n'],
    ['key-permission', 1, 'tarsnap: The write authorization key is required for -c but is not available\n'],
    [
      'key-permission',
      1,
      'tarsnap: The write or delete authorization key is required for --fsck but is not available\n',
    ],
    [
      'archive-exists',
      1,
      'tarsnap: An archive already exists with the name "web1-daily-x"\ntarsnap: Error creating new archive\n',
    ],
    ['archive-missing', 1, 'tarsnap: Archive does not exist: web1-daily-x\ntarsnap: Error deleting archive\n'],
    ['truncated', 0, 'tarsnap: quit signal received or bandwidth limit reached; archive is being truncated\n'],
    [
      'network',
      1,
      'tarsnap: Error looking up v1-0-0-server.tarsnap.com: Name or service not known\n' +
        'tarsnap: Cannot obtain server address\n' +
        'tarsnap: Error creating new archive\n',
    ],
    ['network', 1, 'tarsnap: Too many network failures\n'],
    ['network', 1, 'tarsnap: Connection lost, waiting 8 seconds before reconnecting\n'],
    ['network', 1, 'tarsnap: Error creating new archive\n'],
    [
      'server-modified',
      2,
      'tarsnap: /home/x: Cannot stat: Permission denied\n' +
        'tarsnap: Error exit delayed from previous errors.\n' +
        'tarsnap: Data on server was modified, but it might notbe exactly what you requested\n',
    ],
    ['unknown', 1, 'tarsnap: something new\n'],
    ['unknown', 1, ''],
  ])('%s ← exit %i: %j', (kind, exitCode, stderr) => {
    expect(classifyTarsnapFailure(exitCode, stderr).kind).toBe(kind);
  });

  it('gives the exact fsck command with the paths it was told', () => {
    expect(
      classifyTarsnapFailure(1, 'tarsnap: Sequence number mismatch: Run --fsck\n', {
        keyfile: '/root/tarsnap.key',
        cachedir: '/var/cache/my tarsnap',
      }).hint,
    ).toBe(
      "the cache directory is out of step with the server; run: tarsnap --fsck --keyfile /root/tarsnap.key --cachedir '/var/cache/my tarsnap' (or set tarsnap.auto_fsck: true), then retry",
    );
  });

  it('names the matching line', () =>
    expect(
      classifyTarsnapFailure(1, 'tarsnap: Cannot obtain server address\ntarsnap: Error creating new archive\n').line,
    ).toBe('tarsnap: Cannot obtain server address'));

  it('exit 2 marks the server as modified even when a specific cause is known', () => {
    expect(
      classifyTarsnapFailure(2, 'tarsnap: Too many network failures\ntarsnap: Error deleting archive\n'),
    ).toMatchObject({ kind: 'network', serverModified: true });
    expect(classifyTarsnapFailure(1, 'tarsnap: Too many network failures\n')).toMatchObject({
      kind: 'network',
      serverModified: false,
    });
  });

  it('says when a signal ended it', () => expect(classifyTarsnapFailure(null, '').hint).toMatch(/a signal/));
});
