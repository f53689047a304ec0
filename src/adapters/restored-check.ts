/**
 * Checking a restored tree against the archive's manifest, for `restore` and `verify`: each
 * database's SHA-256 (the bytes that were backed up?) and SQLite's integrity_check (a usable
 * database?), after removing stale `-wal`/`-shm`/`-journal` files that SQLite would otherwise
 * replay into the restored copy the first time anything opens it. Paths come from the archive:
 * they are found inside the tree without following symlinks (restored-path.ts).
 */
import Database from 'better-sqlite3';
import { lstatSync, readFileSync, rmSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { SQLITE_SIDE_SUFFIXES, stagedRelativePath } from '../core/paths.js';
import { isSelected, selectedDatabases } from '../core/restore.js';
import type { DatabaseCheck } from '../core/restore-report.js';
import type { RepositoryCheck } from '../core/repository-report.js';
import { FAILED_SECTION, parseManifest, type ArchiveManifest, type ManifestEntry } from '../core/manifest.js';
import { SOURCES } from '../sources/index.js';
import type { RestoredCheck } from '../sources/types.js';
import { existsInside, locateRestored, unsafeSideFile } from './restored-path.js';
import { sha256File } from './sqlite/manifest.js';
import { restoredOwnerCheck } from './sqlite/owner.js';

/** Given a path, returns whether anything (a dangling symlink too) is there, without following it. */
export function existsNoFollow(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Given the path of a restored `.hotsnap/manifest.json`, returns it parsed; throws a UserError
 * naming the file when it is unreadable or not a hotsnap manifest of a known format.
 */
export function readManifest(file: string): ArchiveManifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read the archive's manifest ${file}: ${(error as Error).message}`);
  }
  return parseManifest(text, file);
}

/** Given a restored database's path, returns integrity_check's problem lines ([] when it says "ok"). */
function integrityProblems(path: string): string[] {
  let db: Database.Database | undefined;
  try {
    // Our own restored copy: a normal read-write open, so SQLite may recover and fold its WAL.
    db = new Database(path, { fileMustExist: true, timeout: 5000 });
    const rows = db.pragma('integrity_check') as Array<Record<string, unknown>>;
    // A row may hold several lines; "*** in database main ***" is a heading, not a problem.
    const lines = rows
      .flatMap((row) => String(Object.values(row)[0]).split('\n'))
      .filter((line) => line && !line.startsWith('***'));
    return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
  } catch (error) {
    return [`SQLite cannot check it: ${(error as Error).message}`];
  } finally {
    try {
      db?.close();
    } catch {
      // The check's verdict stands; a failed close changes nothing in it.
    }
  }
}

/**
 * Given the restore root and one manifest entry, finds the restored copy without leaving the
 * root (a symlink or odd path on the way makes it `unsafe`, and nothing is removed or opened),
 * removes stale side files beside it, then checks its SHA-256 against the manifest and runs
 * integrity_check on it.
 * Example: `await checkRestoredDatabase('/tmp/r', entry, logger)` → `{ source: '/srv/a.db', status: 'ok', … }`.
 */
export async function checkRestoredDatabase(
  root: string,
  entry: Pick<ManifestEntry, 'source' | 'sha256' | 'uid' | 'gid' | 'mode'>,
  logger: Logger,
): Promise<DatabaseCheck> {
  const place = locateRestored(root, entry.source);
  if (place.kind === 'unsafe') {
    logger.error({ db: entry.source, root }, place.detail);
    return { source: entry.source, status: 'unsafe', expected_sha256: entry.sha256, detail: place.detail };
  }
  const path = place.path;
  const check: DatabaseCheck = { source: entry.source, restored_to: path, status: 'ok', expected_sha256: entry.sha256 };
  if (place.kind === 'missing') return { ...check, status: 'missing', detail: place.detail };

  // Every side file is looked at (lstat) before any is removed: a symlinked -wal or -shm would
  // lead the removal, or SQLite, to a live file outside the root.
  for (const suffix of SQLITE_SIDE_SUFFIXES) {
    const unsafe = unsafeSideFile(root, entry.source, path, suffix);
    if (unsafe !== null) {
      logger.error({ db: entry.source, root }, unsafe);
      return { source: entry.source, status: 'unsafe', expected_sha256: entry.sha256, detail: unsafe };
    }
  }
  // The archive never holds these (the live ones are excluded at backup): any present belong to
  // an older file at this path, and SQLite would replay or roll them back into the restored copy.
  const removed: string[] = [];
  for (const suffix of SQLITE_SIDE_SUFFIXES) {
    if (!existsNoFollow(path + suffix)) continue;
    rmSync(path + suffix, { force: true });
    removed.push(path + suffix);
    logger.warn({ db: path, file: path + suffix }, `removed a stale ${suffix} file beside the restored database`);
  }
  if (removed.length > 0) check.removed = removed;
  Object.assign(check, restoredOwnerCheck(entry, path));

  logger.info({ db: path }, 'checking the restored database (SHA-256, integrity_check)');
  // Hash first: opening the file may change it (WAL recovery), and the manifest hashed it closed.
  check.sha256 = await sha256File(path);
  check.integrity = integrityProblems(path);
  if (check.sha256 !== entry.sha256) check.status = 'mismatch';
  else if (check.integrity.length > 0) check.status = 'integrity-failed';
  return check;
}

/**
 * Given the restore root, the manifest and the selected members (none = everything), checks
 * every database the extraction restored, and reports those the archive lacks because their hot
 * copy failed. Example: `(await checkRestoredTree('/tmp/r', manifest, [], logger)).map((c) => c.status)` → `['ok']`.
 */
export async function checkRestoredTree(
  root: string,
  manifest: ArchiveManifest,
  selectors: readonly string[],
  logger: Logger,
): Promise<DatabaseCheck[]> {
  const checks: DatabaseCheck[] = [];
  for (const entry of selectedDatabases(manifest.databases, selectors))
    checks.push(await checkRestoredDatabase(root, entry, logger));
  for (const failed of selectedDatabases(manifest.failed_databases, selectors)) {
    checks.push({
      source: failed.source,
      status: 'not-in-archive',
      detail: `its hot copy failed at backup time: ${failed.error}`,
    });
  }
  return checks;
}

/**
 * Given the restore root, the manifest and the selected members (none = everything), has each
 * source kind that checks its own restored copies check those the extraction restored, and
 * reports those its capture failed for. Returns the checks by manifest section.
 * Example: `(await checkRestoredSources('/tmp/r', manifest, [], logger)).repositories` → `[{ status: 'ok', … }]`.
 */
export async function checkRestoredSources(
  root: string,
  manifest: ArchiveManifest,
  selectors: readonly string[],
  logger: Logger,
): Promise<Partial<Record<keyof typeof FAILED_SECTION, RestoredCheck[]>>> {
  const found: Partial<Record<keyof typeof FAILED_SECTION, RestoredCheck[]>> = {};
  for (const source of SOURCES) {
    const restored = source.restored;
    if (!restored) continue;
    const checks: RestoredCheck[] = [];
    for (const entry of (manifest[source.section] ?? []) as { source: string }[]) {
      if (isSelected(stagedRelativePath(restored.archivedPath(entry)), selectors))
        checks.push(await restored.check(root, entry, logger));
    }
    for (const failed of selectedDatabases(manifest[FAILED_SECTION[source.section]] ?? [], selectors)) {
      checks.push({
        source: failed.source,
        status: 'not-in-archive',
        detail: `its capture failed at backup time: ${failed.error}`,
      });
    }
    found[source.section] = checks;
  }
  return found;
}

/** Given what `checkRestoredSources` takes, returns the Git repositories' checks (none for format-1 manifests). */
export async function checkRestoredRepositories(
  root: string,
  manifest: ArchiveManifest,
  selectors: readonly string[],
  logger: Logger,
): Promise<RepositoryCheck[]> {
  // The Git source's checker returns RepositoryChecks; the loop above only knows their common shape.
  return ((await checkRestoredSources(root, manifest, selectors, logger)).repositories ?? []) as RepositoryCheck[];
}

/**
 * Given the restore root and absolute paths, returns those with nothing restored at their place.
 * Example: `missingPaths('/tmp/r', ['/home/alice', '/gone'])` → `['/gone']`.
 */
export function missingPaths(root: string, paths: readonly string[]): string[] {
  // A symlink above the path (say the archive's srv -> /srv) means the archive does not hold it:
  // never look through one, which would find the live file instead.
  return paths.filter((path) => !existsInside(root, path));
}
