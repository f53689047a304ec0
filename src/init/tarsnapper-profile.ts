/** One tarsnapper job as one hotsnap profile, with a note on whatever changes meaning on the way. */
import type { ProfileFields } from '../config/schema.js';
import { parseDeltas } from '../core/deltas.js';
import { UNIT_MS } from '../core/timespan.js';
import { quoted, type TarsnapperJob } from './tarsnapper-jobs.js';
import { namingOf, targetToTemplate, TARSNAPPER_DATEFORMAT, type Naming } from './tarsnapper-names.js';
import { convertSqliteHooks } from './tarsnapper-sqlite.js';

/**
 * Given tarsnapper delta words, returns hotsnap's `deltas` text (ascending, as hotsnap insists;
 * tarsnapper sorted them silently) and notes on what changed, or no text when it cannot be used.
 * Example: `convertDeltas(['7d', '1d'])` → `{ text: '1d 7d', notes: ['deltas "7d 1d" reordered …'] }`.
 */
export function convertDeltas(words: readonly string[]): { text?: string; notes: string[] } {
  const original = words.join(' ');
  const withMs = words.map((word) => ({
    word,
    ms: Number(word.slice(0, -1)) * UNIT_MS[word.slice(-1) as 's' | 'h' | 'd'],
  }));
  const sorted = [...withMs].sort((a, b) => a.ms - b.ms);
  const unique = sorted.filter((delta, index) => index === 0 || delta.ms !== sorted[index - 1]!.ms);
  const text = unique.map((delta) => delta.word).join(' ');
  const notes: string[] = [];
  if (unique.length < sorted.length)
    notes.push(`deltas "${original}" repeat a length; the repeats are dropped ("${text}")`);
  else if (text !== original)
    notes.push(`deltas "${original}" reordered to "${text}" (hotsnap wants them ascending; tarsnapper sorted them)`);
  try {
    parseDeltas(text);
  } catch (error) {
    return {
      notes: [
        ...notes,
        `${(error as Error).message}; not converted, so this profile is never pruned until you set retention or deltas`,
      ],
    };
  }
  return { text, notes };
}

const SQLITE_LOOKING = /\.(db|sqlite|sqlite3|db3)$/i;

/** Given a job and its profile name, returns the profile (undefined when the job is not converted) and notes. */
export function convertJob(job: TarsnapperJob, profileName: string): { profile?: ProfileFields; notes: string[] } {
  const notes: string[] = [];
  const naming = namingOf(job, job.name, profileName);
  // For another profile's adopt list: {profile} there would be that profile's name, so spell the job's out.
  const legacy = namingOf(job, job.name, undefined);
  const adoptHint =
    'problem' in legacy
      ? ''
      : ` (to prune its archives, add adopt: [{archive_name: "${legacy.archive_name}", date_format: "${legacy.date_format}"}] to a profile)`;
  if (!job.sources || job.sources.length === 0) {
    return { notes: [`no sources, so tarsnapper only listed or expired its archives; not converted${adoptHint}`] };
  }
  const absolute = job.sources.filter(
    (source): source is string => typeof source === 'string' && source.startsWith('/'),
  );
  const sqliteHooks = convertSqliteHooks(job, absolute);
  notes.push(...sqliteHooks.notes);
  const paths: string[] = [];
  for (const source of job.sources) {
    if (typeof source === 'string' && sqliteHooks.dropped.includes(source)) continue;
    if (typeof source === 'string' && source.startsWith('/')) {
      paths.push(source);
      if (SQLITE_LOOKING.test(source))
        notes.push(
          `source "${source}" looks like a SQLite database: if it is one, move it to sqlite: so hotsnap archives a consistent hot copy`,
        );
    } else if (typeof source === 'string' && source !== '') {
      notes.push(
        `source "${source}" is relative (tarsnap read it from tarsnapper's working directory); not converted: write it as an absolute path`,
      );
    } else notes.push(`source ${quoted(source)} is not a path; not converted`);
  }
  const { sqlite } = sqliteHooks;
  if (paths.length === 0 && sqlite.length === 0)
    return { notes: [...notes, `no absolute source left; not converted${adoptHint}`] };

  const profile: ProfileFields = { ...(sqlite.length > 0 ? { sqlite } : {}), ...(paths.length > 0 ? { paths } : {}) };
  const exclude = job.excludes.filter((pattern): pattern is string => typeof pattern === 'string' && pattern !== '');
  for (const pattern of job.excludes.filter((pattern) => !exclude.includes(pattern as string)))
    notes.push(`exclude ${quoted(pattern)} is not a pattern; not converted`);
  if (exclude.length > 0) profile.exclude = exclude;

  if ('problem' in naming) {
    notes.push(
      `its archive names ("${job.target}", dateformat "${job.dateformat ?? TARSNAPPER_DATEFORMAT}") cannot be kept: ${naming.problem}. The profile uses hotsnap's default names, and tarsnapper's archives of this job are left alone: delete them by hand when no longer needed`,
    );
  } else {
    Object.assign(profile, naming);
    const converted = targetToTemplate(job.target, job.name, profileName);
    if ('notes' in converted) notes.push(...converted.notes.map((note) => `target: ${note}`));
    const adopt: Naming[] = [];
    for (const alias of job.aliases) {
      const legacy =
        typeof alias === 'string' && alias !== '' ? namingOf(job, alias, profileName) : { problem: 'not a name' };
      if ('problem' in legacy) notes.push(`alias ${quoted(alias)}: ${legacy.problem}; its archives are not adopted`);
      else if (
        legacy.archive_name !== naming.archive_name &&
        !adopt.some((entry) => entry.archive_name === legacy.archive_name)
      )
        adopt.push(legacy);
    }
    if (adopt.length > 0) profile.adopt = adopt;
  }

  if (job.deltas && job.deltas.length > 0) {
    const deltas = convertDeltas(job.deltas);
    notes.push(...deltas.notes);
    if (deltas.text) profile.deltas = deltas.text;
  } else
    notes.push(
      'no deltas: tarsnapper never expired its archives, and without retention or deltas hotsnap never prunes them either',
    );

  const hooks: NonNullable<ProfileFields['hooks']> = {};
  const moved: string[] = [];
  for (const [key, event, value] of [
    ['exec_before', 'before', sqliteHooks.execBefore],
    ['exec_after', 'finally', sqliteHooks.execAfter],
  ] as const) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      notes.push(`${key} ${quoted(value)} is not a command; not converted`);
      continue;
    }
    hooks[event] = [['sh', '-c', value]];
    moved.push(`${key} → hooks.${event}`);
  }
  if (moved.length > 0) {
    profile.hooks = hooks;
    const after = hooks.finally
      ? '; exec_after became "finally" because tarsnapper ran it whether or not the backup worked (hotsnap runs it after pruning)'
      : '';
    notes.push(`${moved.join(', ')}: tarsnapper ran them through a shell, so they run as ["sh", "-c", "…"]${after}`);
  }
  if (job.force !== undefined && job.force !== null && job.force !== false)
    notes.push('force: dropped; hotsnap never skips a profile whose sources are missing or empty');
  return { profile, notes };
}
