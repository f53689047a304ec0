/**
 * What the file and directory probes of `hotsnap check` share: looking without touching (stat,
 * access), whether `mkdir -p` would work, and the wording of the problems they all can have.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckItem } from '../core/check-report.js';
import { shellQuote } from '../core/shell-quote.js';
import { currentUserName, runAsAdvice, userNameOf } from './accounts.js';

/** Given a path and an access mode (fs.constants.R_OK…), returns whether this process has it. */
export function can(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Given a path, returns its stat, or the error stat gave. */
export function statOrError(path: string): Stats | NodeJS.ErrnoException {
  try {
    return statSync(path);
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/** ENOTDIR (a parent is a file) means the same as ENOENT here: there is nothing at that path. */
export function isMissing(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ENOENT' || error.code === 'ENOTDIR';
}

/** Given a file's stats, returns whom to run as to reach it; e.g. "run hotsnap as ghost (the owner) or root". */
export function ownerAdvice(stats: Stats): string {
  return runAsAdvice(userNameOf(stats.uid));
}

/**
 * Given what (e.g. "cachedir /x") and why stat failed, returns the problem;
 * e.g. "user ghost cannot reach cachedir /x (EACCES)".
 */
export function cannotReach(what: string, error: NodeJS.ErrnoException): string {
  return `user ${currentUserName()} cannot reach ${what} (${error.code ?? error.message})`;
}

/** The fix when a directory above a file is not searchable. */
export const FIX_PARENT_PERMISSIONS = 'run hotsnap as root, or fix the permissions of the directories above it';

/** The nearest path at or above `path` that exists (where `mkdir -p` would start). */
function nearestExisting(path: string): string {
  let current = path;
  for (;;) {
    if (!(statOrError(current) instanceof Error)) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Whether `mkdir -p path` would succeed for this user: its nearest existing ancestor is a writable directory. */
export function creatable(path: string): { ok: boolean; why: string } {
  const base = nearestExisting(path);
  const stats = statOrError(base);
  if (stats instanceof Error || !stats.isDirectory()) return { ok: false, why: `${base} is not a directory` };
  return can(base, constants.W_OK | constants.X_OK)
    ? { ok: true, why: base }
    : { ok: false, why: `${base} is not writable` };
}

/**
 * Given a check, a setting naming a missing directory, its path and why `mkdir -p` would fail,
 * returns the problem. Example: ('cachedir', 'tarsnap.cachedir', '/var/cache/tarsnap', '/var/cache is not writable').
 */
export function cannotCreateDir(check: string, setting: string, path: string, why: string): CheckItem {
  return {
    check,
    status: 'problem',
    message: `${check} ${path} does not exist and user ${currentUserName()} cannot create it (${why})`,
    fix: `create it: mkdir -p -m 700 ${shellQuote(path)} (as root), or set ${setting} elsewhere`,
  };
}
