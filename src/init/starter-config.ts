/**
 * The starter config `hotsnap init` writes: a working example (a Ghost blog, profiles `daily` and
 * `weekly`) with every key explained in a comment, the optional ones shown commented out. The key
 * descriptions and example values come from the schema, so the comments and `hotsnap config schema`
 * never disagree.
 */
import { Document, type YAMLMap } from 'yaml';
import {
  configFileSchema,
  profileFieldsSchema,
  retentionSchema,
  type ConfigFile,
  type ProfileFields,
} from '../config/schema.js';
import { descriptionOf, exampleOf, examplesOf } from './schema-docs.js';
import { commentTarsnapSection, type TarsnapSection } from './tarsnap-section.js';
import { asComment, commentedExample, commentKey, flowArgvLists, wrapComment } from './yaml-comments.js';

/** What the starter config is made from; everything machine-specific is passed in. */
export interface StarterInput {
  /** This machine's values, shown next to the keys that default to them. */
  hostname: string;
  timezone: string;
  tmpdir: string;
  stateDir: string;
  tarsnap: TarsnapSection;
  /** Git repositories found on this machine, suggested under the daily profile's `git:` (none: a commented example). */
  git?: readonly string[];
}

/** The example site: a Ghost blog with its SQLite database. */
const GHOST = '/var/www/ghost';
const GHOST_DB = `${GHOST}/content/data/ghost.db`;

/**
 * Given the input, returns the active part of the starter config (what parseConfig sees):
 * tarsnap, defaults when tarsnap.conf has excludes, profiles daily and weekly.
 */
export function starterConfigObject(input: StarterInput): ConfigFile {
  return {
    tarsnap: input.tarsnap.settings,
    ...(input.tarsnap.exclude.length > 0 ? { defaults: { exclude: [...input.tarsnap.exclude] } } : {}),
    profiles: {
      daily: {
        sqlite: [GHOST_DB],
        ...(input.git?.length ? { git: [...input.git] } : {}),
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
 * Given the machine values, returns the optional keys the starter shows commented out: the machine's
 * value where a key defaults to one, else the schema's example, each valid as written (tests
 * uncomment them all); e.g. `starterExamples(machine).top.verify_schedule` → 'weekly'.
 */
export function starterExamples(
  input: Pick<StarterInput, 'hostname' | 'timezone' | 'tmpdir' | 'stateDir' | 'git'>,
): StarterExamples {
  const top = configFileSchema.shape;
  const field = profileFieldsSchema.shape;
  return {
    top: {
      hostname: input.hostname,
      timezone: input.timezone,
      staging_dir: input.tmpdir,
      state_dir: input.stateDir,
      ...examplesOf(top, ['metrics_file', 'verify_schedule', 'hooks']),
    },
    defaults: exampleOf(top.defaults)!,
    profile: examplesOf(field, [
      // Shown as an example only when no repository was found (else it is an active key).
      ...(input.git?.length ? [] : ['git' as const]),
      'keep_snapshot',
      'archive_name',
      'date_format',
      'adopt',
      'prune',
      'prune_partial',
      'max_delete',
      'hot_copy',
      'schedule',
      'hooks',
      'ping',
    ]),
    deltas: exampleOf(field.deltas)!,
  };
}

const HEADER = `hotsnap configuration, written by "hotsnap init".
Every key is explained above it; keys shown commented out ("# key: value") are optional, with
their default or an example value. The whole schema: "hotsnap config schema".

The example backs up a Ghost blog: its SQLite database is hot-copied while Ghost keeps running.
Replace the paths with yours, then:
  hotsnap check               checks this file, the key, the paths and the databases
  hotsnap run --dry-run       stages and verifies copies, stores nothing
  hotsnap prune --dry-run     shows what the first run's prune will delete
  hotsnap schedule cron       runs each profile on its schedule (daily, weekly)`;

const RETENTION_RULES = Object.keys(retentionSchema.shape).join(', ');

/**
 * Given what init detected, returns the commented starter YAML; it passes parseConfig as written.
 * Example: `renderStarterConfig({ hostname: 'web1', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap',
 * tarsnap })` → a file starting "# hotsnap configuration, written by …" with profiles daily and weekly.
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
  commentKey(
    daily,
    'git',
    wrapComment(
      `${describe('git')} Found on this machine by hotsnap init: to archive a work tree's files too, add its directory to paths.`,
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
