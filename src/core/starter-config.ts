/**
 * The starter config `hotsnap init` writes: a working example (a Ghost blog, profiles `daily` and
 * `weekly`) with every key explained in a comment, the optional ones shown commented out. The key
 * descriptions come from the schema, so the comments and `hotsnap config schema` never disagree.
 * Also the `tarsnap:` section both init modes share, planned from what tarsnap's own config
 * files say (hotsnap runs tarsnap with --no-default-config, so whatever they set must move here).
 */
import { Document, isMap, isScalar, isSeq, visit, type YAMLMap } from 'yaml';
import { z } from 'zod';
import {
  configFileSchema,
  profileFieldsSchema,
  retentionSchema,
  tarsnapSchema,
  type ConfigFile,
  type ProfileFields,
} from '../config/schema.js';
import { assertExtraArgs } from './tarsnap-extra-args.js';

/** What tarsnap's config files say (adapters/tarsnaprc reads them, user file first). */
export interface DetectedTarsnap {
  /** The files looked at, in tarsnap's order. */
  files: readonly string[];
  keyfile?: { value: string; file: string };
  cachedir?: { value: string; file: string };
  /** Every other option line, in the order tarsnap reads them (`~` already expanded). */
  options: readonly { name: string; value: string | null; file: string }[];
}

/** The `tarsnap:` section, the excludes tarsnap.conf applied to every archive, and what was left behind. */
export interface TarsnapSection {
  settings: ConfigFile['tarsnap'];
  /** `exclude` lines of tarsnap.conf: they go to `defaults.exclude`. */
  exclude: string[];
  /** Where keyfile and cachedir came from (a file), or undefined for the placeholders. */
  origin: { keyfile?: string; cachedir?: string; extraArgs: string[]; exclude: string[] };
  notes: string[];
}

/** tarsnap's documented example locations, used when tarsnap.conf names none. */
export const PLACEHOLDER_KEYFILE = '/root/tarsnap.key';
export const PLACEHOLDER_CACHEDIR = '/usr/local/tarsnap-cache';

/**
 * Given what tarsnap.conf says, returns the tarsnap section: keyfile and cachedir (placeholders
 * when absent or relative), the other options as `extra_args` when tarsnap -c accepts them from
 * hotsnap, excludes apart, and a note for each thing left behind.
 * Example: given keyfile /root/k from /root/.tarsnaprc and `checkpoint-bytes 1G`, returns
 * settings `{ keyfile: '/root/k', cachedir: '/usr/local/tarsnap-cache', extra_args: ['--checkpoint-bytes', '1G'] }`.
 */
export function planTarsnapSection(detected: DetectedTarsnap): TarsnapSection {
  const notes: string[] = [];
  const looked = detected.files.length > 0 ? detected.files.join(' or ') : 'tarsnap.conf';
  const pick = (key: 'keyfile' | 'cachedir', placeholder: string, fix: string): { value: string; file?: string } => {
    const found = detected[key];
    if (found && found.value.startsWith('/')) return found;
    if (found)
      notes.push(
        `tarsnap.${key}: "${found.value}" in ${found.file} is not an absolute path; the file has the placeholder ${placeholder}: ${fix}`,
      );
    else
      notes.push(`tarsnap.${key}: no "${key}" line in ${looked}; the file has the placeholder ${placeholder}: ${fix}`);
    return { value: placeholder };
  };
  const keyfile = pick('keyfile', PLACEHOLDER_KEYFILE, 'set it to your tarsnap key (tarsnap-keygen writes one)');
  const cachedir = pick('cachedir', PLACEHOLDER_CACHEDIR, 'set it to your tarsnap cache directory');

  const extraArgs: string[] = [];
  const exclude: string[] = [];
  const carried = new Set<string>();
  const extraArgsFrom = new Set<string>();
  const excludeFrom = new Set<string>();
  for (const option of detected.options) {
    if (option.name === 'exclude' && option.value !== null) {
      exclude.push(option.value);
      excludeFrom.add(option.file);
      continue;
    }
    // tarsnap takes the first value of an option from its config files; twice on a command line is an error.
    if (carried.has(option.name)) continue;
    const words = option.value === null ? [`--${option.name}`] : [`--${option.name}`, option.value];
    try {
      assertExtraArgs(words);
    } catch (error) {
      notes.push(
        `${option.file}: "${[option.name, option.value].filter((word) => word !== null).join(' ')}" not carried over (${(error as Error).message.replace(/^tarsnap extra argument "[^"]*" is /, '')})`,
      );
      continue;
    }
    carried.add(option.name);
    extraArgsFrom.add(option.file);
    extraArgs.push(...words);
  }
  return {
    settings: {
      keyfile: keyfile.value,
      cachedir: cachedir.value,
      ...(extraArgs.length > 0 ? { extra_args: extraArgs } : {}),
    },
    exclude,
    origin: {
      ...(keyfile.file ? { keyfile: keyfile.file } : {}),
      ...(cachedir.file ? { cachedir: cachedir.file } : {}),
      extraArgs: [...extraArgsFrom],
      exclude: [...excludeFrom],
    },
    notes,
  };
}

/** Given a schema, returns its description (looking through `.optional()`); e.g. `descriptionOf(tarsnapSchema.shape.keyfile)` → 'tarsnap key file (passed as --keyfile).'. */
export function descriptionOf(schema: z.ZodType): string {
  if (schema.description) return schema.description;
  return schema instanceof z.ZodOptional ? descriptionOf(schema.unwrap() as z.ZodType) : '';
}

/** Given text, returns it wrapped at spaces to lines of at most `width` characters (longer words stay whole); e.g. `wrapComment('aaa bbb ccc', 7)` → `['aaa bbb', 'ccc']`. */
export function wrapComment(text: string, width = 90): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines;
}

/** Given comment lines, returns them as the yaml package wants them: `asComment(['a', '', 'b'])` → `' a\n\n b'` (printed `# a`, blank, `# b`). */
export function asComment(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
}

/** Given a map and a key, adds `lines` to the comment above that key (optionally after a blank line); e.g. `commentKey(root, 'tarsnap', ['How to call tarsnap.'])`. */
export function commentKey(map: YAMLMap, key: string, lines: readonly string[], spaceBefore = false): void {
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (!pair || !isScalar(pair.key)) return;
  const existing = pair.key.commentBefore ? `${pair.key.commentBefore}\n` : '';
  pair.key.commentBefore = existing + asComment(lines);
  if (spaceBefore) pair.key.spaceBefore = true;
}

/** Given a document, marks every argv list (hooks, extra_args) to print on one line: `- [sh, -c, systemctl stop x]`. */
export function flowArgvLists(doc: Document): void {
  const flowHooks = (hooks: unknown): void => {
    if (!isMap(hooks)) return;
    for (const pair of hooks.items) {
      if (!isSeq(pair.value)) continue;
      const commands = pair.value.items.every((item) => isSeq(item)) ? pair.value.items : [pair.value];
      for (const command of commands) if (isSeq(command)) command.flow = true;
    }
  };
  const extra = doc.getIn(['tarsnap', 'extra_args'], true);
  if (isSeq(extra)) extra.flow = true;
  flowHooks(doc.getIn(['hooks'], true));
  flowHooks(doc.getIn(['defaults', 'hooks'], true));
  const profiles = doc.getIn(['profiles'], true);
  if (isMap(profiles))
    for (const pair of profiles.items) if (isMap(pair.value)) flowHooks(pair.value.get('hooks', true));
}

/** Given a document with a `tarsnap` map and the section it came from, comments each key (where its value came from) and lists the optional ones commented out. */
export function commentTarsnapSection(doc: Document, section: TarsnapSection): void {
  const tarsnap = doc.getIn(['tarsnap'], true);
  if (!isMap(tarsnap)) return;
  const shape = tarsnapSchema.shape;
  const from = (file: string | undefined, placeholder: string) =>
    file ? `Found in ${file}.` : `PLACEHOLDER: not found in tarsnap.conf; replace ${placeholder}.`;
  commentKey(
    tarsnap,
    'keyfile',
    wrapComment(`${descriptionOf(shape.keyfile)} ${from(section.origin.keyfile, PLACEHOLDER_KEYFILE)}`),
  );
  commentKey(
    tarsnap,
    'cachedir',
    wrapComment(`${descriptionOf(shape.cachedir)} ${from(section.origin.cachedir, PLACEHOLDER_CACHEDIR)}`),
  );
  if (section.settings.extra_args) {
    commentKey(
      tarsnap,
      'extra_args',
      wrapComment(
        `${descriptionOf(shape.extra_args)} Carried over from ${section.origin.extraArgs.join(', ')}: hotsnap runs tarsnap with --no-default-config, so tarsnap.conf is not read.`,
      ),
    );
  }
  const examples = Object.entries(TARSNAP_EXAMPLES).filter(
    ([key]) => !(key === 'extra_args' && section.settings.extra_args),
  );
  tarsnap.comment = asComment(
    examples.flatMap(([key, value]) => commentedExample(descriptionOf(shape[key as keyof typeof shape]), key, value)),
  );
  commentKey(doc.contents as YAMLMap, 'tarsnap', wrapComment(descriptionOf(configFileSchema.shape.tarsnap)));
}

/** Optional `tarsnap` keys shown commented out, with their default or an example value (valid as written). */
export const TARSNAP_EXAMPLES = {
  binary: 'tarsnap',
  extra_args: ['--maxbw-rate', '50000'],
  retries: 3,
  retry_delay: '30s',
  auto_fsck: false,
  passphrase: 'env:TARSNAP_PASSPHRASE',
};

/** Given `key` and an example value, returns its YAML lines, lists of words on one line: `exampleLines('retries', 3)` → `['retries: 3']`. */
export function exampleLines(key: string, value: unknown): string[] {
  const doc = new Document({ [key]: value });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd().split('\n');
}

/** Given a description, a key and a value, returns comment lines: the wrapped description, then `key: value`; e.g. `commentedExample('Retries.', 'retries', 3)` → `['Retries.', 'retries: 3']`. */
export function commentedExample(description: string, key: string, value: unknown): string[] {
  return [...wrapComment(description), ...exampleLines(key, value)];
}

/** What the starter config is made from; everything machine-specific is passed in. */
export interface StarterInput {
  /** This machine's values, shown next to the keys that default to them. */
  hostname: string;
  timezone: string;
  tmpdir: string;
  stateDir: string;
  tarsnap: TarsnapSection;
}

/** The example site: a Ghost blog with its SQLite database. */
const GHOST = '/var/www/ghost';
const GHOST_DB = `${GHOST}/content/data/ghost.db`;

/** Given the input, returns the active part of the starter config (what parseConfig sees): tarsnap, defaults when tarsnap.conf has excludes, profiles daily and weekly. */
export function starterConfigObject(input: StarterInput): ConfigFile {
  return {
    tarsnap: input.tarsnap.settings,
    ...(input.tarsnap.exclude.length > 0 ? { defaults: { exclude: [...input.tarsnap.exclude] } } : {}),
    profiles: {
      daily: {
        sqlite: [GHOST_DB],
        paths: [`${GHOST}/content/images`, `${GHOST}/config.production.json`],
        exclude: [`${GHOST}/content/images/size`],
        retention: { keep_daily: 7, keep_weekly: 4, keep_monthly: 6 },
      },
      weekly: {
        sqlite: [GHOST_DB],
        paths: [GHOST, '/etc/nginx', '/etc/letsencrypt'],
        exclude: [`${GHOST}/versions`, `${GHOST}/content/logs`],
        retention: { keep_weekly: 8, keep_monthly: 12, keep_yearly: 3 },
      },
    },
  };
}

/** Example values of the optional keys, by where they are shown. */
export interface StarterExamples {
  top: Partial<ConfigFile>;
  defaults: ProfileFields;
  /** Shown in the `daily` profile. */
  profile: ProfileFields;
  /** Instead of `retention`, so never together with it. */
  deltas: string;
}

/**
 * Given the machine values, returns the optional keys the starter shows commented out, each with a
 * value valid as written (tests uncomment them all); e.g. `starterExamples(machine).top.verify_schedule` → 'weekly'.
 */
export function starterExamples(
  input: Pick<StarterInput, 'hostname' | 'timezone' | 'tmpdir' | 'stateDir'>,
): StarterExamples {
  return {
    top: {
      hostname: input.hostname,
      timezone: input.timezone,
      staging_dir: input.tmpdir,
      state_dir: input.stateDir,
      metrics_file: '/var/lib/node_exporter/textfile/hotsnap.prom',
      verify_schedule: 'weekly',
      hooks: { on_error: ['logger', '-t', 'hotsnap', 'a backup failed'] },
    },
    defaults: { exclude: ['*.swp'], hot_copy: { verify: 'quick' } },
    profile: {
      archive_name: '{hostname}-{profile}-{date}',
      date_format: 'yyyy-MM-dd_HH-mm-ss',
      adopt: [{ archive_name: '{hostname}-ghost-{date}', date_format: 'yyyyMMdd-HHmm' }],
      prune: true,
      prune_partial: true,
      max_delete: '50%',
      hot_copy: { method: 'auto', verify: 'quick', busy_timeout: '10s', copy_timeout: '30m' },
      schedule: '*-*-* 03:15:00',
      hooks: { finally: ['logger', '-t', 'hotsnap', 'daily backup done'] },
      ping: 'https://hc-ping.com/your-check-uuid',
    },
    deltas: '1d 7d 30d 360d',
  };
}

const HEADER = `hotsnap configuration, written by "hotsnap init".
Every key is explained above it; keys shown commented out ("# key: value") are optional, with
their default or an example value. The whole schema: "hotsnap config schema".

The example backs up a Ghost blog: its SQLite database is hot-copied while Ghost keeps running.
Replace the paths with yours, then:
  hotsnap check               checks this file, the key, the paths and the databases
  hotsnap run --dry-run       stages and verifies copies, stores nothing
  hotsnap schedule            runs each profile on its schedule (daily, weekly)`;

const RETENTION_RULES = Object.keys(retentionSchema.shape).join(', ');

/**
 * Given what init detected, returns the commented starter YAML; it passes parseConfig as written.
 * Example: `renderStarterConfig({ hostname: 'web1', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap', tarsnap })`
 * → a file starting "# hotsnap configuration, written by …" with profiles daily and weekly.
 */
export function renderStarterConfig(input: StarterInput): string {
  const doc = new Document(starterConfigObject(input));
  doc.commentBefore = asComment(HEADER.split('\n'));
  const root = doc.contents as YAMLMap;
  const top = configFileSchema.shape;
  const examples = starterExamples(input);
  const machine: Record<string, string> = {
    hostname: input.hostname,
    timezone: input.timezone,
    staging_dir: input.tmpdir,
    state_dir: input.stateDir,
  };
  commentKey(
    root,
    'tarsnap',
    Object.entries(examples.top)
      .flatMap(([key, value], index) => [
        ...(index > 0 ? [''] : []),
        ...commentedExample(
          `${descriptionOf(top[key as keyof typeof top])}${machine[key] ? ` Here: ${machine[key]}.` : ''}`,
          key,
          value,
        ),
      ])
      .concat(['']),
  );
  commentTarsnapSection(doc, input.tarsnap);

  const defaultsText = descriptionOf(top.defaults);
  if (input.tarsnap.exclude.length > 0) {
    commentKey(
      root,
      'defaults',
      wrapComment(
        `${defaultsText} These excludes come from ${input.tarsnap.origin.exclude.join(', ')} (hotsnap runs tarsnap with --no-default-config).`,
      ),
      true,
    );
    commentKey(root, 'profiles', wrapComment(descriptionOf(top.profiles)), true);
  } else {
    commentKey(
      root,
      'profiles',
      [
        ...commentedExample(defaultsText, 'defaults', examples.defaults),
        '',
        ...wrapComment(descriptionOf(top.profiles)),
      ],
      true,
    );
  }
  commentProfiles(doc, examples);
  flowArgvLists(doc);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function commentProfiles(doc: Document, examples: StarterExamples): void {
  const profiles = doc.getIn(['profiles'], true) as YAMLMap;
  const daily = doc.getIn(['profiles', 'daily'], true) as YAMLMap;
  const weekly = doc.getIn(['profiles', 'weekly'], true) as YAMLMap;
  const field = profileFieldsSchema.shape;
  const describe = (key: keyof typeof field) => descriptionOf(field[key]);

  commentKey(profiles, 'daily', ['Every day: the database (hot copy) and the uploaded images.']);
  commentKey(
    daily,
    'sqlite',
    wrapComment(
      `${describe('sqlite')} Each is copied consistently while the application writes to it; the live file is left out of the archive.`,
    ),
  );
  commentKey(daily, 'paths', wrapComment(describe('paths')));
  commentKey(daily, 'exclude', wrapComment(`${describe('exclude')} Here: resized images Ghost can make again.`));
  commentKey(
    daily,
    'retention',
    wrapComment(
      `${describe('retention')} Here: the last 7 days, 4 weeks and 6 months. Other rules: ${RETENTION_RULES}.`,
    ),
  );
  const shown: Array<[string, unknown, string]> = Object.entries(examples.profile).flatMap(
    ([key, value]): Array<[string, unknown, string]> => [
      // deltas next to retention's alternatives, right before adopt.
      ...(key === 'adopt' ? [['deltas', examples.deltas, ''] as [string, unknown, string]] : []),
      [key, value, key === 'schedule' ? ' Here the default is "daily".' : ''],
    ],
  );
  const dailyExamples = shown.flatMap(([key, value, extra], index) => [
    ...(index > 0 ? [''] : []),
    ...commentedExample(`${describe(key as keyof typeof field)}${extra}`, key, value),
  ]);
  daily.comment = asComment(['', ...dailyExamples]);

  commentKey(profiles, 'weekly', ['Every week: the whole site and the web server config, kept longer.'], true);
  commentKey(weekly, 'exclude', ['Ghost\'s installed versions (reinstalled by "ghost install") and its logs.']);
  commentKey(weekly, 'retention', ['The last 8 weeks, 12 months and 3 years.']);
}
