/**
 * Path helpers for tarsnap argv: exclude patterns that match exactly one file, where a staged copy
 * sits inside the staging directory, and operands tarsnap cannot misread as options or `@archive`
 * directives. Pure: `node:path`'s posix helpers only do string work.
 */
import { posix } from 'node:path';

/** SQLite's side files next to a database: its WAL, shared-memory index and rollback journal. */
export const SQLITE_SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/**
 * Given a literal path, returns a tarsnap `--exclude` pattern matching exactly that path: the glob
 * characters `*`, `?`, `[` and the escape `\` are backslash-escaped.
 * Example: `escapeExcludePattern('/srv/a[1]*.db')` → `'/srv/a\\[1]\\*.db'`.
 */
export function escapeExcludePattern(path: string): string {
  return path.replace(/[\\*?[]/g, (c) => `\\${c}`);
}

/**
 * Given an absolute path, returns it normalised (`//` collapsed, `.` and `..` resolved, no trailing
 * slash). Throws on a relative or empty path: after `-C STAGE` a relative path would silently mean
 * a path inside the staging directory.
 * Example: `normaliseAbsolutePath('/var//www/./x/')` → `'/var/www/x'`.
 */
export function normaliseAbsolutePath(path: string): string {
  if (!posix.isAbsolute(path)) throw new Error(`expected an absolute path, got ${JSON.stringify(path)}`);
  const normalised = posix.normalize(path);
  return normalised.length > 1 && normalised.endsWith('/') ? normalised.slice(0, -1) : normalised;
}

/**
 * Given the absolute path of a live database, returns where its hot copy sits relative to the
 * staging directory (the same path without the leading `/`), so the archive member ends up at the
 * database's own path and a restore with `-C /` puts it back there.
 * Example: `stagedRelativePath('/var/www/ghost/content/data/ghost.db')` → `'var/www/ghost/content/data/ghost.db'`.
 */
export function stagedRelativePath(absSource: string): string {
  const normalised = normaliseAbsolutePath(absSource);
  if (normalised === '/') throw new Error('a database path cannot be the root directory');
  return normalised.slice(1);
}

/**
 * Given a relative operand, returns it prefixed with `./` when tarsnap would otherwise read it as an
 * option (`-x`) or an archive directive (`@x`, `@@x`); tarsnap strips a leading `./` from member
 * names, so the archive is unchanged. Absolute paths and other names are returned as they are.
 * Example: `safeOperand('-x')` → `'./-x'`; `safeOperand('var/db')` → `'var/db'`.
 */
export function safeOperand(p: string): string {
  if (p.length === 0) throw new Error('an empty path cannot be passed to tarsnap');
  return p.startsWith('-') || p.startsWith('@') ? `./${p}` : p;
}

/**
 * Given the absolute path of a live database, returns the anchored exclude patterns for it and its
 * `-wal`, `-shm` and `-journal` files, so the walk of a backed-up directory leaves the live
 * (possibly inconsistent) files out and only the staged copy is archived.
 * Example: `liveDatabaseExcludes('/srv/app.db')` →
 * `['/srv/app.db', '/srv/app.db-wal', '/srv/app.db-shm', '/srv/app.db-journal']`.
 */
export function liveDatabaseExcludes(absSource: string): string[] {
  const db = `/${stagedRelativePath(absSource)}`;
  return [db, ...SQLITE_SIDE_SUFFIXES.map((suffix) => db + suffix)].map(escapeExcludePattern);
}
