import { parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { MachineDefaults } from '../../src/config/resolve.js';
import { configFileSchema, profileFieldsSchema, tarsnapSchema } from '../../src/config/schema.js';
import {
  renderStarterConfig,
  starterConfigObject,
  starterExamples,
  type StarterInput,
} from '../../src/init/starter-config.js';
import {
  planTarsnapSection,
  PLACEHOLDER_CACHEDIR,
  PLACEHOLDER_KEYFILE,
  TARSNAP_EXAMPLES,
  type DetectedTarsnap,
} from '../../src/init/tarsnap-section.js';
import { exampleLines, wrapComment } from '../../src/init/yaml-comments.js';

const MACHINE: MachineDefaults = {
  hostname: 'web1',
  timezone: 'Europe/Berlin',
  tmpdir: '/tmp',
  stateDir: '/var/lib/hotsnap',
};
const NOTHING: DetectedTarsnap = { files: ['/home/a/.tarsnaprc', '/usr/local/etc/tarsnap.conf'], options: [] };
const FOUND: DetectedTarsnap = {
  files: ['/root/.tarsnaprc', '/usr/local/etc/tarsnap.conf'],
  keyfile: { value: '/root/web1.key', file: '/root/.tarsnaprc' },
  cachedir: { value: '/var/cache/tarsnap', file: '/usr/local/etc/tarsnap.conf' },
  options: [
    { name: 'checkpoint-bytes', value: '1G', file: '/root/.tarsnaprc' },
    { name: 'print-stats', value: null, file: '/root/.tarsnaprc' },
    { name: 'humanize-numbers', value: null, file: '/root/.tarsnaprc' },
    { name: 'exclude', value: '*.core', file: '/usr/local/etc/tarsnap.conf' },
    { name: 'exclude', value: '/var/tmp', file: '/usr/local/etc/tarsnap.conf' },
    { name: 'checkpoint-bytes', value: '5G', file: '/usr/local/etc/tarsnap.conf' },
    { name: 'maxbw-rate', value: '100000', file: '/usr/local/etc/tarsnap.conf' },
    { name: 'nodump', value: null, file: '/usr/local/etc/tarsnap.conf' },
    { name: 'verylowmem', value: null, file: '/usr/local/etc/tarsnap.conf' },
  ],
};

/** Given YAML, returns it with wrapped comment lines joined, so assertions don't depend on the wrap width. */
const unwrapped = (text: string): string => text.replace(/\n *# (?![a-z_]+:)(?=\S)/g, ' ');
const inputOf = (detected: DetectedTarsnap, machine = MACHINE): StarterInput => ({
  ...machine,
  tarsnap: planTarsnapSection(detected),
});

describe('planTarsnapSection', () => {
  it('nothing found: placeholders, and a note saying where it looked and what to do', () => {
    const section = planTarsnapSection(NOTHING);
    expect(section.settings).toEqual({ keyfile: PLACEHOLDER_KEYFILE, cachedir: PLACEHOLDER_CACHEDIR });
    expect(section.notes).toEqual([
      'tarsnap.keyfile: no "keyfile" line in /home/a/.tarsnaprc or /usr/local/etc/tarsnap.conf; the file has the placeholder /root/tarsnap.key: set it to your tarsnap key (tarsnap-keygen writes one)',
      'tarsnap.cachedir: no "cachedir" line in /home/a/.tarsnaprc or /usr/local/etc/tarsnap.conf; the file has the placeholder /usr/local/tarsnap-cache: set it to your tarsnap cache directory',
    ]);
  });

  it('carries keyfile, cachedir, excludes and -c options; first value of an option wins; refused options are notes', () => {
    const section = planTarsnapSection(FOUND);
    expect(section.settings).toEqual({
      keyfile: '/root/web1.key',
      cachedir: '/var/cache/tarsnap',
      extra_args: ['--checkpoint-bytes', '1G', '--maxbw-rate', '100000', '--nodump'],
    });
    expect(section.exclude).toEqual(['*.core', '/var/tmp']);
    expect(section.origin).toEqual({
      keyfile: '/root/.tarsnaprc',
      cachedir: '/usr/local/etc/tarsnap.conf',
      extraArgs: ['/root/.tarsnaprc', '/usr/local/etc/tarsnap.conf'],
      exclude: ['/usr/local/etc/tarsnap.conf'],
    });
    expect(section.notes).toEqual([
      '/root/.tarsnaprc: "print-stats" not carried over (not allowed: hotsnap adds it when it needs the numbers)',
      '/root/.tarsnaprc: "humanize-numbers" not carried over (not allowed: hotsnap parses the byte counts)',
      '/usr/local/etc/tarsnap.conf: "verylowmem" not carried over (not allowed: not a tarsnap 1.0.41 option for -c (write it in full; modes and -f/-C are hotsnap\'s))',
    ]);
  });

  it('a relative keyfile is not used', () => {
    const section = planTarsnapSection({
      files: ['/h/.tarsnaprc'],
      keyfile: { value: 'keys/k', file: '/h/.tarsnaprc' },
      cachedir: { value: '/c', file: '/h/.tarsnaprc' },
      options: [],
    });
    expect(section.settings.keyfile).toBe(PLACEHOLDER_KEYFILE);
    expect(section.notes).toEqual([
      'tarsnap.keyfile: "keys/k" in /h/.tarsnaprc is not an absolute path; the file has the placeholder /root/tarsnap.key: set it to your tarsnap key (tarsnap-keygen writes one)',
    ]);
  });
});

describe('renderStarterConfig', () => {
  const inputs: Array<[string, StarterInput]> = [
    ['nothing detected', inputOf(NOTHING)],
    ['tarsnap.conf with options and excludes', inputOf(FOUND)],
    [
      'a host and zone with odd characters',
      inputOf(NOTHING, {
        hostname: 'db-1.internal',
        timezone: 'America/Argentina/Buenos_Aires',
        tmpdir: '/var/tmp/x y',
        stateDir: '/home/a b/.local/state/hotsnap',
      }),
    ],
    ['Git repositories found', { ...inputOf(NOTHING), git: ['/home/a/proj', '/srv/git/app.git'] }],
  ];

  it.each(inputs)("%s: passes hotsnap's own validation, as written", (_name, input) => {
    const text = renderStarterConfig(input);
    const config = parseConfig(text, '/etc/hotsnap/hotsnap.yaml', MACHINE);
    expect(config.profiles.map((profile) => [profile.name, profile.schedule])).toEqual([
      ['daily', 'daily'],
      ['weekly', 'weekly'],
    ]);
    expect(config.tarsnap.keyfile).toBe(input.tarsnap.settings.keyfile);
    expect(parseDocument(text).toJS()).toEqual(starterConfigObject(input));
  });

  it.each(inputs)('%s: every commented-out example is valid once uncommented', (_name, input) => {
    const examples = starterExamples(input);
    const active = starterConfigObject(input);
    const everything = {
      ...examples.top,
      tarsnap: { ...TARSNAP_EXAMPLES, ...active.tarsnap },
      defaults: {
        ...examples.defaults,
        ...active.defaults,
        exclude: [...(examples.defaults.exclude ?? []), ...(active.defaults?.exclude ?? [])],
      },
      profiles: { ...active.profiles, daily: { ...active.profiles.daily, ...examples.profile } },
    };
    const config = parseConfig(stringify(everything), 'all.yaml', MACHINE);
    expect(config.profiles[0]).toMatchObject({
      name: 'daily',
      schedule: '*-*-* 03:15:00',
      ping: 'https://hc-ping.com/your-check-uuid',
    });
    // deltas is the alternative to retention, never beside it.
    const { retention: _, ...withoutRetention } = everything.profiles.daily;
    const deltas = { ...everything, profiles: { daily: { ...withoutRetention, deltas: examples.deltas } } };
    expect(parseConfig(stringify(deltas), 'deltas.yaml', MACHINE).profiles[0]?.deltas).toBe('1d 7d 30d 360d');
  });

  it('explains every key of the schema, active or commented out', () => {
    const text = renderStarterConfig(inputOf(NOTHING));
    const lines = text.split('\n');
    const shown = (key: string) => lines.some((line) => new RegExp(`^\\s*(# )?\\s*${key}:`).test(line));
    for (const key of [
      ...Object.keys(configFileSchema.shape),
      ...Object.keys(tarsnapSchema.shape),
      ...Object.keys(profileFieldsSchema.shape),
    ]) {
      expect(shown(key), key).toBe(true);
    }
    // Each key line has a comment line right above it (or is a list item / nested value of one).
    lines.forEach((line, index) => {
      const key = /^(\s*)(# )?([a-z_]+):/.exec(line);
      if (!key || key[1]!.length > 4 || /^\s*# \s/.test(line)) return;
      const above = lines[index - 1] ?? '';
      expect(
        above.trim().startsWith('#') ||
          /^\s*(daily|weekly|profiles|defaults|tarsnap|hooks|hot_copy|retention|adopt):/.test(above) ||
          above.trim().startsWith('- '),
        `line ${index + 1}: ${line}`,
      ).toBe(true);
    });
  });

  it('Git repositories found: an active git: in daily after sqlite, explained, instead of the commented example', () => {
    const none = renderStarterConfig(inputOf(NOTHING));
    expect(renderStarterConfig({ ...inputOf(NOTHING), git: [] })).toBe(none);
    const text = renderStarterConfig({ ...inputOf(NOTHING), git: ['/home/a/proj', '/srv/git/app.git'] });
    expect(Object.keys(parseDocument(text).toJS().profiles.daily)).toEqual([
      'sqlite',
      'git',
      'paths',
      'exclude',
      'retention',
    ]);
    expect(unwrapped(text)).toContain(
      "Found on this machine by hotsnap init: to archive a work tree's files too, add its directory to paths.\n    git:\n      - /home/a/proj\n      - /srv/git/app.git",
    );
    expect(none).toContain('# git: [/srv/git]');
    expect(text).not.toContain('# git:');
    // Everything else is as without repositories.
    expect(text.replace(/\n {4}# Git repositories[^]*?app\.git\n/, '\n')).toBe(
      none.replace(/\n\n {4}# Git repositories[^]*?# git: \[\/srv\/git\]\n/, '\n'),
    );
  });

  it('shows the machine values next to the keys that default to them, and the verify schedule commented out', () => {
    const text = renderStarterConfig(inputOf(NOTHING));
    expect(text).toContain('# hostname: web1\n');
    expect(text).toContain('Here: Europe/Berlin.\n# timezone: Europe/Berlin\n');
    expect(text).toContain('# verify_schedule: weekly\n');
    expect(unwrapped(text)).toContain(
      'PLACEHOLDER: not found in tarsnap.conf; replace /root/tarsnap.key.\n  keyfile: /root/tarsnap.key',
    );
  });

  it('says where detected values came from', () => {
    const text = renderStarterConfig(inputOf(FOUND));
    expect(text).toContain('(passed as --keyfile). Found in /root/.tarsnaprc.\n  keyfile: /root/web1.key\n');
    expect(unwrapped(text)).toContain(
      'Carried over from /root/.tarsnaprc, /usr/local/etc/tarsnap.conf: hotsnap runs tarsnap with --no-default-config',
    );
    expect(text).toContain('extra_args: [--checkpoint-bytes, 1G, --maxbw-rate, "100000", --nodump]\n');
    expect(text).toContain('defaults:\n  exclude:\n    - "*.core"\n    - /var/tmp\n');
  });
});

describe('helpers', () => {
  it('wrapComment wraps at word boundaries and keeps long words whole', () => {
    expect(wrapComment('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapComment('x /a/very/long/path y', 5)).toEqual(['x', '/a/very/long/path', 'y']);
    expect(wrapComment('one\ntwo', 90)).toEqual(['one', 'two']);
  });

  it('exampleLines writes lists of words on one line and quotes what YAML needs', () => {
    expect(exampleLines('extra_args', ['--maxbw-rate', '50000'])).toEqual(['extra_args: [--maxbw-rate, "50000"]']);
    expect(exampleLines('archive_name', '{hostname}-{profile}-{date}')).toEqual([
      'archive_name: "{hostname}-{profile}-{date}"',
    ]);
    expect(exampleLines('hooks', { on_error: ['mail', '-s', 'hotsnap failed', 'root'] })).toEqual([
      'hooks:',
      '  on_error: [mail, -s, hotsnap failed, root]',
    ]);
  });
});
