/**
 * Migrating from tarsnapper (github.com/miracle2k/tarsnapper): its YAML config, already parsed,
 * becomes a hotsnap config object plus notes on everything that could not be carried over.
 * What tarsnapper itself refuses is refused (tarsnapper-jobs); everything else converts, and
 * whatever changes meaning (shell hooks, skipped jobs, unsupported date formats) becomes a note.
 */
import { profileNameSchema, type ConfigFile, type ProfileFields } from '../config/schema.js';
import type { TarsnapSection } from './tarsnap-section.js';
import { readJobs, TarsnapperConfigError, type TarsnapperInput } from './tarsnapper-jobs.js';
import { TARSNAPPER_DATEFORMAT } from './tarsnapper-names.js';
import { convertJob } from './tarsnapper-profile.js';

/** A hotsnap config and what it leaves out. */
export interface TarsnapperConversion {
  config: ConfigFile;
  /** Profile name → the tarsnapper job it came from. */
  origins: Record<string, string>;
  /** One sentence per thing not converted or whose meaning changed, e.g. `job "www": …`. */
  unconverted: string[];
}

const isProfileName = (name: string): boolean => profileNameSchema.safeParse(name).success;

/** Given a tarsnapper job name and the names taken, returns a valid, unused profile name. */
function profileNameFor(jobName: string, taken: ReadonlySet<string>): string {
  if (isProfileName(jobName)) return jobName;
  const base = jobName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'job';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** Keys every profile sets to the same value move to `defaults`, so the file says it once. */
const SHARED_KEYS = ['archive_name', 'date_format', 'deltas'] as const;

function hoistShared(profiles: Record<string, ProfileFields>, defaults: ProfileFields): void {
  const all = Object.values(profiles);
  if (all.length < 2) return;
  for (const key of SHARED_KEYS) {
    const first = all[0]![key];
    if (first === undefined || !all.every((profile) => profile[key] === first)) continue;
    defaults[key] = first;
    for (const profile of all) delete profile[key];
  }
}

/**
 * Given the parsed tarsnapper files and the tarsnap section (from tarsnap.conf), returns the hotsnap
 * config and what it leaves out; throws TarsnapperConfigError listing every problem when tarsnapper
 * itself would refuse the file, or when no job can be converted.
 * Example: `convertTarsnapper({ config: { target: '$name-$date', deltas: '1d 7d',
 * jobs: { etc: { source: '/etc' } } } }, section).config.profiles.etc`
 * → `{ paths: ['/etc'], archive_name: '{profile}-{date}', date_format: 'yyyyMMdd-HHmmss', deltas: '1d 7d' }`.
 */
export function convertTarsnapper(input: TarsnapperInput, tarsnap: TarsnapSection): TarsnapperConversion {
  const unconverted: string[] = [];
  const jobs = readJobs(input, unconverted);
  const profiles: Record<string, ProfileFields> = {};
  const origins: Record<string, string> = {};
  const skipped: string[] = [];
  // Jobs whose names are valid profile names keep them; only the others are renamed around them.
  const taken = new Set(jobs.map((job) => job.name).filter(isProfileName));
  for (const job of jobs) {
    const profileName = profileNameFor(job.name, taken);
    taken.add(profileName);
    const { profile, notes } = convertJob(job, profileName);
    if (profile && profileName !== job.name)
      notes.unshift(`renamed to profile "${profileName}" (profile names use letters, digits, ".", "_" and "-")`);
    unconverted.push(...notes.map((note) => `job "${job.name}": ${note}`));
    if (!profile) {
      skipped.push(job.name);
      continue;
    }
    profiles[profileName] = profile;
    origins[profileName] = job.name;
  }
  if (Object.keys(profiles).length === 0) throw new TarsnapperConfigError(['no job can be converted', ...unconverted]);

  const converted = jobs.filter((job) => !skipped.includes(job.name));
  if (converted.some((job) => job.dateformat === undefined)) {
    unconverted.push(
      `jobs without dateformat: tarsnapper wrote ${TARSNAPPER_DATEFORMAT} but recognised any date python-dateutil could read; hotsnap recognises only yyyyMMdd-HHmmss, so archives with other dates are left alone`,
    );
  }
  if (converted.some((job) => !job.force)) {
    unconverted.push(
      'tarsnapper skipped a job when a source was missing or an empty directory (unless force: true); hotsnap never skips, and "hotsnap check" reports missing paths',
    );
  }
  const seenNames = new Map<string, string>();
  for (const [name, profile] of Object.entries(profiles)) {
    const key = `${(profile.archive_name ?? '').replaceAll('{profile}', name)}\0${profile.date_format ?? ''}`;
    const other = seenNames.get(key);
    if (other !== undefined && profile.archive_name !== undefined) {
      unconverted.push(
        `profiles "${other}" and "${name}" name their archives alike ("${profile.archive_name}"): hotsnap gives such archives to "${other}" only; give "${name}" its own archive_name`,
      );
    }
    seenNames.set(key, name);
  }
  unconverted.push(
    'tarsnapper ran from cron: set "schedule" on each profile (e.g. daily), install it with "hotsnap schedule", then remove the tarsnapper cron entry',
  );
  unconverted.push(...tarsnap.notes);

  const defaults: ProfileFields = {};
  if (tarsnap.exclude.length > 0) defaults.exclude = [...tarsnap.exclude];
  hoistShared(profiles, defaults);
  const config: ConfigFile = {
    tarsnap: tarsnap.settings,
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    profiles,
  };
  return { config, origins, unconverted };
}
