import { describe, expect, it } from 'vitest';
import {
  checkExitCode,
  estimateRollbackStallMs,
  judgeSecretFileMode,
  renderCheckJson,
  renderCheckText,
  type CheckItem,
} from '../../src/core/check-report.js';

const ok: CheckItem = { check: 'tarsnap', status: 'ok', message: '/usr/local/bin/tarsnap: tarsnap 1.0.41' };
const warn: CheckItem = {
  check: 'sqlite',
  status: 'warn',
  message: '/srv/ghost.db: rollback journal (delete)',
  fix: 'switch to WAL for none',
};
const problem: CheckItem = {
  check: 'keyfile',
  status: 'problem',
  message: 'keyfile /root/tarsnap.key is readable by others (mode 0644)',
  fix: 'run chmod 600 /root/tarsnap.key',
};

describe('checkExitCode', () => {
  it.each([
    [[], 0],
    [[ok], 0],
    [[ok, warn], 0],
    [[ok, warn, problem], 3],
    [[problem], 3],
  ] as const)('%j → %d', (items, code) => {
    expect(checkExitCode(items)).toBe(code);
  });
});

describe('renderCheckText', () => {
  it('one line per finding, the fix after the message, and a summary', () => {
    expect(renderCheckText([ok, warn, problem])).toBe(
      [
        'ok      tarsnap: /usr/local/bin/tarsnap: tarsnap 1.0.41',
        'warn    sqlite: /srv/ghost.db: rollback journal (delete); switch to WAL for none',
        'PROBLEM keyfile: keyfile /root/tarsnap.key is readable by others (mode 0644); run chmod 600 /root/tarsnap.key',
        '1 problem, 1 warning: hotsnap run will fail or the key is exposed until the problems are fixed',
        '',
      ].join('\n'),
    );
  });

  it('says when only warnings are left, and when everything passed', () => {
    expect(renderCheckText([ok, warn, warn]).split('\n').at(-2)).toBe(
      'no problems, 2 warnings (backups can run; the warnings say what would make them better)',
    );
    expect(renderCheckText([ok, ok]).split('\n').at(-2)).toBe('all 2 checks passed');
  });
});

describe('renderCheckJson', () => {
  it('a list of {check, status, message, fix?}; no fix key when there is none', () => {
    const parsed = JSON.parse(renderCheckJson([ok, problem])) as unknown;
    expect(parsed).toEqual([
      { check: 'tarsnap', status: 'ok', message: '/usr/local/bin/tarsnap: tarsnap 1.0.41' },
      {
        check: 'keyfile',
        status: 'problem',
        message: 'keyfile /root/tarsnap.key is readable by others (mode 0644)',
        fix: 'run chmod 600 /root/tarsnap.key',
      },
    ]);
    expect(Object.keys((parsed as object[])[0]!)).toEqual(['check', 'status', 'message']);
  });
});

describe('estimateRollbackStallMs', () => {
  it.each([
    [0, 5],
    [4096, 6],
    [150_000_000, 106],
    // The measurement it comes from: 500 MB stalled writers 335 ms (+ the fixed start cost).
    [500_000_000, 340],
    [2_000_000_000, 1345],
  ])('%d bytes → %d ms', (bytes, ms) => {
    expect(estimateRollbackStallMs(bytes)).toBe(ms);
  });

  it('grows with the size', () => {
    expect(estimateRollbackStallMs(1e9)).toBeGreaterThan(estimateRollbackStallMs(1e8));
  });
});

describe('judgeSecretFileMode', () => {
  it.each([
    ['600', 0o100600, 'ok', 'passphrase file /root/my pass is private (mode 0600)', undefined],
    ['400', 0o100400, 'ok', 'passphrase file /root/my pass is private (mode 0400)', undefined],
    [
      '644',
      0o100644,
      'problem',
      'passphrase file /root/my pass is readable by others (mode 0644)',
      "run chmod 600 '/root/my pass'",
    ],
    [
      '606',
      0o100606,
      'problem',
      'passphrase file /root/my pass is readable and writable by others (mode 0606)',
      "run chmod 600 '/root/my pass'",
    ],
    [
      '640',
      0o100640,
      'warn',
      'passphrase file /root/my pass is readable by its group (mode 0640)',
      "run chmod 600 '/root/my pass', unless that group is meant to hold it",
    ],
    [
      '620',
      0o100620,
      'warn',
      'passphrase file /root/my pass is writable by its group (mode 0620)',
      "run chmod 600 '/root/my pass', unless that group is meant to hold it",
    ],
  ] as const)('mode %s → %s', (_shown, mode, status, message, fix) => {
    expect(judgeSecretFileMode('passphrase file', '/root/my pass', mode)).toEqual({
      status,
      message,
      ...(fix ? { fix } : {}),
    });
  });
});
