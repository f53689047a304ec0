import { describe, expect, it } from 'vitest';
import { machine, minimal, problems } from '../support/config-problems.js';
import { parseConfig } from '../../src/config/load.js';

describe('parseConfig: valid files', () => {
  it('fills every default', () => {
    const config = parseConfig(minimal, '/etc/hotsnap/hotsnap.yaml', machine);
    expect(config).toMatchObject({
      hostname: 'testhost',
      timezone: 'UTC',
      staging_dir: '/tmp',
      state_dir: '/var/lib/hotsnap',
      tarsnap: { binary: 'tarsnap', extra_args: [], retries: 3, retry_delay_ms: 30_000, auto_fsck: false },
    });
    expect(config.profiles).toEqual([
      {
        name: 'daily',
        sqlite: [],
        git: [],
        keep_snapshot: true,
        paths: ['/home/alice'],
        exclude: [],
        archive_name: '{hostname}-{profile}-{date}',
        date_format: 'yyyy-MM-dd_HH-mm-ss',
        adopt: [],
        prune: true,
        prune_partial: true,
        max_delete: '50%',
        hot_copy: { method: 'auto', verify: 'quick', busy_timeout_ms: 10_000, copy_timeout_ms: 1_800_000 },
        schedule: 'daily',
        hooks: { before: [], after: [], on_error: [], finally: [] },
      },
    ]);
  });

  it('merges defaults under profiles: profile keys win, exclude lists combine', () => {
    const config = parseConfig(
      `${minimal}
defaults:
  exclude: ["*.tmp"]
  hot_copy: {verify: full, busy_timeout: 20s}
  retention: {keep_daily: 3}
  paths: [/etc]
`.replace(
        '    paths: [/home/alice]\n',
        `    paths: [/home/alice]
    exclude: [node_modules]
    hot_copy: {method: backup-api}
    retention: {keep_daily: 7}
  weekly:
    sqlite: [/var/lib/app.db]
`,
      ),
      '/x/hotsnap.yaml',
      machine,
    );
    const [daily, weekly] = config.profiles;
    expect(daily).toMatchObject({
      paths: ['/home/alice'],
      exclude: ['*.tmp', 'node_modules'],
      retention: { keep_daily: 7 },
      hot_copy: { method: 'backup-api', verify: 'full', busy_timeout_ms: 20_000 },
    });
    expect(weekly).toMatchObject({
      paths: ['/etc'],
      sqlite: ['/var/lib/app.db'],
      exclude: ['*.tmp'],
      retention: { keep_daily: 3 },
    });
  });

  it('schedules hourly/daily/weekly/monthly profiles by name, others only when asked', () => {
    const config = parseConfig(
      `${minimal}  weekly:\n    paths: [/etc]\n  db:\n    paths: [/srv]\n  nightly:\n    paths: [/srv]\n    schedule: "*-*-* 02:30"\n`,
      '/h.yaml',
      machine,
    );
    expect(config.profiles.map((profile) => [profile.name, profile.schedule])).toEqual([
      ['daily', 'daily'],
      ['weekly', 'weekly'],
      ['db', undefined],
      ['nightly', '*-*-* 02:30'],
    ]);
  });

  it('accepts one hook command or a list of them, merged from defaults by event', () => {
    const config = parseConfig(
      `${minimal}    hooks:\n      before: [systemctl, stop, app]\n      after: [[echo, one], [echo, two]]\ndefaults:\n  hooks: {finally: [logger, done], before: [echo, default]}\nhooks: {on_error: [mail, root]}\n`,
      '/h.yaml',
      machine,
    );
    expect(config.profiles[0]!.hooks).toEqual({
      before: [['systemctl', 'stop', 'app']],
      after: [
        ['echo', 'one'],
        ['echo', 'two'],
      ],
      on_error: [],
      finally: [['logger', 'done']],
    });
    expect(config.hooks).toEqual({ before: [], after: [], on_error: [['mail', 'root']], finally: [] });
  });

  it('keeps profiles in file order', () => {
    const config = parseConfig(
      `${minimal}  weekly:\n    paths: [/etc]\n  hourly:\n    paths: [/srv]\n`,
      '/h.yaml',
      machine,
    );
    expect(config.profiles.map((profile) => profile.name)).toEqual(['daily', 'weekly', 'hourly']);
  });
});

describe('parseConfig: every problem at once, with path and line', () => {
  it.each([
    [
      'a typo in a retention key',
      `${minimal}    retention: {keep_daly: 7}\n`,
      ['8 profiles.daily.retention.keep_daly: unknown key (did you mean keep_daily?)'],
    ],
    [
      'relative paths',
      minimal.replace('/home/alice', 'home/alice').replace('/root/tarsnap.key', 'tarsnap.key'),
      [
        '3 tarsnap.keyfile: "tarsnap.key" must be an absolute path (start with /)',
        '7 profiles.daily.paths[0]: "home/alice" must be an absolute path (start with /)',
      ],
    ],
    [
      'a profile with nothing to back up',
      `${minimal}  weekly:\n    exclude: ["*.log"]\n`,
      ['8 profiles.weekly: nothing to back up: add "paths", "sqlite" or "git" (here or under defaults)'],
    ],
    [
      'an unknown time zone',
      `timezone: Mars/Olympus\n${minimal}`,
      ['1 timezone: unknown time zone "Mars/Olympus": use an IANA name such as "UTC" or "Europe/Berlin"'],
    ],
    [
      'a missing tarsnap key file setting',
      minimal.replace('  keyfile: /root/tarsnap.key\n', ''),
      ['2 tarsnap.keyfile: required: this key is missing'],
    ],
    [
      'both retention styles',
      `${minimal}    retention: {keep_daily: 7}\n    deltas: "1d 7d"\n`,
      [
        '9 profiles.daily.deltas: deltas "1d 7d" and a retention are both set: use either "retention" or "deltas" in one profile, not both',
      ],
    ],
    [
      'zero in a count rule',
      `${minimal}    retention: {keep_daily: 0}\n`,
      ['8 profiles.daily.retention.keep_daily: 0 keeps nothing by this rule: remove the key, or use -1 for unlimited'],
    ],
    [
      'a bad time span',
      `${minimal}    hot_copy: {busy_timeout: soon}\n`,
      [
        '8 profiles.daily.hot_copy.busy_timeout: invalid time span "soon": use a number with a unit (ms, s, m, h, d, w), e.g. "30s", "2h", "1h30m"',
      ],
    ],
    [
      'an unknown top-level key and a bad method',
      `retension: {}\n${minimal}    hot_copy: {method: fastest}\n`,
      [
        '1 retension: unknown key',
        '9 profiles.daily.hot_copy.method: "fastest" must be one of "auto", "fast" or "backup-api"',
      ],
    ],
    [
      'a bad profile name',
      `${minimal}  "daily backup":\n    paths: [/etc]\n`,
      [
        '8 profiles.daily backup: "daily backup": profile names use letters, digits, ".", "_" and "-", starting with a letter or digit',
      ],
    ],
    [
      'a passphrase written into the config itself',
      minimal.replace(
        '  cachedir: /usr/local/tarsnap-cache\n',
        '  cachedir: /usr/local/tarsnap-cache\n  passphrase: hunter2\n',
      ),
      ['5 tarsnap.passphrase: "***" must be env:VARIABLE or file:/path/to/file (never the passphrase itself)'],
    ],
    [
      'extra_args that run would refuse (-v), named by their index',
      minimal.replace(
        '  cachedir: /usr/local/tarsnap-cache\n',
        '  cachedir: /usr/local/tarsnap-cache\n  extra_args:\n    - --one-file-system\n    - -v\n',
      ),
      [
        '7 tarsnap.extra_args[1]: tarsnap extra argument "-v" is not allowed: -v: it lists every file on stderr, where hotsnap reads tarsnap\'s errors and statistics (hotsnap --log-level debug shows each tarsnap call)',
      ],
    ],
    ['duplicate keys', `${minimal}  daily:\n    paths: [/etc]\n`, ['8 : YAML syntax: Map keys must be unique']],
    ['an empty file', '', ['- : the file is empty: it needs at least "tarsnap" and "profiles" (see "hotsnap init")']],
  ])('%s', (_title, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('formats the message as file:line path: problem', () => {
    try {
      parseConfig(`${minimal}    retention: {keep_daly: 7}\n`, '/etc/hotsnap/hotsnap.yaml', machine);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        'invalid config hotsnap.yaml (1 problem):\n  hotsnap.yaml:8 profiles.daily.retention.keep_daly: unknown key (did you mean keep_daily?)',
      );
    }
  });
});

describe('parseConfig: checks from the archive-name and retention modules', () => {
  it.each([
    [
      'a template without {date}',
      `${minimal}    archive_name: "{hostname}-{profile}"\n`,
      /profiles\.daily\.archive_name: .*\{date\}/,
    ],
    ['a date format that cannot round-trip', `${minimal}    date_format: "HH-mm"\n`, /profiles\.daily\.date_format: /],
    [
      'a bad keep_within duration',
      `${minimal}    retention: {keep_within: "2 days"}\n`,
      /profiles\.daily\.retention\.keep_within: /,
    ],
    ['a bad schedule', `${minimal}    schedule: "every tuesday"\n`, /profiles\.daily\.schedule: /],
    ['a bad verify_schedule', `verify_schedule: "sometimes"\n${minimal}`, /verify_schedule: /],
    [
      'bad deltas',
      `${minimal}    deltas: "7d 1d"\n`,
      /profiles\.daily\.deltas: deltas "7d 1d": "1d" is not longer than "7d"/,
    ],
  ])('%s', (_title, text, expected) => {
    expect(problems(text).join('\n')).toMatch(expected);
  });
});

describe('parseConfig: hostile YAML is a config error, not a crash', () => {
  /** The "billion laughs" document: nine levels of nine aliases each, 9^9 strings once expanded. */
  function billionLaughs(): string {
    const names = 'abcdefghi';
    const lines = [`${names[0]}: &${names[0]} [${Array(9).fill('"lol"').join(', ')}]`];
    for (let level = 1; level < names.length; level++) {
      lines.push(
        `${names[level]}: &${names[level]} [${Array(9)
          .fill(`*${names[level - 1]}`)
          .join(', ')}]`,
      );
    }
    return `${minimal}${lines.join('\n')}\n`;
  }

  it('an alias bomb', () => {
    expect(problems(billionLaughs())).toEqual([
      '- : YAML aliases (*name) expand too much (past the limit of 100 alias copies; a "billion laughs" document does this): write the values out, or use fewer aliases',
    ]);
  });

  it('an alias without its anchor', () => {
    expect(problems(`${minimal}defaults: {exclude: *nope}\n`)).toEqual([
      '- : YAML: alias *nope has no anchor &nope before it: define the anchor first, or write the value out',
    ]);
  });

  it('a NUL byte in a path, a pattern or a hook (they would crash run after the copies)', () => {
    const text = `${minimal}defaults:\n  exclude: ["a\\0b"]\nhooks:\n  before: [["touch", "x\\0y"]]\n`;
    expect(problems(text).filter((line) => /NUL/.test(line))).toEqual([
      '9 defaults.exclude[0]: "a\\u0000b" contains a NUL byte ("\\0"), which no path, pattern or command can hold: remove it',
      '11 hooks.before[0][1]: "x\\u0000y" contains a NUL byte ("\\0"), which no path, pattern or command can hold: remove it',
    ]);
  });

  it('a few ordinary aliases still work', () => {
    const config = parseConfig(
      `${minimal}  weekly:\n    paths: &paths [/etc, /srv]\n  monthly:\n    paths: *paths\n`,
      '/etc/hotsnap/hotsnap.yaml',
      machine,
    );
    expect(config.profiles.map((profile) => profile.paths)).toEqual([
      ['/home/alice'],
      ['/etc', '/srv'],
      ['/etc', '/srv'],
    ]);
  });
});
