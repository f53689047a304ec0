/**
 * Where a profile's snapshot is assembled for `tarsnap -c -C AREA`: a throwaway stage (a dry run,
 * or `keep_snapshot: false`), or the profile's kept stage, which stays at one path between runs so
 * tarsnap's cache (keyed by real path, inode, size and mtime) recognises what did not change.
 *
 * In a kept stage each new copy is written beside the kept one (in `.incoming/`) and then settled:
 * a file with the same SHA-256 as the kept one is dropped and the kept file stays (same inode and
 * mtime: tarsnap skips it); a changed one is renamed over it. A crash therefore never leaves a
 * half-written file where tarsnap reads; `.incoming/` is removed at the next start.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  type Stats,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { onInterrupt } from './cleanup.js';
import { sha256File } from './sqlite/manifest.js';
import { effectiveUid, openPrivateDir } from './staging-safety.js';
import { cannotCreate, createStagingDir } from './staging.js';

/** This run's copies and partial captures, beside the kept ones; never archived. */
export const INCOMING_DIR = '.incoming';
const KEPT_PREFIX = 'kept-';

/** What settling a new copy did to the kept one. */
export type Settled = 'new' | 'replaced' | 'unchanged';

export interface StageArea {
  /** The directory tarsnap runs in (`-C`); copies sit below it at their live absolute paths. */
  path: string;
  kept: boolean;
  /** Given a live absolute path, returns where its copy sits for tarsnap. */
  placeFor(source: string): string;
  /** Given a live absolute path, returns where to write this run's copy (its place, in a throwaway stage). */
  scratchFor(source: string): string;
  /** Moves a finished file copy into place, keeping an identical kept file (same inode and mtime). */
  settleFile(source: string, scratch: string, sha256?: string): Promise<Settled>;
  /** Moves a finished directory copy (a Git repository) into place, replacing the kept one. */
  settleDir(source: string, scratch: string): Settled;
  /** Given what this run staged (relative to the stage), removes all else (kept) or everything (throwaway). */
  finish(keep: readonly string[]): void;
  /** Removes this run's scratch (kept) or the whole stage (throwaway); safe to call twice. */
  remove(): void;
}

/** Given who owns a kept stage (state_dir and key), returns a short stable tag of it (one owner's is not another's). */
export function stateTag(owner: string): string {
  return createHash('sha256').update(owner).digest('hex').slice(0, 8);
}

/** Given the profile and its owner, returns the kept stage's directory name, e.g. 'kept-daily-1a2b3c4d'. */
export function keptStageName(profile: string, owner: string): string {
  return `${KEPT_PREFIX}${profile}-${stateTag(owner)}`;
}

/** Given staging_dir and a profile, returns a throwaway stage (today's behaviour). */
export function throwawayStage(stagingDir: string, profile: string): StageArea {
  const stage = createStagingDir(stagingDir, profile);
  return {
    path: stage.path,
    kept: false,
    placeFor: (source) => stage.placeFor(source),
    scratchFor: (source) => stage.placeFor(source),
    settleFile: async () => 'new',
    settleDir: () => 'new',
    finish: () => stage.remove(),
    remove: () => stage.remove(),
  };
}

function refuseForeign(path: string, stats: Stats, uid: number): void {
  if (!stats.isDirectory() || stats.isSymbolicLink() || stats.uid !== uid || (stats.mode & 0o7777) !== 0o700) {
    throw new UserError(
      `the kept snapshot ${path} is not a private directory of this user (0700, not a symlink): remove it (rm -r ${path}) and run again`,
    );
  }
}

/**
 * Given staging_dir, the owner (kept-stages.ts: state_dir and key) and a profile, opens its kept stage
 * (`staging_dir/hotsnap/kept-<profile>-<tag>/`, 0700), clearing what a crashed run left in `.incoming/`.
 * Example: keptStage('/var/tmp', '/var/lib/hotsnap', 'daily').placeFor('/srv/a.db') →
 * '/var/tmp/hotsnap/kept-daily-…/srv/a.db'.
 */
export function keptStage(stagingDir: string, owner: string, profile: string): StageArea {
  const uid = effectiveUid();
  let path: string;
  try {
    path = join(openPrivateDir(stagingDir), keptStageName(profile, owner));
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } catch (error) {
    throw error instanceof UserError ? error : cannotCreate(stagingDir, error);
  }
  refuseForeign(path, lstatSync(path), uid);
  const incoming = join(path, INCOMING_DIR);
  rmSync(incoming, { recursive: true, force: true });
  mkdirSync(incoming, { mode: 0o700 });
  const unregister = onInterrupt(() => rmSync(incoming, { recursive: true, force: true }));
  const inside = (base: string, source: string) => {
    if (!source.startsWith('/')) throw new Error(`expected an absolute path, got ${source}`);
    return join(base, source);
  };
  const placeParent = (place: string) => mkdirSync(dirname(place), { recursive: true, mode: 0o700 });
  let removed = false;
  return {
    path,
    kept: true,
    placeFor: (source) => inside(path, source),
    scratchFor: (source) => {
      const scratch = inside(incoming, source);
      mkdirSync(dirname(scratch), { recursive: true, mode: 0o700 });
      return scratch;
    },
    async settleFile(source, scratch, sha256) {
      const place = inside(path, source);
      const old = regularFileOf(place, uid);
      if (old && (await sha256File(place)) === (sha256 ?? (await sha256File(scratch)))) {
        const fresh = statSync(scratch);
        // Same bytes: keep the kept file (inode, mtime) and give it this copy's owner and mode.
        if (old.uid !== fresh.uid || old.gid !== fresh.gid) chownSync(place, fresh.uid, fresh.gid);
        if ((old.mode & 0o7777) !== (fresh.mode & 0o7777)) chmodSync(place, fresh.mode & 0o7777);
        rmSync(scratch, { force: true });
        return 'unchanged';
      }
      placeParent(place);
      if (!old) rmSync(place, { recursive: true, force: true });
      renameSync(scratch, place);
      return old ? 'replaced' : 'new';
    },
    settleDir(source, scratch) {
      const place = inside(path, source);
      placeParent(place);
      let existed = true;
      try {
        lstatSync(place);
      } catch {
        existed = false;
      }
      if (existed) {
        const old = join(incoming, `.old-${Math.random().toString(36).slice(2)}`);
        renameSync(place, old);
        renameSync(scratch, place);
        rmSync(old, { recursive: true, force: true });
      } else {
        renameSync(scratch, place);
      }
      return existed ? 'replaced' : 'new';
    },
    finish(keep) {
      pruneExcept(path, new Set(keep.map((entry) => relative(path, join(path, entry)))));
      this.remove();
    },
    remove() {
      if (removed) return;
      removed = true;
      rmSync(incoming, { recursive: true, force: true });
      unregister();
    },
  };
}

/** Given a path, returns its lstat when it is a regular file of ours, else undefined. */
function regularFileOf(path: string, uid: number): Stats | undefined {
  try {
    const stats = lstatSync(path);
    return stats.isFile() && stats.uid === uid ? stats : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Given the kept stage and the relative paths this run staged (files or whole directories), removes
 * every other entry below it (a database or repository dropped from the config), never following a
 * symlink, and the directories left empty.
 */
function pruneExcept(root: string, keep: ReadonlySet<string>): void {
  const walk = (relativeDir: string): boolean => {
    let empty = true;
    for (const name of readdirSync(join(root, relativeDir))) {
      const rel = relativeDir === '' ? name : `${relativeDir}${sep}${name}`;
      if (rel === INCOMING_DIR || keep.has(rel)) {
        empty = false;
        continue;
      }
      const full = join(root, rel);
      const holdsKept = [...keep].some((kept) => kept.startsWith(`${rel}${sep}`));
      if (holdsKept && lstatSync(full).isDirectory()) {
        if (walk(rel)) rmSync(full, { recursive: true, force: true });
        else empty = false;
      } else {
        rmSync(full, { recursive: true, force: true });
      }
    }
    return empty;
  };
  walk('');
}

/** Given a file, sets its mtime (seconds precision is what tarsnap's cache compares) without touching atime. */
export function setModified(path: string, modified: Date): void {
  const stats = statSync(path);
  utimesSync(path, stats.atime, modified);
}
