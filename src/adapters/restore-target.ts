/**
 * The directory `restore --to DIR` extracts into: an existing directory, or a new one when only its
 * parent exists (as restic does), created 0700 because restored files may be private (keys,
 * databases) whatever modes they had; a missing parent is an error naming it.
 */
import { chmodSync, mkdirSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { shellQuote } from '../core/shell-quote.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';

/** The --to directory: absolute, and whether restore must create it first. */
export interface RestoreTarget {
  path: string;
  create: boolean;
}

/** Given a path, returns what is there (null for nothing, or a path through a non-directory). */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UsageError(`--to: cannot look at ${path}: ${(error as Error).message}`);
  }
}

/**
 * Given the --to value, returns it absolute and whether it must be created; a UsageError unless it
 * is a directory or its parent is one. Nothing is created yet (other arguments may still be wrong).
 * Example: `checkRestoreTarget('/var/tmp/new')` → `{ path: '/var/tmp/new', create: true }` when /var/tmp exists.
 */
export function checkRestoreTarget(to: string | undefined): RestoreTarget {
  if (to === undefined || to === '') {
    throw new UsageError(
      'restore needs --to DIR, the directory to restore into (created, mode 0700, when only its parent exists; e.g. --to /var/tmp/restore; --to / puts files back over the live ones)',
    );
  }
  const path = resolve(to);
  const found = statOrNull(path);
  if (found?.isDirectory()) return { path, create: false };
  if (found) throw new UsageError(`--to ${to} is not a directory; give a directory to restore into`);
  const parent = dirname(path);
  const parentFound = statOrNull(parent);
  if (!parentFound)
    throw new UsageError(
      `--to ${to}: its parent ${parent} does not exist either; create it first (mkdir -p ${shellQuote(path)}) or give an existing directory`,
    );
  if (!parentFound.isDirectory()) throw new UsageError(`--to ${to}: its parent ${parent} is not a directory`);
  return { path, create: true };
}

/** Given a target to create, makes it 0700 and logs so; returns whether it made it (false: it appeared meanwhile). */
export function createRestoreTarget(target: RestoreTarget, logger: Logger): boolean {
  if (!target.create) return false;
  try {
    mkdirSync(target.path, { mode: 0o700 });
    // mkdir's mode passes through the umask; 0700 is what is promised.
    chmodSync(target.path, 0o700);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statOrNull(target.path)?.isDirectory()) return false;
    throw new UsageError(
      `cannot create --to ${target.path}: ${code === 'EACCES' ? `permission denied in ${dirname(target.path)}; run as a user who may write there, or give another directory` : (error as Error).message}`,
    );
  }
  logger.info(`created ${target.path} (mode 0700: the restored files may be private)`);
  return true;
}

/** Given a directory restore created, removes it when the restore failed before putting anything in it. */
export function removeIfEmpty(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // Not empty (something was restored: keep it), or already gone.
  }
}
