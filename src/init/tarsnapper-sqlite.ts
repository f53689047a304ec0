/**
 * A tarsnapper job that archived a SQLite database through a copy its `exec_before` hook made
 * (`sqlite3 DB ".backup COPY"`, COPY among the job's sources) becomes a `sqlite:` entry for the
 * live database: hotsnap hot-copies it consistently on each run, so neither the hook nor the copy
 * on disk is needed. Hooks of any other shape stay as they are.
 */
import { quoted, type TarsnapperJob } from './tarsnapper-jobs.js';
import { readSqliteCopyHook, removesOnly } from './sqlite-copy-hook.js';

/** What the job's hooks become once its SQLite copies are converted. */
export interface SqliteHookConversion {
  /** Live databases for the profile's `sqlite:` (empty when nothing was converted). */
  sqlite: string[];
  /** Sources that leave `paths`: the copies, and the live databases (now under `sqlite:`). */
  dropped: string[];
  /** The hooks still to convert (undefined when converted away). */
  execBefore: unknown;
  execAfter: unknown;
  notes: string[];
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];
const listed = (values: readonly string[]): string => values.map(quoted).join(', ');

/**
 * Given a job and its absolute sources, returns its SQLite copy hook converted to `sqlite:`, or the
 * hooks unchanged (with a note when the copy is made outside the sources).
 * Example: a job with sources ['/var/backups/app.db'] and exec_before
 * `sqlite3 /srv/app.db ".backup /var/backups/app.db"` →
 * `{ sqlite: ['/srv/app.db'], dropped: ['/var/backups/app.db'], execBefore: undefined, … }`.
 */
export function convertSqliteHooks(job: TarsnapperJob, sources: readonly string[]): SqliteHookConversion {
  const unchanged: SqliteHookConversion = {
    sqlite: [],
    dropped: [],
    execBefore: job.execBefore,
    execAfter: job.execAfter,
    notes: [],
  };
  const before = job.execBefore;
  const copies = typeof before === 'string' ? readSqliteCopyHook(before) : undefined;
  if (!copies) return unchanged;
  const outside = copies.filter(({ copy }) => !sources.includes(copy));
  if (outside.length > 0) {
    const databases = listed(unique(outside.map(({ database }) => database)));
    unchanged.notes.push(
      `exec_before ${quoted(before)} copies a SQLite database to ${listed(unique(outside.map(({ copy }) => copy)))}, which is not one of the job's sources, so the hook is kept; to archive a consistent hot copy without the hook, add ${databases} to sqlite: and remove the hook and the copy`,
    );
    return unchanged;
  }
  const sqlite = unique(copies.map(({ database }) => database));
  const copyPaths = unique(copies.map(({ copy }) => copy));
  const after = job.execAfter;
  const afterRemoves = typeof after === 'string' && removesOnly(after, copyPaths);
  const pairs = copies.map(({ database, copy }) => `${database} to ${copy}`).join(', ');
  const live = sources.filter((source) => sqlite.includes(source));
  const notes = [
    `exec_before ${quoted(before)} copied the SQLite database${sqlite.length === 1 ? '' : 's'} ${pairs} for tarsnap to archive: converted to sqlite: [${listed(sqlite)}], as hotsnap hot-copies a live database consistently on each run with no hook and no copy on disk; ${listed(copyPaths)} dropped from paths${live.length > 0 ? ` (and the live ${listed(live)}, now under sqlite:)` : ''}${afterRemoves ? `, and exec_after ${quoted(after)}, which only removed the copy, dropped too` : ''}. A restore brings the database back at its own path, not the copy's; delete ${listed(copyPaths)} once no longer needed`,
  ];
  return {
    sqlite,
    dropped: unique([...copyPaths, ...live]),
    execBefore: undefined,
    execAfter: afterRemoves ? undefined : after,
    notes,
  };
}
