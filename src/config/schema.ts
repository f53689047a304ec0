/**
 * The config file's schema: every key, its type, default and a description, and example values of
 * optional keys. Descriptions and examples feed the published JSON Schema (so editors can complete
 * and check hotsnap.yaml) and the starter config `hotsnap init` writes, so the two never disagree.
 * Unknown keys are errors everywhere: a typo must never silently disable retention.
 */
import { z } from 'zod';
import { parseTimeSpan } from '../core/timespan.js';
import { absolutePath, sourceFields } from '../sources/config.js';

const timeSpan = z.union([z.string(), z.number()]).superRefine((value, context) => {
  try {
    parseTimeSpan(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const count = z.number().int().min(-1, { message: 'must be a whole number ≥ 1, or -1 for unlimited' });
// Checked in detail by core/duration (cross-field checks), which says exactly what is wrong.
const retentionDuration = z.string().min(1);

export const retentionSchema = z
  .strictObject({
    keep_last: count.optional().describe('Keep the N newest archives.'),
    keep_hourly: count
      .optional()
      .describe('Keep the newest archive of each of the N most recent hours that have archives.'),
    keep_daily: count
      .optional()
      .describe('Keep the newest archive of each of the N most recent days that have archives.'),
    keep_weekly: count
      .optional()
      .describe('Keep the newest archive of each of the N most recent ISO weeks (Monday start).'),
    keep_monthly: count.optional().describe('Keep the newest archive of each of the N most recent months.'),
    keep_yearly: count.optional().describe('Keep the newest archive of each of the N most recent years.'),
    keep_within: retentionDuration
      .optional()
      .describe('Keep every archive newer than the newest archive minus this duration (y, m = months, d, h).'),
    keep_within_hourly: retentionDuration
      .optional()
      .describe('Within this duration of the newest archive, keep the newest archive of each hour.'),
    keep_within_daily: retentionDuration
      .optional()
      .describe('Within this duration of the newest archive, keep the newest archive of each day.'),
    keep_within_weekly: retentionDuration
      .optional()
      .describe('Within this duration of the newest archive, keep the newest archive of each week.'),
    keep_within_monthly: retentionDuration
      .optional()
      .describe('Within this duration of the newest archive, keep the newest archive of each month.'),
    keep_within_yearly: retentionDuration
      .optional()
      .describe('Within this duration of the newest archive, keep the newest archive of each year.'),
  })
  .describe('Which archives prune keeps; restic forget semantics. -1 means unlimited. No rules: never pruned.');

export const hotCopySchema = z
  .strictObject({
    method: z
      .enum(['auto', 'fast', 'backup-api'])
      .optional()
      .describe(
        'auto: WAL → pinned read + cp, rollback journal → BEGIN IMMEDIATE + cp; backup-api: SQLite online backup (slower fallback).',
      ),
    verify: z
      .enum(['quick', 'full', 'none'])
      .optional()
      .describe('Check each copy: quick = PRAGMA quick_check (default), full = integrity_check.'),
    busy_timeout: timeSpan.optional().describe('How long to wait for a lock held by the application (default 10s).'),
    copy_timeout: timeSpan.optional().describe('Hard limit for one database copy (default 30m).'),
  })
  .describe('How SQLite databases are hot-copied.');

const argv = z
  .array(z.string())
  .min(1, { message: 'a command is a non-empty list: program then arguments, e.g. ["systemctl", "reload", "ghost"]' });

/** One command or a list of commands; each an argv array (no shell unless you write ["sh", "-c", "…"]). */
const hookCommands = z.union([argv, z.array(argv)]);

export const hooksSchema = z
  .strictObject({
    before: hookCommands
      .optional()
      .describe('Run before the backup; if it fails, the profile fails and nothing is archived.'),
    after: hookCommands.optional().describe('Run after a successful backup (and prune).'),
    on_error: hookCommands
      .optional()
      .describe(
        'Run when the backup or prune failed; it reads the failure (summary line, then the log tail) on stdin, and HOTSNAP_ERROR holds it on one line, so [mail, -s, "hotsnap failed", root] mails it.',
      ),
    finally: hookCommands.optional().describe('Run at the end, whatever happened.'),
  })
  .describe(
    'Commands run around a backup; they see HOTSNAP_* environment variables (profile, archive, status, error, sizes).',
  );

const adoptSchema = z.strictObject({
  archive_name: z.string().min(1).describe('Name template of the legacy archives, e.g. "{hostname}-daily-{date}".'),
  date_format: z.string().min(1).describe('date-fns format of {date} in the legacy names (UTC).'),
});

/** Keys a profile may set (all optional here: `defaults` holds the same keys). */
export const profileFieldsSchema = z.strictObject({
  ...sourceFields,
  paths: z.array(absolutePath).optional().describe('Files and directories to archive (absolute paths).'),
  exclude: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'tarsnap --exclude patterns (unanchored unless they start with /). Defaults and profile lists are combined.',
    ),
  archive_name: z
    .string()
    .min(1)
    .optional()
    .describe('Archive name template: {hostname}, {profile}, {date}. Default "{hostname}-{profile}-{date}".')
    .meta({ examples: ['{hostname}-{profile}-{date}'] }),
  date_format: z
    .string()
    .min(1)
    .optional()
    .describe('date-fns format for {date}, always UTC. Default "yyyy-MM-dd_HH-mm-ss".')
    .meta({ examples: ['yyyy-MM-dd_HH-mm-ss'] }),
  retention: retentionSchema.optional(),
  deltas: z
    .string()
    .min(1)
    .optional()
    .describe('tarsnapper-style retention, e.g. "1d 7d 30d 360d" (instead of retention).')
    .meta({ examples: ['1d 7d 30d 360d'] }),
  adopt: z
    .array(adoptSchema)
    .optional()
    .describe('Legacy archive name patterns this profile also prunes (e.g. archives of the old cron script).')
    .meta({ examples: [[{ archive_name: '{hostname}-ghost-{date}', date_format: 'yyyyMMdd-HHmm' }]] }),
  prune: z
    .boolean()
    .optional()
    .describe('Prune after each successful run (default true). false on hosts with a write-only key.')
    .meta({ examples: [true] }),
  prune_partial: z
    .boolean()
    .optional()
    .describe('Delete .part archives once a newer complete archive exists (default true).')
    .meta({ examples: [true] }),
  max_delete: z
    .union([z.number().int().min(0), z.string().regex(/^\d+%$/)])
    .optional()
    .describe('Most archives one prune may delete without --force: a number or a percentage (default "50%").')
    .meta({ examples: ['50%'] }),
  hot_copy: hotCopySchema
    .optional()
    .meta({ examples: [{ method: 'auto', verify: 'quick', busy_timeout: '10s', copy_timeout: '30m' }] }),
  schedule: z
    .string()
    .min(1)
    .optional()
    .describe(
      'When to run: hourly, daily, weekly, monthly or a systemd OnCalendar expression (default: the profile name if it is one of those).',
    )
    .meta({ examples: ['*-*-* 03:15:00'] }),
  hooks: hooksSchema.optional().meta({ examples: [{ finally: ['logger', '-t', 'hotsnap', 'daily backup done'] }] }),
  ping: z
    .url({
      protocol: /^https?$/,
      message: 'must be an http:// or https:// URL, e.g. https://hc-ping.com/your-check-uuid',
    })
    .optional()
    .describe('Healthchecks-style URL: /start before, the URL on success, /fail on failure.')
    .meta({ examples: ['https://hc-ping.com/your-check-uuid'] }),
});

export const tarsnapSchema = z
  .strictObject({
    binary: z
      .string()
      .min(1)
      .optional()
      .describe('tarsnap executable: a name on PATH or a path (default "tarsnap").')
      .meta({ examples: ['tarsnap'] }),
    keyfile: absolutePath.describe('tarsnap key file (passed as --keyfile).'),
    cachedir: absolutePath.describe('tarsnap cache directory (passed as --cachedir).'),
    extra_args: z
      .array(z.string())
      .optional()
      .describe('Extra options for every create, e.g. ["--maxbw-rate", "50000"].')
      .meta({ examples: [['--maxbw-rate', '50000']] }),
    retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .optional()
      .describe('Retries after a network failure (default 3).')
      .meta({ examples: [3] }),
    retry_delay: timeSpan
      .optional()
      .describe('Wait before the first retry, doubling each time (default 30s).')
      .meta({ examples: ['30s'] }),
    auto_fsck: z
      .boolean()
      .optional()
      .describe('Run tarsnap --fsck once when the cache is out of sync (default false).')
      .meta({ examples: [false] }),
    passphrase: z
      .string()
      .regex(/^(env|file):.+$/, { message: 'must be env:VARIABLE or file:/path/to/file (never the passphrase itself)' })
      .optional()
      .describe(
        'For a passphrase-protected key: where tarsnap reads the passphrase (--passphrase env:VAR or file:PATH), so a scheduled run never waits at a prompt.',
      )
      .meta({ examples: ['env:TARSNAP_PASSPHRASE'] }),
  })
  .describe('How to call tarsnap.');

export const profileNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  message: 'profile names use letters, digits, ".", "_" and "-", starting with a letter or digit',
});

export const configFileSchema = z
  .strictObject({
    hostname: z
      .string()
      .min(1)
      .optional()
      .describe('Host name used in archive names (default: the machine host name).'),
    timezone: z
      .string()
      .min(1)
      .optional()
      .describe('IANA time zone for retention buckets (default: the machine zone).'),
    staging_dir: absolutePath
      .optional()
      .describe("Parent of each run's private snapshot directory (default: the system temp dir)."),
    state_dir: absolutePath
      .optional()
      .describe('Where run state is kept (default /var/lib/hotsnap as root, else ~/.local/state/hotsnap).'),
    metrics_file: absolutePath
      .optional()
      .describe(
        'Write Prometheus node_exporter textfile metrics here after each run (e.g. /var/lib/node_exporter/textfile/hotsnap.prom).',
      )
      .meta({ examples: ['/var/lib/node_exporter/textfile/hotsnap.prom'] }),
    verify_schedule: z
      .string()
      .min(1)
      .optional()
      .describe('Also schedule "hotsnap verify" (a restore drill), e.g. weekly. Default: not scheduled.')
      .meta({ examples: ['weekly'] }),
    hooks: hooksSchema
      .optional()
      .describe('Commands run once per "hotsnap run": before the first profile, after the last.')
      .meta({ examples: [{ on_error: ['mail', '-s', 'hotsnap failed', 'root'] }] }),
    tarsnap: tarsnapSchema,
    defaults: profileFieldsSchema
      .optional()
      .describe('Merged under every profile; profile keys win (exclude lists are combined).')
      .meta({ examples: [{ exclude: ['*.swp'], hot_copy: { verify: 'quick' } }] }),
    profiles: z.record(profileNameSchema, profileFieldsSchema).describe('Backup profiles, e.g. daily and weekly.'),
  })
  .describe('hotsnap configuration');

export type RetentionConfig = z.infer<typeof retentionSchema>;
export type ProfileFields = z.infer<typeof profileFieldsSchema>;
export type ConfigFile = z.infer<typeof configFileSchema>;

/** Given the zod schema, returns the published JSON Schema (draft 2020-12). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'hotsnap configuration',
  };
}
