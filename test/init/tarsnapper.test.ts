import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'date-fns/format';
import { utc } from '@date-fns/utc';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { MachineDefaults } from '../../src/config/resolve.js';
import { archiveOwner } from '../../src/core/archives.js';
import { globComponentToRegExp } from '../../src/init/python-glob.js';
import { strftimeToDateFns } from '../../src/init/strftime.js';
import { planTarsnapSection } from '../../src/init/tarsnap-section.js';
import { convertTarsnapper } from '../../src/init/tarsnapper-convert.js';
import { TarsnapperConfigError, type TarsnapperInput } from '../../src/init/tarsnapper-jobs.js';
import { targetToTemplate } from '../../src/init/tarsnapper-names.js';
import { convertDeltas } from '../../src/init/tarsnapper-profile.js';
import { renderTarsnapperConfig } from '../../src/init/tarsnapper-render.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/tarsnapper');
const MACHINE: MachineDefaults = { hostname: 'web1', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap' };
const SECTION = planTarsnapSection({
  files: ['/root/.tarsnaprc'],
  keyfile: { value: '/root/tarsnap.key', file: '/root/.tarsnaprc' },
  cachedir: { value: '/var/cache/tarsnap', file: '/root/.tarsnaprc' },
  options: [],
});

/** Given YAML text, returns it parsed as PyYAML (tarsnapper) reads it. */
const pyyaml = (text: string): unknown => parseDocument(text, { version: '1.1' }).toJS();
const fixture = (name: string): unknown => pyyaml(readFileSync(join(FIXTURES, name), 'utf8'));

/** Converts, renders and checks the YAML passes hotsnap's own validation; returns all three. */
function convertAndValidate(input: TarsnapperInput, section = SECTION) {
  const conversion = convertTarsnapper(input, section);
  const text = renderTarsnapperConfig(conversion, '/etc/tarsnapper.yml', section);
  const config = parseConfig(text, '/etc/hotsnap/hotsnap.yaml', MACHINE);
  return { conversion, text, config };
}

function problemsOf(input: TarsnapperInput): readonly string[] {
  try {
    convertTarsnapper(input, SECTION);
  } catch (error) {
    expect(error).toBeInstanceOf(TarsnapperConfigError);
    return (error as TarsnapperConfigError).problems;
  }
  throw new Error('expected a TarsnapperConfigError');
}

describe('strftimeToDateFns', () => {
  it.each([
    ['%Y%m%d-%H%M%S', 'yyyyMMdd-HHmmss'],
    ['%Y-%m-%d_%H%M', 'yyyy-MM-dd_HHmm'],
    ['%d%b%Y-%H%M%S', 'ddMMMyyyy-HHmmss'],
    ['%a %A %b %B %h', 'EEE EEEE MMM MMMM MMM'],
    ['%I%p', 'hha'],
    ['%F %T', 'yyyy-MM-dd HH:mm:ss'],
    ['%R %D', 'HH:mm MM/dd/yy'],
    ['%G-W%V-%u', "RRRR'-W'II-i"],
    ['%-d.%-m.%Y %-H:%-M:%-S %-I', 'd.M.yyyy H:m:s h'],
    ['backup %% of %Y', "'backup % of 'yyyy"],
    ["it's %Y", "'it''s 'yyyy"],
    ['T%H', "'T'HH"],
    ['', ''],
  ])('%j → %j', (strftime, dateFns) => {
    expect(strftimeToDateFns(strftime)).toBe(dateFns);
  });

  it.each([
    ['%Y-%j', '%j has no date-fns equivalent (day of the year: hotsnap refuses day-of-year tokens, use %m%d)'],
    ['%Y%U', '%U has no date-fns equivalent (week of the year'],
    ['%w', '%w has no date-fns equivalent (weekday number with Sunday = 0'],
    ['%e', 'space-padded day'],
    ['%Y%m%d%H%M%S.%f', '%f has no date-fns equivalent (microseconds'],
    ['%z', 'UTC offset'],
    ['%c', "the locale's date and time"],
    ['%s', 'seconds since the epoch'],
    ['%Y%n', 'control characters'],
    ['%_d', 'padding and width flags are not supported'],
    ['%Q', 'not a strftime directive'],
    ['%-y', '"%-y" is not supported'],
    ['%Y%', 'ends with a lone "%"'],
  ])('%j is refused, naming the directive', (strftime, message) => {
    expect(() => strftimeToDateFns(strftime)).toThrow(message);
  });

  // The reference: Python's own strftime, as tarsnapper ran it (UTC, C locale).
  const python = (() => {
    try {
      execFileSync('python3', ['-c', 'pass']);
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!python)('writes what Python strftime writes, for every supported directive', () => {
    const formats = [
      '%Y%m%d-%H%M%S',
      '%Y-%m-%d_%H%M',
      '%d%b%Y-%H%M%S',
      '%a %A %b %B %h',
      '%I%p',
      '%F %T',
      '%R %D',
      '%G-W%V-%u',
      '%-d.%-m.%Y %-H:%-M:%-S %-I',
      'backup %% of %Y',
      "it's %Y",
      'T%H',
      '%y',
    ];
    const dates = [
      '2024-05-06T03:15:09Z',
      '2024-01-01T00:00:00Z',
      '2021-01-03T12:30:00Z',
      '2024-12-30T23:59:59Z',
      '1999-02-28T13:05:01Z',
      '2038-01-19T03:14:08Z',
    ];
    const cases = formats.flatMap((strftime) => dates.map((date) => [strftime, date] as const));
    const script = [
      'import json, sys, datetime',
      'for f, d in json.load(sys.stdin):',
      '    print(datetime.datetime.strptime(d, "%Y-%m-%dT%H:%M:%SZ").strftime(f))',
    ].join('\n');
    const expected = execFileSync('python3', ['-c', script], {
      input: JSON.stringify(cases),
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
    })
      .toString()
      .split('\n')
      .slice(0, -1);
    const actual = cases.map(([strftime, date]) => format(new Date(date), strftimeToDateFns(strftime), { in: utc }));
    expect(actual).toEqual(expected);
    expect(actual.length).toBe(formats.length * dates.length);
  });
});

describe('targetToTemplate', () => {
  it.each([
    ['$name-$date', 'etc', 'etc', { template: '{profile}-{date}', notes: [] }],
    ['${name}_${date}', 'etc', 'etc', { template: '{profile}_{date}', notes: [] }],
    ['host/$name/$date.tar', 'my photos', 'my-photos', { template: 'host/my photos/{date}.tar', notes: [] }],
    ['$name-$date', 'etc', undefined, { template: 'etc-{date}', notes: [] }],
    ['costs $$5 $date', 'x', 'x', { template: 'costs $5 {date}', notes: [] }],
    ['100$-$date', 'x', 'x', { template: '100$-{date}', notes: [] }],
    // string.Template identifiers are greedy: "$name_" is one (unknown) placeholder, as in tarsnapper.
    [
      '$name_$date',
      'x',
      'x',
      { template: '$name_{date}', notes: ['"$name_" is not a tarsnapper placeholder; kept as literal text'] },
    ],
    [
      '$NAME-$date',
      'x',
      'x',
      { template: '$NAME-{date}', notes: ['"$NAME" is not a tarsnapper placeholder; kept as literal text'] },
    ],
    ['{x}-$date', 'x', 'x', { problem: '"{x}-" contains "{" or "}", which hotsnap name templates cannot express' }],
    [
      '$name-$date',
      'a{b}',
      'a-b',
      { problem: '"a{b}" contains "{" or "}", which hotsnap name templates cannot express' },
    ],
  ])('%j (job %j, profile %j)', (target, job, profile, expected) => {
    expect(targetToTemplate(target, job, profile)).toEqual(expected);
  });
});

describe('globComponentToRegExp', () => {
  it.each([
    ['*.yml', ['a.yml', '10-x.yml', '.yml.yml'.slice(1)], ['.hidden.yml', 'a.yaml', 'a.yml.bak']],
    ['.*.yml', ['.hidden.yml'], ['a.yml']],
    ['job?.yml', ['job1.yml'], ['job10.yml', 'job.yml']],
    ['[0-9]*', ['10-x.yml'], ['a.yml']],
    ['[!a]*', ['b', 'c.yml'], ['a.yml', '.b']],
    ['[]]x', [']x'], ['x']],
    ['a[b', ['a[b'], ['ab']],
    ['a+b(c).yml', ['a+b(c).yml'], ['aab(c).yml']],
  ])('%j', (pattern, matches, misses) => {
    const regexp = globComponentToRegExp(pattern);
    for (const name of matches) expect(regexp.test(name), name).toBe(true);
    for (const name of misses) expect(regexp.test(name), name).toBe(false);
  });
});

describe('convertDeltas', () => {
  it.each([
    [['1d', '7d'], { text: '1d 7d', notes: [] }],
    [
      ['30d', '1d', '7d'],
      {
        text: '1d 7d 30d',
        notes: ['deltas "30d 1d 7d" reordered to "1d 7d 30d" (hotsnap wants them ascending; tarsnapper sorted them)'],
      },
    ],
    [
      ['1d', '24h', '7d'],
      { text: '1d 7d', notes: ['deltas "1d 24h 7d" repeat a length; the repeats are dropped ("1d 7d")'] },
    ],
  ])('%j', (words, expected) => {
    expect(convertDeltas(words)).toEqual(expected);
  });

  it.each([
    [['0d', '1d'], /"0d" is zero.*never pruned until you set retention or deltas/],
    [['1d', '1d'], /at least two deltas are needed.*never pruned/],
  ])('%j is dropped with a note', (words, note) => {
    const result = convertDeltas(words);
    expect(result.text).toBeUndefined();
    expect(result.notes.at(-1)).toMatch(note);
  });
});

describe('convertTarsnapper: fixture files', () => {
  const included = ['10-postgres.yml', '20-uploads.yml'].map((name) => ({
    file: join(FIXTURES, 'jobs.d', name),
    jobs: fixture(`jobs.d/${name}`),
  }));
  const cases: Array<{
    file: string;
    included?: TarsnapperInput['included'];
    expected: Record<string, unknown>;
    notes: RegExp[];
    owned: Record<string, string | null>;
  }> = [
    {
      file: 'single-host.yml',
      expected: {
        defaults: { archive_name: 'web1-{profile}-{date}', date_format: 'yyyyMMdd-HHmmss', deltas: '1d 7d 30d 360d' },
        profiles: {
          etc: { paths: ['/etc'], exclude: ['/etc/ssl/private'] },
          home: { paths: ['/home/alice', '/home/bob'], exclude: ['*.iso', '/home/*/.cache'] },
        },
      },
      notes: [/^jobs without dateformat: tarsnapper wrote %Y%m%d-%H%M%S/, /^tarsnapper ran from cron/],
      owned: {
        'web1-etc-20240506-031509': 'etc',
        'web1-home-20231231-235959': 'home',
        'web1-etc-2024-05-06': null,
        'web2-etc-20240506-031509': null,
      },
    },
    {
      file: 'ghost-blog.yml',
      expected: {
        profiles: {
          ghost: {
            paths: ['/var/www/ghost/content/data/ghost.db', '/var/www/ghost/content/images'],
            archive_name: 'blog.example.org/{profile}/{date}',
            date_format: 'yyyy-MM-dd_HHmm',
            adopt: [{ archive_name: 'blog.example.org/blog/{date}', date_format: 'yyyy-MM-dd_HHmm' }],
            deltas: '1d 7d 30d 365d 1825d',
            hooks: {
              before: [['sh', '-c', 'systemctl stop ghost_blog-example-org']],
              finally: [
                ['sh', '-c', 'systemctl start ghost_blog-example-org && echo "ghost back up" | logger -t backup'],
              ],
            },
          },
          mail: {
            paths: ['/var/vmail'],
            archive_name: 'mail-backup-{date}.tar',
            date_format: 'ddMMMyyyy-HHmmss',
            deltas: '1d 7d 30d',
          },
        },
      },
      notes: [
        /^job "ghost": source "\/var\/www\/ghost\/content\/data\/ghost.db" looks like a SQLite database: if it is one, move it to sqlite:/,
        /^job "ghost": exec_before → hooks.before, exec_after → hooks.finally: tarsnapper ran them through a shell, so they run as \["sh", "-c", "…"\]; exec_after became "finally"/,
        /^job "mail": deltas "30d 1d 7d" reordered to "1d 7d 30d"/,
      ],
      owned: {
        'blog.example.org/ghost/2024-05-06_0315': 'ghost',
        'blog.example.org/blog/2019-11-30_2359': 'ghost',
        'mail-backup-06May2024-031500.tar': 'mail',
        'blog.example.org/mail/2024-05-06_0315': null,
        'mail-backup-06may2024-031500.tar': null,
      },
    },
    {
      file: 'with-includes.yml',
      included,
      expected: {
        defaults: { archive_name: 'db1/{profile}-{date}', date_format: 'yyyyMMdd-HHmmss' },
        profiles: {
          system: { paths: ['/etc', '/root'], deltas: '6h 1d 7d 30d' },
          'postgres-dumps': {
            paths: ['/var/backups/postgres'],
            deltas: '6h 1d 7d 30d',
            hooks: { before: [['sh', '-c', 'pg_dumpall -U postgres > /var/backups/postgres/all.sql']] },
          },
          uploads: { paths: ['/srv/app/uploads'], exclude: ['/srv/app/uploads/tmp'], deltas: '1d 30d' },
        },
      },
      notes: [/^job "postgres-dumps": exec_before → hooks.before: tarsnapper ran them through a shell/],
      owned: { 'db1/uploads-20240101-000000': 'uploads', 'db1/postgres-dumps-20240101-000000': 'postgres-dumps' },
    },
    {
      file: 'leftovers.yml',
      expected: {
        profiles: {
          docs: { paths: ['/srv/docs'], deltas: '1d 7d' },
          relative: {
            paths: ['/srv/relative-ok'],
            archive_name: '{profile}-{date}',
            date_format: 'yyyyMMdd-HHmmss',
            deltas: '1d 7d',
          },
          'my-photos': {
            paths: ['/home/alice/Photos'],
            archive_name: 'my photos-{date}',
            date_format: 'yyyyMMdd-HHmmss',
            deltas: '7d 30d',
          },
          'no-deltas': { paths: ['/srv/static'], archive_name: '{profile}-{date}', date_format: 'yyyyMMdd-HHmmss' },
        },
      },
      notes: [
        /^global key "smtp-report" is not a tarsnapper setting/,
        /^job "docs": its archive names \("\$name-\$date", dateformat "%Y-%j"\) cannot be kept: dateformat "%Y-%j": %j has no date-fns equivalent .* The profile uses hotsnap's default names/,
        /^job "relative": source "data\/uploads" is relative .* write it as an absolute path$/,
        /^job "only-relative": no absolute source left; not converted \(to prune its archives, add adopt: \[\{archive_name: "only-relative-\{date\}", date_format: "yyyyMMdd-HHmmss"\}\] to a profile\)$/,
        /^job "expire-only": no sources, so tarsnapper only listed or expired its archives; not converted/,
        /^job "my photos": renamed to profile "my-photos"/,
        /^job "my photos": force: dropped/,
        /^job "no-deltas": no deltas: tarsnapper never expired its archives/,
      ],
      owned: {
        'my photos-20240101-000000': 'my-photos',
        'web1-docs-2024-01-01_00-00-00': 'docs',
        'docs-2024-001': null,
        'no-deltas-20240101-000000': 'no-deltas',
      },
    },
    {
      file: 'sqlite-hooks.yml',
      expected: {
        defaults: { archive_name: '{profile}-{date}', date_format: 'yyyyMMdd-HHmmss', deltas: '1d 7d 30d' },
        profiles: {
          ghost: { sqlite: ['/srv/ghost/content/data/ghost.db'], paths: ['/srv/ghost/content/images'] },
          apps: {
            sqlite: ['/srv/my app/app.db', '/srv/wiki/wiki.sqlite'],
            hooks: { finally: [['sh', '-c', 'systemctl reload wiki']] },
          },
          elsewhere: {
            paths: ['/var/backups'],
            hooks: { before: [['sh', '-c', 'sqlite3 /srv/app/app.db ".backup /var/backups/app.db"']] },
          },
          piped: {
            paths: ['/var/backups/notes.db'],
            hooks: {
              before: [['sh', '-c', 'sqlite3 /srv/notes/notes.db .dump | gzip > /var/backups/notes.sql.gz']],
            },
          },
        },
      },
      notes: [
        /^job "ghost": exec_before "sqlite3 \/srv\/ghost\/content\/data\/ghost.db \\".backup \/var\/backups\/ghost.db\\"" copied the SQLite database \/srv\/ghost\/content\/data\/ghost.db to \/var\/backups\/ghost.db for tarsnap to archive: converted to sqlite: \["\/srv\/ghost\/content\/data\/ghost.db"\], .* "\/var\/backups\/ghost.db" dropped from paths, and exec_after "rm -f \/var\/backups\/ghost.db", which only removed the copy, dropped too\. A restore brings the database back at its own path/,
        /^job "apps": exec_before .* copied the SQLite databases \/srv\/my app\/app.db to \/var\/backups\/my app.db, \/srv\/wiki\/wiki.sqlite to \/var\/backups\/wiki.db for tarsnap to archive: converted to sqlite: \["\/srv\/my app\/app.db", "\/srv\/wiki\/wiki.sqlite"\]/,
        /^job "apps": exec_after → hooks.finally/,
        /^job "elsewhere": exec_before .* copies a SQLite database to "\/var\/backups\/app.db", which is not one of the job's sources, so the hook is kept; .* add "\/srv\/app\/app.db" to sqlite:/,
        /^job "piped": source "\/var\/backups\/notes.db" looks like a SQLite database/,
      ],
      owned: { 'ghost-20240101-000000': 'ghost', 'apps-20240101-000000': 'apps' },
    },
  ];

  it.each(cases)('$file', ({ file, included: jobs, expected, notes, owned }) => {
    const { conversion, text, config } = convertAndValidate({
      config: fixture(file),
      ...(jobs ? { included: jobs } : {}),
    });
    expect(conversion.config).toEqual({
      tarsnap: { keyfile: '/root/tarsnap.key', cachedir: '/var/cache/tarsnap' },
      ...expected,
    });
    for (const note of notes)
      expect(
        conversion.unconverted.filter((line) => note.test(line)),
        String(note),
      ).toHaveLength(1);
    // Every note is also in the file, at the top.
    const header = text.slice(0, text.indexOf('\ntarsnap:'));
    for (const note of conversion.unconverted)
      expect(header.replace(/\n#\s+/g, ' ')).toContain(note.split(' ').slice(0, 6).join(' '));
    // The archives tarsnapper made belong to the profile that replaces their job.
    for (const [name, profile] of Object.entries(owned))
      expect(archiveOwner(name, config.profiles, config.hostname)?.profile ?? null, name).toBe(profile);
  });

  it('the hooks survive the YAML round trip character for character', () => {
    const { config } = convertAndValidate({ config: fixture('ghost-blog.yml') });
    const ghost = config.profiles.find((profile) => profile.name === 'ghost')!;
    expect(ghost.hooks.finally).toEqual([
      ['sh', '-c', 'systemctl start ghost_blog-example-org && echo "ghost back up" | logger -t backup'],
    ]);
    expect(ghost.schedule).toBeUndefined();
  });

  it('refused.yml: every problem tarsnapper itself would refuse, at once', () => {
    expect(problemsOf({ config: fixture('refused.yml') })).toEqual([
      'jobs.both: use either "source" or "sources", not both',
      'jobs.undefined-delta: named delta "critical" is not defined under delta-names',
      'jobs.no-date: target "opt-$name" must use the $date placeholder',
      'jobs.typo: unsupported "exlcude" (a job has source, sources, alias, aliases, exclude, excludes, delta, deltas, target, force, dateformat, exec_before, exec_after)',
    ]);
  });
});

describe('convertTarsnapper: single rules', () => {
  const profilesOf = (config: unknown) => convertAndValidate({ config }).conversion.config.profiles;
  const notesOf = (config: unknown) => convertAndValidate({ config }).conversion.unconverted;

  it('a job with an empty "deltas:" takes the global deltas, as in tarsnapper; "deltas: \'\'" means none', () => {
    const profiles = profilesOf(
      pyyaml('target: $name-$date\ndeltas: 1d 7d\njobs:\n  a: {source: /a, deltas: }\n  b: {source: /b, deltas: ""}\n'),
    );
    expect(profiles.a?.deltas).toBe('1d 7d');
    expect(profiles.b?.deltas).toBeUndefined();
  });

  it('a plain string under "sources" is one path', () => {
    expect(profilesOf({ jobs: { a: { sources: '/etc', target: 'a-$date' } } }).a?.paths).toEqual(['/etc']);
  });

  it('renames only jobs whose names are not profile names, around the valid ones', () => {
    const { conversion } = convertAndValidate({
      config: {
        target: '$name-$date',
        jobs: { 'a b': { source: '/1' }, 'a-b': { source: '/2' }, _x: { source: '/3' } },
      },
    });
    expect(conversion.origins).toEqual({ 'a-b-2': 'a b', 'a-b': 'a-b', x: '_x' });
    expect(conversion.config.profiles['a-b-2']?.archive_name).toBe('a b-{date}');
  });

  it('adopts the archives of aliases; an alias naming nothing new is dropped', () => {
    const profiles = profilesOf({
      target: 'h/$name-$date',
      jobs: { web: { source: '/w', aliases: ['www', 'web', 'site'] } },
    });
    expect(profiles.web?.adopt).toEqual([
      { archive_name: 'h/www-{date}', date_format: 'yyyyMMdd-HHmmss' },
      { archive_name: 'h/site-{date}', date_format: 'yyyyMMdd-HHmmss' },
    ]);
  });

  it('exec_after alone becomes hooks.finally; a non-string hook is a note', () => {
    const config = {
      jobs: {
        a: { source: '/a', target: 'a-$date', exec_after: 'systemctl start x', exec_before: ['not', 'a', 'string'] },
      },
    };
    expect(profilesOf(config).a?.hooks).toEqual({ finally: [['sh', '-c', 'systemctl start x']] });
    expect(notesOf(config)).toContain('job "a": exec_before ["not","a","string"] is not a command; not converted');
  });

  it('a dateformat that does not round-trip keeps hotsnap default names, with a note', () => {
    const config = { jobs: { a: { source: '/a', target: 'a-$date', dateformat: '%y%m%d' } } };
    expect(profilesOf(config).a).toEqual({ paths: ['/a'] });
    expect(notesOf(config).find((note) => note.startsWith('job "a": its archive names'))).toMatch(
      /date format "yyMMdd" cannot be parsed back to the time it shows/,
    );
  });

  it('a dateformat date-fns formats but refuses to parse ("%I%H": hh with HH) is a note, not a crash', () => {
    const config = { jobs: { a: { source: '/a', target: 'a-$date', dateformat: '%Y%m%d%I%H%M%S' } } };
    expect(profilesOf(config).a).toEqual({ paths: ['/a'] });
    expect(notesOf(config).find((note) => note.startsWith('job "a": its archive names'))).toContain(
      "cannot be parsed: The format string mustn't contain `hh` and `HH` at the same time",
    );
  });

  it('a date-only dateformat is fine', () => {
    expect(profilesOf({ jobs: { a: { source: '/a', target: 'a-$date', dateformat: '%Y%m%d' } } }).a?.date_format).toBe(
      'yyyyMMdd',
    );
  });

  it('notes two profiles whose archives are named alike', () => {
    const notes = notesOf({
      jobs: { a: { source: '/a', target: 'shared-$date' }, b: { source: '/b', target: 'shared-$date' } },
    });
    expect(notes).toContain(
      'profiles "a" and "b" name their archives alike ("shared-{date}"): hotsnap gives such archives to "a" only; give "b" its own archive_name',
    );
  });

  it('tarsnap.conf excludes join defaults.exclude; extra_args go to the tarsnap section', () => {
    const section = planTarsnapSection({
      files: ['/r'],
      keyfile: { value: '/k', file: '/r' },
      cachedir: { value: '/c', file: '/r' },
      options: [
        { name: 'exclude', value: '*.core', file: '/r' },
        { name: 'nodump', value: null, file: '/r' },
      ],
    });
    const { conversion, config } = convertAndValidate(
      { config: { target: '$name-$date', jobs: { a: { source: '/a', exclude: '/a/tmp' } } } },
      section,
    );
    expect(conversion.config.defaults).toEqual({ exclude: ['*.core'] });
    expect(config.profiles[0]?.exclude).toEqual(['*.core', '/a/tmp']);
    expect(config.tarsnap.extra_args).toEqual(['--nodump']);
  });

  it.each([
    ['not a mapping', ['a', 'list'], ['the file is not a YAML mapping with "jobs"']],
    ['no jobs', { deltas: '1d 2d' }, ['no jobs: tarsnapper needs at least one under "jobs"']],
    [
      'a global target without $name',
      { target: '$date', jobs: { a: { source: '/a' } } },
      [
        'the global target "$date" must use both placeholders $name and $date',
        'jobs.a: no target (set "target" here or globally, e.g. "$name-$date")',
      ],
    ],
    [
      'a bad delta',
      { target: '$name-$date', deltas: '1d 1w', jobs: { a: { source: '/a' } } },
      ['deltas: "1w" is not a delta (units s, h, d)'],
    ],
    [
      'one delta',
      { target: '$name-$date', jobs: { a: { source: '/a', deltas: '1d' } } },
      ['jobs.a.deltas: at least two deltas are required, not "1d"'],
    ],
    [
      'an empty named delta',
      { target: '$name-$date', 'delta-names': { x: null }, jobs: { a: { source: '/a' } } },
      ['delta-names.x: no deltas specified'],
    ],
    [
      'both delta and deltas',
      {
        target: '$name-$date',
        'delta-names': { x: '1d 2d' },
        jobs: { a: { source: '/a', delta: 'x', deltas: '1d 2d' } },
      },
      ['jobs.a: use either "delta" or "deltas", not both'],
    ],
    [
      'a job that is a list',
      { target: '$name-$date', jobs: { a: ['/a'] } },
      ['jobs.a: a job must be a mapping of settings, not ["/a"]'],
    ],
    [
      'a numeric dateformat',
      { target: '$name-$date', dateformat: 5, jobs: { a: { source: '/a' } } },
      ['jobs.a: dateformat must be a string such as "%Y%m%d-%H%M%S", not 5'],
    ],
  ])('refuses %s', (_what, config, problems) => {
    expect(problemsOf({ config })).toEqual(problems);
  });

  it('refuses a job name defined twice across included files, and an included file that is not a mapping', () => {
    const problems = problemsOf({
      config: { target: '$name-$date', jobs: { a: { source: '/a' } } },
      included: [
        { file: '/inc/1.yml', jobs: { a: { source: '/b' } } },
        { file: '/inc/2.yml', jobs: 'oops' },
      ],
    });
    expect(problems).toEqual([
      '/inc/1.yml: a: duplicated job name',
      'included file /inc/2.yml must be a mapping of job name → settings',
    ]);
  });

  it('refuses a file with no job it can convert, saying why for each', () => {
    expect(
      problemsOf({ config: { target: '$name-$date', jobs: { a: { deltas: '1d 2d' }, b: { source: 'rel' } } } }),
    ).toEqual([
      'no job can be converted',
      expect.stringMatching(/^job "a": no sources/),
      'job "b": source "rel" is relative (tarsnap read it from tarsnapper\'s working directory); not converted: write it as an absolute path',
      expect.stringMatching(/^job "b": no absolute source left/),
    ]);
  });
});
