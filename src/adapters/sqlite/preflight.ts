/**
 * Everything checked before a copy takes any lock: the source is a non-empty file, the
 * destination directory exists, there is room for the copy, and a private temp dir can be made
 * beside the destination. Each failure is a HotCopyError that says what to do.
 */
import { lstatSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { currentUserName } from '../accounts.js';
import { HotCopyError } from './errors.js';
import { formatBytes } from '../../core/summary.js';
import { requiredBytes, type FreeSpaceProbe } from './space.js';

/** The source as checkSource found it. */
export interface CheckedSource {
  stats: Stats;
  /** Symlinks resolved: SQLite keeps `-wal` beside the real file. */
  realPath: string;
}

/** Given the source path, returns its stats and real path; throws 'missing' / 'permission' / 'not-a-file' / 'empty'. */
export function checkSource(source: string): CheckedSource {
  let stats: Stats;
  try {
    stats = statSync(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new HotCopyError(
        source,
        'missing',
        'does not exist; check the path in the sqlite: list (has the application created its database yet?)',
        { cause: error },
      );
    if (code === 'EACCES')
      throw new HotCopyError(
        source,
        'permission',
        `user ${currentUserName()} cannot reach it (a parent directory is not searchable); run hotsnap as the application's user or root`,
        { cause: error },
      );
    throw error;
  }
  if (!stats.isFile())
    throw new HotCopyError(source, 'not-a-file', 'is not a regular file; list the database file itself in sqlite:');
  if (stats.size === 0)
    throw new HotCopyError(
      source,
      'empty',
      'is empty (0 bytes): SQLite would treat it as a new database, so this is most likely the wrong path; check the sqlite: list',
    );
  return { stats, realPath: realpathSync(source) };
}

/** Given the source (for messages) and the destination directory, throws 'dest-dir' unless it is a directory. */
export function checkDestinationDir(source: string, destDir: string): void {
  let stats: Stats;
  try {
    stats = statSync(destDir);
  } catch (error) {
    throw new HotCopyError(
      source,
      'dest-dir',
      `the destination directory ${destDir} does not exist; create it (mkdir -p ${destDir}) or fix the path`,
      { cause: error },
    );
  }
  if (!stats.isDirectory())
    throw new HotCopyError(
      source,
      'dest-dir',
      `the destination ${destDir} is not a directory; fix the destination path`,
    );
}

/** Given the source, its real path, the destination directory and size, throws 'space' when the copy would not fit. */
export async function checkFreeSpace(
  source: string,
  realPath: string,
  destDir: string,
  databaseBytes: number,
  freeSpace: FreeSpaceProbe,
): Promise<void> {
  let walBytes = 0;
  try {
    walBytes = statSync(`${realPath}-wal`).size;
  } catch {
    // No WAL file: rollback mode, or a WAL database whose last connection closed cleanly.
  }
  const needed = requiredBytes(databaseBytes, walBytes);
  const available = await freeSpace(destDir);
  if (available < needed) {
    throw new HotCopyError(
      source,
      'space',
      `not enough free space in ${destDir}: the copy needs about ${formatBytes(needed)} (database ${formatBytes(databaseBytes)} + WAL ${formatBytes(walBytes)} + margin), only ${formatBytes(available)} are available; free some space or copy to a larger file system`,
    );
  }
}

/**
 * Given the destination directory and file name, removes `.NAME.hotsnap-*` directories left by a
 * copy that was killed outright (SIGKILL, power loss) and returns their paths. Only those older
 * than `olderThanMs` go: a live copy's directory is never older than its copy_timeout, and the
 * caller passes twice that. Only directories this user made (owned by us, mode 0700 as mkdtemp
 * makes them) go: DEST may sit in a shared directory such as /tmp, where another user can plant
 * look-alikes, and inside a 0700 directory of ours nobody else can swap in a symlink mid-delete.
 * Example: sweepStaleCopyDirs('/backup', 'ghost.db', 3_600_000).
 */
export function sweepStaleCopyDirs(destDir: string, name: string, olderThanMs: number, now = Date.now()): string[] {
  const prefix = `.${name}.hotsnap-`;
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(destDir).filter((entry) => entry.startsWith(prefix) && entry.length === prefix.length + 6);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const path = join(destDir, entry);
    try {
      const stats = lstatSync(path);
      if (!stats.isDirectory() || now - stats.mtimeMs < olderThanMs) continue;
      if (stats.uid !== process.geteuid?.() || (stats.mode & 0o777) !== 0o700) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

/**
 * Given the destination directory and file name, creates `.NAME.hotsnap-XXXXXX` (mode 0700)
 * beside it. A private directory rather than a temp file: SQLite's -wal/-shm for the copy land in
 * it too, and a cp racing the signal cleanup cannot create a file in a removed directory.
 */
export function makeCopyDir(source: string, destDir: string, name: string): string {
  try {
    return mkdtempSync(join(destDir, `.${name}.hotsnap-`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new HotCopyError(
        source,
        'permission',
        `user ${currentUserName()} cannot create files in ${destDir} (${code}); choose a writable destination or run as its owner`,
        { cause: error },
      );
    }
    throw new HotCopyError(
      source,
      'copy-failed',
      `cannot create a temporary directory in ${destDir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
