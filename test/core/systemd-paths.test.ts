import { describe, expect, it } from 'vitest';
import { enableElsewhereLines, unitSearchPaths } from '../../src/core/systemd-paths.js';

describe('unitSearchPaths', () => {
  it("lists systemd's unit directories, the user's own ones with --user", () => {
    expect(unitSearchPaths(false, '/home/u')).toContain('/etc/systemd/system');
    expect(unitSearchPaths(false, '/home/u')).not.toContain('/home/u/.config/systemd/user');
    expect(unitSearchPaths(true, '/home/u', '/run/user/1000')).toEqual(
      expect.arrayContaining(['/home/u/.config/systemd/user', '/run/user/1000/systemd/user', '/etc/systemd/user']),
    );
  });
});

describe('enableElsewhereLines', () => {
  it('user units: copy into ~/.config/systemd/user (made first), reload and enable with --user; link as the alternative', () => {
    const lines = enableElsewhereLines(
      '/tmp/my units',
      ['/tmp/my units/hotsnap-db.service', '/tmp/my units/hotsnap-db.timer'],
      ['hotsnap-db.timer'],
      true,
      '/home/u',
    );
    expect(lines).toEqual([
      '/tmp/my units is not a directory systemd reads units from; to enable them, copy them into /home/u/.config/systemd/user:',
      "  mkdir -p /home/u/.config/systemd/user && cp '/tmp/my units/hotsnap-db.service' '/tmp/my units/hotsnap-db.timer' /home/u/.config/systemd/user/",
      '  systemctl --user daemon-reload',
      '  systemctl --user enable --now hotsnap-db.timer',
      `or keep them in /tmp/my units (it must then stay there and be mounted at boot) and run "systemctl --user link '/tmp/my units/hotsnap-db.service' '/tmp/my units/hotsnap-db.timer'" instead of cp.`,
    ]);
  });
});
