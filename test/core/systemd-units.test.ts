import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planScheduledJobs } from '../../src/core/schedule.js';
import {
  commonDirectory,
  randomizedDelaySeconds,
  renderUnits,
  systemdQuote,
  type SandboxProfile,
  type UnitFile,
  type UnitOptions,
} from '../../src/core/systemd-units.js';
import { parseCalendar } from '../../src/core/calendar.js';
import { parseUnit, unitValue as value } from './unit-ini.js';

const BASE = Date.parse('2024-03-01T00:00:00Z');

/** A profile as commands/schedule passes it: its databases and paths read, the databases' directories written. */
function profile(name: string, sqlite: string[], paths: string[], git: string[] = []): SandboxProfile {
  return {
    name,
    read: [...sqlite, ...git, ...paths],
    write: sqlite.map((db) => db.replace(/\/[^/]*$/, '')),
    link: git,
  };
}

function options(overrides: Partial<UnitOptions> = {}): UnitOptions {
  return {
    node: '/usr/bin/node',
    script: '/opt/hotsnap/bin/hotsnap.js',
    configFile: '/etc/hotsnap/hotsnap.yaml',
    user: false,
    stateDir: '/var/lib/hotsnap',
    cacheDir: '/var/cache/tarsnap',
    stagingDir: '/var/lib/hotsnap/staging',
    metricsFile: '/var/lib/node_exporter/textfile/hotsnap.prom',
    profiles: [
      profile('daily', ['/var/www/ghost/content/data/ghost.db'], ['/var/www/ghost/content/images', '/etc']),
      profile('weekly', [], ['/home']),
    ],
    reference: BASE,
    timeZone: 'UTC',
    ...overrides,
  };
}

const jobs = planScheduledJobs({
  file: '/etc/hotsnap/hotsnap.yaml',
  profiles: [
    { name: 'daily', schedule: 'daily' },
    { name: 'weekly', schedule: 'Mon,Thu 04:00' },
  ],
  verify_schedule: 'weekly',
});

function units(overrides: Partial<UnitOptions> = {}): Map<string, Map<string, Map<string, string[]>>> {
  return new Map(renderUnits(jobs, options(overrides)).map((file) => [file.name, parseUnit(file.text)]));
}

describe('renderUnits: system units', () => {
  const rendered = units();

  it('a .service and a .timer per job, named hotsnap-<profile>, verify last', () => {
    expect([...rendered.keys()]).toEqual([
      'hotsnap-daily.service',
      'hotsnap-daily.timer',
      'hotsnap-weekly.service',
      'hotsnap-weekly.timer',
      'hotsnap-verify.service',
      'hotsnap-verify.timer',
      'hotsnap-failure@.service',
    ]);
    for (const unit of rendered.values()) expect([...unit.keys()][0]).toBe('Unit');
  });

  it('the failure-mail template mails the failed unit its status; services name it only in a comment', () => {
    const template = rendered.get('hotsnap-failure@.service')!;
    expect(value(template, 'Service', 'ExecStart')).toBe(
      `/bin/sh -c 'systemctl status --full --no-pager --lines=200 -- "$$1" 2>&1 | mail -s "hotsnap: $$1 failed on %H" %u' sh %i`,
    );
    const text = renderUnits(jobs, options()).find((file) => file.name === 'hotsnap-daily.service')!.text;
    expect(text).toContain(
      '\n# To be mailed when this fails, add in a drop-in (systemctl edit): [Unit] OnFailure=hotsnap-failure@%n.service\n',
    );
    expect(value(rendered.get('hotsnap-daily.service')!, 'Unit', 'OnFailure')).toBeUndefined();
    const user = renderUnits(jobs, options({ user: true })).find((file) => file.name === 'hotsnap-failure@.service')!;
    expect(user.text).toContain("ExecStart=/bin/sh -c 'systemctl --user status ");
  });

  it('the service is a oneshot running hotsnap with absolute paths, after the network, at low priority', () => {
    const service = rendered.get('hotsnap-daily.service')!;
    expect([...service.keys()]).toEqual(['Unit', 'Service']);
    expect(value(service, 'Unit', 'Description')).toBe('hotsnap backup of profile daily');
    expect(value(service, 'Unit', 'After')).toBe('network-online.target');
    expect(value(service, 'Unit', 'Wants')).toBe('network-online.target');
    expect(value(service, 'Service', 'Type')).toBe('oneshot');
    expect(value(service, 'Service', 'ExecStart')).toBe(
      '/usr/bin/node /opt/hotsnap/bin/hotsnap.js --config /etc/hotsnap/hotsnap.yaml run daily',
    );
    expect(value(service, 'Service', 'SyslogIdentifier')).toBe('hotsnap-daily');
    expect(value(service, 'Service', 'Nice')).toBe('19');
    expect(value(service, 'Service', 'IOSchedulingClass')).toBe('best-effort');
    expect(value(service, 'Service', 'IOSchedulingPriority')).toBe('7');
    expect(value(service, 'Service', 'CPUSchedulingPolicy')).toBe('batch');
    expect(value(rendered.get('hotsnap-verify.service')!, 'Service', 'ExecStart')).toBe(
      '/usr/bin/node /opt/hotsnap/bin/hotsnap.js --config /etc/hotsnap/hotsnap.yaml verify',
    );
  });

  it("is sandboxed read-only except for state, cache, staging, metrics and the hot-copied databases' directories", () => {
    const service = rendered.get('hotsnap-daily.service')!;
    expect(value(service, 'Service', 'ProtectSystem')).toBe('strict');
    expect(value(service, 'Service', 'ProtectHome')).toBe('read-only');
    // staging_dir lies inside state_dir, so it is covered by it.
    expect(value(service, 'Service', 'ReadWritePaths')).toBe(
      '-/var/cache/tarsnap -/var/lib/hotsnap -/var/lib/node_exporter/textfile -/var/www/ghost/content/data',
    );
    expect(value(service, 'Service', 'ExecStartPre')).toBe(
      '+/bin/mkdir -p -m 0700 /var/cache/tarsnap /var/lib/hotsnap',
    );
    expect(value(service, 'Service', 'PrivateTmp')).toBe('yes');
    for (const key of [
      'NoNewPrivileges',
      'PrivateDevices',
      'ProtectKernelTunables',
      'ProtectKernelModules',
      'ProtectControlGroups',
      'LockPersonality',
    ]) {
      expect(value(service, 'Service', key), key).toBe('yes');
    }
    // node's JIT needs writable+executable memory.
    expect(value(service, 'Service', 'MemoryDenyWriteExecute')).toBeUndefined();
    // Other profiles' databases are not writable for this one; verify writes no database directory.
    expect(value(rendered.get('hotsnap-weekly.service')!, 'Service', 'ReadWritePaths')).toBe(
      '-/var/cache/tarsnap -/var/lib/hotsnap -/var/lib/node_exporter/textfile',
    );
    expect(value(rendered.get('hotsnap-verify.service')!, 'Service', 'ReadWritePaths')).toBe(
      '-/var/cache/tarsnap -/var/lib/hotsnap -/var/lib/node_exporter/textfile',
    );
  });

  it('keeps the real /tmp and /var/tmp (writable, no PrivateTmp) when staging or anything backed up is there', () => {
    const odd = units({ stagingDir: '/tmp', stateDir: '/var/tmp', cacheDir: '/tmp' }).get('hotsnap-daily.service')!;
    expect(value(odd, 'Service', 'ExecStartPre')).toBeUndefined();
    const staged = units({ stagingDir: '/tmp' }).get('hotsnap-daily.service')!;
    expect(value(staged, 'Service', 'ExecStartPre')).toBe('+/bin/mkdir -p -m 0700 /var/cache/tarsnap /var/lib/hotsnap');
    expect(value(staged, 'Service', 'PrivateTmp')).toBeUndefined();
    expect(value(staged, 'Service', 'ReadWritePaths')).toBe(
      '/tmp -/var/cache/tarsnap -/var/lib/hotsnap -/var/lib/node_exporter/textfile /var/tmp -/var/www/ghost/content/data',
    );
    const backedUp = units({
      profiles: [profile('daily', ['/var/tmp/app/app.db'], []), profile('weekly', [], ['/tmp/keep'])],
    });
    expect(value(backedUp.get('hotsnap-daily.service')!, 'Service', 'PrivateTmp')).toBeUndefined();
    expect(value(backedUp.get('hotsnap-daily.service')!, 'Service', 'ReadWritePaths')).not.toMatch(/\/var\/tmp\/app/);
    expect(value(backedUp.get('hotsnap-weekly.service')!, 'Service', 'PrivateTmp')).toBeUndefined();
    // verify reads no live path, so it keeps PrivateTmp.
    expect(value(backedUp.get('hotsnap-verify.service')!, 'Service', 'PrivateTmp')).toBe('yes');
  });

  it('the timer: OnCalendar as written, Persistent, a fixed randomised delay, enabled by timers.target', () => {
    const timer = rendered.get('hotsnap-weekly.timer')!;
    expect([...timer.keys()]).toEqual(['Unit', 'Timer', 'Install']);
    expect(value(timer, 'Timer', 'OnCalendar')).toBe('Mon,Thu 04:00');
    expect(value(timer, 'Timer', 'Persistent')).toBe('true');
    expect(value(timer, 'Timer', 'RandomizedDelaySec')).toBe('1h');
    expect(value(timer, 'Timer', 'FixedRandomDelay')).toBe('true');
    expect(value(timer, 'Install', 'WantedBy')).toBe('timers.target');
    expect(value(rendered.get('hotsnap-verify.timer')!, 'Timer', 'OnCalendar')).toBe('weekly');
  });
});

describe('renderUnits: Git repositories', () => {
  const comments = (text: string) =>
    text.split('\n').filter((line) => line.startsWith('# Git') || line.startsWith('#  '));

  it('read only: ReadWritePaths unchanged; the unit says objects are copied and how to hard-link them', () => {
    const git = { profiles: [profile('daily', [], ['/etc'], ['/var/lib/git'])] };
    const [service] = renderUnits(jobs, options(git));
    const plain = renderUnits(jobs, options({ profiles: [profile('daily', [], ['/etc'])] }))[0]!;
    expect(value(parseUnit(service!.text), 'Service', 'ReadWritePaths')).toBe(
      value(parseUnit(plain.text), 'Service', 'ReadWritePaths'),
    );
    expect(value(parseUnit(service!.text), 'Service', 'PrivateTmp')).toBe('yes');
    expect(service!.text).toContain(
      [
        '# Git repositories (/var/lib/git): staging_dir is a mount of its own in this sandbox and',
        '# a hard link cannot cross mounts, so their objects are copied into the kept snapshot once (a slow',
        '# first run; uses space), then linked from it. To hard-link them, let the run write a directory',
        '# holding staging_dir and them (it can then write the repositories too): systemctl edit',
        '# hotsnap-daily.service, then add:',
        '#   [Service] ReadWritePaths=/var/lib',
      ].join('\n'),
    );
    // Only the job of the profile that has them.
    const weekly = renderUnits(jobs, options(git)).find((file) => file.name === 'hotsnap-weekly.service')!;
    expect(comments(weekly.text).filter((line) => line.startsWith('# Git'))).toEqual([]);
  });

  it('nothing but / holds both: says to move staging_dir beside them', () => {
    const [service] = renderUnits(jobs, options({ profiles: [profile('daily', [], [], ['/srv/git', '/srv/other'])] }));
    expect(service!.text).toContain('# Git repositories (/srv/git, /srv/other): staging_dir is a mount');
    expect(service!.text).toContain(
      '#   systemctl edit hotsnap-daily.service, then add: [Service] ReadWritePaths=/that/dir',
    );
  });

  it('a repository under /tmp keeps the real /tmp visible (PrivateTmp would hide it)', () => {
    const [service] = renderUnits(jobs, options({ profiles: [profile('daily', [], [], ['/tmp/repos'])] }));
    expect(value(parseUnit(service!.text), 'Service', 'PrivateTmp')).toBeUndefined();
    expect(value(parseUnit(service!.text), 'Service', 'ReadWritePaths')).toMatch(/(^| )\/tmp( |$)/);
  });

  it('user units (no mount namespace, links work): no note', () => {
    const [service] = renderUnits(jobs, options({ user: true, profiles: [profile('daily', [], [], ['/srv/git'])] }));
    expect(service!.text).not.toContain('# Git repositories');
  });

  it.each([
    ['/srv/git', '/srv/stage', '/srv'],
    ['/srv/git', '/var/tmp', '/'],
    ['/a/b', '/a/b/c', '/a/b'],
    ['/ab', '/a', '/'],
  ])('commonDirectory(%s, %s) → %s', (a, b, common) => expect(commonDirectory(a, b)).toBe(common));
});

describe('renderUnits: user units', () => {
  const rendered = units({
    user: true,
    stateDir: '/home/me/.local/state/hotsnap',
    cacheDir: '/home/me/.cache/tarsnap',
  });

  it('have no mount namespacing (it needs user namespaces) and no network-online.target', () => {
    const service = rendered.get('hotsnap-daily.service')!;
    expect(value(service, 'Unit', 'After')).toBeUndefined();
    for (const key of [
      'ProtectSystem',
      'ProtectHome',
      'ReadWritePaths',
      'PrivateTmp',
      'ExecStartPre',
      'PrivateDevices',
    ]) {
      expect(value(service, 'Service', key), key).toBeUndefined();
    }
    expect(value(service, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(value(service, 'Service', 'Nice')).toBe('19');
    expect(value(rendered.get('hotsnap-daily.timer')!, 'Install', 'WantedBy')).toBe('timers.target');
  });
});

describe('randomizedDelaySeconds: a quarter of the shortest gap, at most an hour', () => {
  it.each([
    ['hourly', 900],
    ['daily', 3600],
    ['weekly', 3600],
    ['*:0/15', 225],
    ['minutely', 15],
    ['Mon..Fri 02:30', 3600],
    ['2020-01-01', 3600],
  ])('%s → %is', (text, seconds) => {
    expect(randomizedDelaySeconds(parseCalendar(text), BASE, 'UTC')).toBe(seconds);
  });

  it('is written in systemd time units', () => {
    const text = renderUnits(
      planScheduledJobs({
        file: '/x',
        profiles: [
          { name: 'a', schedule: 'hourly' },
          { name: 'b', schedule: '*:0/15' },
        ],
      }),
      options({ profiles: [] }),
    )
      .filter((file) => file.name.endsWith('.timer'))
      .map((file) => value(parseUnit(file.text), 'Timer', 'RandomizedDelaySec'));
    expect(text).toEqual(['15min', '225s']);
  });
});

describe('systemdQuote', () => {
  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['/opt/my app/hotsnap.js', '"/opt/my app/hotsnap.js"'],
    ['/etc/100%/h.yaml', '/etc/100%%/h.yaml'],
    ['/srv/$HOME', '/srv/$$HOME'],
    ['/srv/"q"\\x', '"/srv/\\"q\\"\\\\x"'],
  ])('%s → %s', (argument, quoted) => {
    expect(systemdQuote(argument)).toBe(quoted);
  });
});

const analyze = (await execa('sh', ['-c', 'command -v systemd-analyze'], { reject: false })).exitCode === 0;
if (!analyze)
  console.warn(
    'test/core/systemd-units.test.ts: systemd-analyze verify tests skipped — systemd-analyze is not installed here',
  );

describe.skipIf(!analyze)('systemd-analyze verify accepts the generated units', () => {
  const temp = mkdtempSync(join(tmpdir(), 'hotsnap-units-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  async function verify(files: readonly UnitFile[], name: string, user: boolean) {
    const dir = join(temp, name);
    mkdirSync(dir);
    for (const file of files) writeFileSync(join(dir, file.name), file.text);
    const runtime = join(temp, `${name}-runtime`);
    mkdirSync(runtime, { mode: 0o700 });
    // A user manager needs a runtime directory; a private one keeps the check self-contained.
    return execa(
      'systemd-analyze',
      [...(user ? ['--user'] : []), 'verify', '--man=no', ...files.map((file) => join(dir, file.name))],
      {
        reject: false,
        env: { XDG_RUNTIME_DIR: runtime, SYSTEMD_COLORS: '0', SYSTEMD_LOG_LEVEL: 'notice' },
      },
    );
  }

  // Real executables: systemd-analyze checks that ExecStart's program exists.
  const real = {
    node: process.execPath,
    script: '/opt/hot snap/bin/hotsnap.js',
    configFile: '/etc/hotsnap/100%/hot snap.yaml',
  };

  it('system units (sandboxed), also with paths needing quotes and % escapes', async () => {
    const result = await verify(
      renderUnits(jobs, options({ ...real, stagingDir: '/var/spool/hot snap', cacheDir: '/var/cache/tar%snap' })),
      'system',
      false,
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('system units staging in /tmp', async () => {
    const result = await verify(renderUnits(jobs, options({ ...real, stagingDir: '/tmp' })), 'system-tmp', false);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('user units', async () => {
    const result = await verify(renderUnits(jobs, options({ ...real, user: true })), 'user', true);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('and complains about a broken one (so the checks above can fail)', async () => {
    const [service, timer] = renderUnits(jobs.slice(0, 1), options(real)) as [UnitFile, UnitFile];
    const broken = {
      ...service,
      text: service.text
        .replace('ProtectSystem=strict', 'ProtectSystem=sometimes')
        .replace(`ExecStart=${process.execPath}`, 'ExecStart=/nonexistent/node'),
    };
    const result = await verify([broken, timer], 'broken', false);
    expect(result.stderr).toMatch(/ProtectSystem|sometimes/);
    expect(result.stderr).toMatch(/\/nonexistent\/node/);
  });
});
