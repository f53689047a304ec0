import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { defaultScheduleDeps, scheduleCron, scheduleSystemd, type ScheduleDeps } from '../../src/commands/schedule.js';
import { ConfigError, ExitCode, UsageError, UserError } from '../../src/errors.js';
import { parseCronLine } from '../core/cron-validator.js';
import { parseUnit, unitValue } from '../core/unit-ini.js';

const ROOT = resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'hotsnap-schedule-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const CONFIG = `
hostname: web1
state_dir: ${temp}/state
staging_dir: /var/spool/hotsnap
verify_schedule: weekly
tarsnap:
  keyfile: /root/tarsnap.key
  cachedir: /var/cache/tarsnap
profiles:
  daily:
    sqlite: [/var/www/ghost/content/data/ghost.db]
  db:
    paths: [/srv]
    schedule: "Mon..Fri 02:30"
  manual:
    paths: [/opt]
`;

function contextFor(text: string, file = join(temp, 'hotsnap.yaml')) {
  return {
    loadConfig: async () =>
      parseConfig(text, file, { hostname: 'web1', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap' }),
  };
}

function deps(overrides: Partial<ScheduleDeps> = {}): ScheduleDeps & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    node: '/usr/bin/node',
    script: '/opt/hotsnap/bin/hotsnap.js',
    uid: 1000,
    home: join(temp, 'home'),
    now: () => Date.parse('2024-03-01T00:00:00Z'),
    timeZone: 'UTC',
    systemctl: async (args) => {
      calls.push([...args]);
    },
    systemdAbsence: () => undefined,
    ...overrides,
    calls,
  };
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('defaultScheduleDeps', () => {
  it('point at this node and the real path of bin/hotsnap.js', () => {
    const real = defaultScheduleDeps();
    expect(real.node).toBe(process.execPath);
    expect(real.script).toBe(realpathSync(join(ROOT, 'bin/hotsnap.js')));
  });
});

describe('scheduleCron', () => {
  it('one valid line per scheduled profile plus verify; the config path made absolute', async () => {
    const result = await scheduleCron(contextFor(CONFIG, 'hotsnap.yaml'), { log: '/var/log/hs.log' }, deps());
    expect(result.exitCode).toBe(ExitCode.ok);
    const lines = result
      .stdout!.split('\n')
      .filter((line) => /^[\d*]/.test(line))
      .map(parseCronLine);
    expect(lines.map((line) => line.command.split(' ').slice(-2).join(' '))).toEqual([
      'run daily',
      'run db',
      '/var/log/hs.log verify',
    ]);
    for (const line of lines)
      expect(line.command).toContain(
        `/usr/bin/node /opt/hotsnap/bin/hotsnap.js --config ${resolve('hotsnap.yaml')} --log-file /var/log/hs.log `,
      );
  });

  it('logs to /var/log/hotsnap.log as root, else next to the state; a relative --log is made absolute', async () => {
    const log = async (uid: number, flag?: string) =>
      / --log-file (\S+) /.exec(
        (await scheduleCron(contextFor(CONFIG), flag ? { log: flag } : {}, deps({ uid }))).stdout!,
      )![1];
    expect(await log(0)).toBe('/var/log/hotsnap.log');
    expect(await log(1000)).toBe(`${temp}/state/hotsnap.log`);
    expect(await log(1000, 'logs/h.log')).toBe(resolve('logs/h.log'));
  });

  it('--logrotate prints a rotation for that log: root installs it in /etc/logrotate.d, a user runs their own', async () => {
    const root = await scheduleCron(contextFor(CONFIG), { logrotate: true }, deps({ uid: 0 }));
    expect(root.exitCode).toBe(ExitCode.ok);
    expect(root.stdout).toContain('hotsnap schedule cron --logrotate > /etc/logrotate.d/hotsnap');
    const block = /^(\S+) \{\n([^}]*)\}$/m.exec(root.stdout!)!;
    expect(block[1]).toBe('/var/log/hotsnap.log');
    // Rename, not copytruncate: each run opens the log anew (see core/logrotate.ts).
    expect(block[2]!.trim().split(/\s*\n\s*/)).toEqual([
      'weekly',
      'rotate 8',
      'missingok',
      'notifempty',
      'nocreate',
      'compress',
      'delaycompress',
    ]);
    const user = await scheduleCron(contextFor(CONFIG), { logrotate: true, log: 'my logs/h.log' }, deps());
    expect(user.stdout).toContain(`\n"${resolve('my logs/h.log')}" {\n`);
    expect(user.stdout).toContain(`/usr/sbin/logrotate -s ${temp}/state/logrotate.state `);
    const error = await caught(scheduleCron(contextFor(CONFIG), { logrotate: true, log: '/var/log/h*.log' }, deps()));
    expect(error).toBeInstanceOf(UsageError);
  });

  it('nothing scheduled is a usage error that says how to schedule', async () => {
    const error = await caught(
      scheduleCron(
        contextFor(
          CONFIG.replace('verify_schedule: weekly\n', '')
            .replace(/daily:/, 'nightly:')
            .replace('schedule: "Mon..Fri 02:30"', 'prune: true'),
        ),
        {},
        deps(),
      ),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^nothing is scheduled in .*hotsnap\.yaml: add "schedule: daily"/);
  });

  it('an unreadable schedule is a config error naming its key', async () => {
    const error = await caught(
      scheduleCron(contextFor(CONFIG.replace('Mon..Fri 02:30', 'Mon..Fri 25:30')), {}, deps()),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.usage);
    // Config validation itself catches it now (with the line); the message is the calendar parser's.
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({
        path: 'profiles.db.schedule',
        message: '"Mon..Fri 25:30": hour 25 is out of range 0..23',
      }),
    ]);
  });
});

describe('scheduleSystemd', () => {
  it('prints every unit under a header when neither --dir nor --install is given', async () => {
    const result = await scheduleSystemd(contextFor(CONFIG), {}, deps());
    const headers = [...result.stdout!.matchAll(/^# ---- (\S+) ----$/gm)].map((match) => match[1]);
    expect(headers).toEqual([
      'hotsnap-daily.service',
      'hotsnap-daily.timer',
      'hotsnap-db.service',
      'hotsnap-db.timer',
      'hotsnap-verify.service',
      'hotsnap-verify.timer',
      'hotsnap-failure@.service',
    ]);
    for (const chunk of result.stdout!.split(/^# ---- \S+ ----$/m).slice(1))
      expect(() => parseUnit(chunk)).not.toThrow();
  });

  it('--dir writes the files (0644) and, outside the unit path, says how to copy or link them, running nothing', async () => {
    const dir = join(temp, 'units');
    const fake = deps();
    const result = await scheduleSystemd(contextFor(CONFIG), { dir }, fake);
    expect(fake.calls).toEqual([]);
    expect(result.stdout).toContain(`wrote ${dir}/hotsnap-db.timer\n`);
    const files = ['daily', 'db', 'verify']
      .flatMap((unit) => [`${dir}/hotsnap-${unit}.service`, `${dir}/hotsnap-${unit}.timer`])
      .concat(`${dir}/hotsnap-failure@.service`)
      .join(' ');
    expect(result.stdout).toContain(
      [
        `${dir} is not a directory systemd reads units from; to enable them (as root), copy them into /etc/systemd/system:`,
        `  cp ${files} /etc/systemd/system/`,
        '  systemctl daemon-reload',
        '  systemctl enable --now hotsnap-daily.timer hotsnap-db.timer hotsnap-verify.timer',
        `or keep them in ${dir} (it must then stay there and be mounted at boot) and run "systemctl link ${files}" instead of cp.`,
        'to get a mail when a run fails (needs a "mail" command, e.g. from bsd-mailx or mailutils): systemctl edit hotsnap-<profile>.service',
        '  and add: [Unit] OnFailure=hotsnap-failure@%n.service  (or set hooks.on_error in the config)',
        '',
      ].join('\n'),
    );
    expect(statSync(join(dir, 'hotsnap-daily.service')).mode & 0o777).toBe(0o644);
    const service = parseUnit(readFileSync(join(dir, 'hotsnap-daily.service'), 'utf8'));
    // state_dir is under /tmp here, so the real /tmp stays writable (and covers it).
    expect(unitValue(service, 'Service', 'ReadWritePaths')).toBe(
      '/tmp -/var/cache/tarsnap -/var/spool/hotsnap /var/tmp -/var/www/ghost/content/data',
    );
    expect(existsSync(join(dir, 'hotsnap-manual.service'))).toBe(false);
  });

  it('--dir inside the unit path (user units in ~/.config/systemd/user) says daemon-reload and enable', async () => {
    const dir = join(temp, 'home/.config/systemd/user');
    const result = await scheduleSystemd(contextFor(CONFIG), { dir, user: true }, deps());
    expect(result.stdout).toContain(
      '\nto enable: systemctl --user daemon-reload && systemctl --user enable --now hotsnap-daily.timer hotsnap-db.timer hotsnap-verify.timer\n',
    );
    expect(result.stdout).toContain('\nto get a mail when a run fails');
    expect(result.stdout).not.toContain('systemctl --user link');
  });

  it('--install on a machine without systemd: exit 2 with the reason and the way out, nothing written or run', async () => {
    const home = join(temp, 'no-systemd-home');
    const asked: boolean[] = [];
    const fake = deps({
      home,
      systemdAbsence: (user) => {
        asked.push(user);
        return 'this machine does not run systemd (no /run/systemd/system)';
      },
    });
    const error = await caught(scheduleSystemd(contextFor(CONFIG), { install: true, user: true }, fake));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      'cannot install systemd units: this machine does not run systemd (no /run/systemd/system); nothing was written. Use "hotsnap schedule cron" (and crontab -e) on this machine, or "hotsnap schedule systemd --dir DIR" to write units for another one',
    );
    expect(asked).toEqual([true]);
    expect(existsSync(home)).toBe(false);
    expect(fake.calls).toEqual([]);
    // Without --install nothing asks: units written for another machine are fine here.
    await scheduleSystemd(contextFor(CONFIG), { dir: join(temp, 'for-elsewhere') }, fake);
    expect(asked).toEqual([true]);
  });

  it('--install --dir outside the unit path links the files first, so enable finds them', async () => {
    const dir = join(temp, 'linked');
    const fake = deps();
    const result = await scheduleSystemd(contextFor(CONFIG), { install: true, dir }, fake);
    const written = [...result.stdout!.matchAll(/^wrote (\S+)$/gm)].map((match) => match[1]);
    expect(written).toHaveLength(7);
    expect(fake.calls).toEqual([
      ['link', ...written],
      ['daemon-reload'],
      ['enable', '--now', 'hotsnap-daily.timer', 'hotsnap-db.timer', 'hotsnap-verify.timer'],
    ]);
  });

  it('--install without --user or --dir needs root', async () => {
    const error = await caught(scheduleSystemd(contextFor(CONFIG), { install: true }, deps({ uid: 1000 })));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      'installing system units into /etc/systemd/system needs root: run it as root, or add --user for units of your own user',
    );
  });

  it('--install --user writes ~/.config/systemd/user, reloads and enables the timers, mentions lingering', async () => {
    const fake = deps();
    const result = await scheduleSystemd(contextFor(CONFIG), { install: true, user: true }, fake);
    const dir = join(temp, 'home/.config/systemd/user');
    expect(existsSync(join(dir, 'hotsnap-verify.timer'))).toBe(true);
    expect(fake.calls).toEqual([
      ['--user', 'daemon-reload'],
      ['--user', 'enable', '--now', 'hotsnap-daily.timer', 'hotsnap-db.timer', 'hotsnap-verify.timer'],
    ]);
    expect(result.stdout).toContain('loginctl enable-linger');
    expect(
      unitValue(parseUnit(readFileSync(join(dir, 'hotsnap-daily.service'), 'utf8')), 'Service', 'ProtectSystem'),
    ).toBeUndefined();
  });

  it('reports timers of profiles that left the config, without touching them', async () => {
    const dir = join(temp, 'stale');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hotsnap-old.timer'), '[Timer]\nOnCalendar=daily\n');
    const result = await scheduleSystemd(contextFor(CONFIG), { install: true, dir }, deps());
    expect(result.stdout).toContain(
      `note: hotsnap-old.timer is not in the config any more; remove it with: systemctl disable --now hotsnap-old.timer && rm ${dir}/hotsnap-old.timer ${dir}/hotsnap-old.service\n`,
    );
    expect(readFileSync(join(dir, 'hotsnap-old.timer'), 'utf8')).toBe('[Timer]\nOnCalendar=daily\n');
  });

  it('a failing systemctl stops the install with its error', async () => {
    const failing = deps({
      systemctl: async (args) => {
        throw new UserError(`systemctl ${args.join(' ')} failed (exit 1):\n  Failed to connect to bus`);
      },
    });
    const error = await caught(
      scheduleSystemd(contextFor(CONFIG), { install: true, dir: join(temp, 'failing') }, failing),
    );
    const dir = join(temp, 'failing');
    expect(error.message).toMatch(
      new RegExp(
        `^systemctl link ${dir}/\\S+ .* failed \\(exit 1\\):\\n  Failed to connect to bus\\nthe unit files are written in ${dir}; once systemctl works, run this again \\(or remove them: rm ${dir}/hotsnap-daily.service `,
      ),
    );
  });
});

describe('scheduleSystemd: the sandbox follows the sources', () => {
  it("a profile's git: paths reach the unit: a repository under /tmp keeps /tmp visible, and the copy note", async () => {
    const config = `${CONFIG}  repos:\n    git: [/tmp/repos]\n    schedule: daily\n`;
    const result = await scheduleSystemd(contextFor(config), {}, deps());
    const service = result.stdout!.split('# ---- ').find((part) => part.startsWith('hotsnap-repos.service'))!;
    const unit = parseUnit(service.slice(service.indexOf('\n') + 1));
    expect(unitValue(unit, 'Service', 'PrivateTmp')).toBeUndefined();
    expect(service).toContain('# Git repositories (/tmp/repos): staging_dir is a mount of its own in this sandbox');
    const daily = result.stdout!.split('# ---- ').find((part) => part.startsWith('hotsnap-daily.service'))!;
    expect(daily).not.toContain('# Git repositories');
  });
});
