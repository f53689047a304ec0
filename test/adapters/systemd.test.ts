import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemdAbsence, TEST_SYSTEMD_VARIABLE } from '../../src/adapters/systemd.js';

describe('systemdAbsence', () => {
  it('HOTSNAP_TEST_SYSTEMD stands in for the machine (tests only)', () => {
    expect(systemdAbsence(false, 0, { [TEST_SYSTEMD_VARIABLE]: 'present', PATH: '' })).toBeUndefined();
    expect(systemdAbsence(true, 0, { [TEST_SYSTEMD_VARIABLE]: 'absent' })).toBe(
      'this machine does not run systemd (no /run/systemd/system)',
    );
  });

  it('checks the machine: booted with systemd (sd_booted), then systemctl on PATH', () => {
    expect(systemdAbsence(false, 0, { PATH: '' })).toBe(
      existsSync('/run/systemd/system')
        ? 'systemctl is not on PATH'
        : 'this machine does not run systemd (no /run/systemd/system)',
    );
  });
});
