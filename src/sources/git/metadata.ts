/**
 * Step 1 of a capture: everything in the git dir that names objects, copied before any object is
 * linked, in git's own reading order: loose refs and linked worktrees (their HEAD, index, refs,
 * logs), then `packed-refs` (`git pack-refs` writes packed-refs before it deletes the loose refs,
 * so loose-then-packed never misses a ref; the reverse order lost pushes), then the other
 * top-level files (HEAD, config, index, shallow, info/, hooks/, logs/…). Since a push writes its
 * objects before its ref, a ref read here finds its objects in the object listing that follows.
 *
 * Copied, not linked to the live files: git rewrites many of these in place (reflogs are appended,
 * config edited), and a hard link would let the snapshot change after it was verified. A file
 * identical to the previous kept snapshot's copy is linked from that copy instead (ours alone).
 */
import {
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { isSkippedName, NOT_METADATA, PACKED_REFS, REF_ENTRIES } from './layout.js';

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Given a live file and our previous snapshot's copy of it, hard-links that copy into place when
 * the bytes and mode are the same (it stays one inode from run to run, so tarsnap's cache skips
 * it); false when it can't. The previous copy is ours, in the private kept stage: git never writes it.
 */
function reusePrevious(source: string, destination: string, previous: string | undefined, mode: number): boolean {
  if (previous === undefined) return false;
  try {
    const old = lstatSync(previous);
    if (!old.isFile() || (old.mode & 0o7777) !== (mode & 0o7777)) return false;
    if (!readFileSync(previous).equals(readFileSync(source))) return false;
    linkSync(previous, destination);
    return true;
  } catch {
    return false;
  }
}

/**
 * Given a live entry and where it goes, copies it: a directory recursively, a file with its mode,
 * a symlink as a symlink (never followed); locks and temp files, sockets and FIFOs are skipped,
 * and an entry that vanishes while read is skipped too (git deleted or renamed it: not a ref any more).
 * `previous`: the same entry in the last kept snapshot; an identical file is linked from there.
 */
export function copyEntry(source: string, destination: string, previous?: string): void {
  let stats;
  try {
    stats = lstatSync(source);
  } catch (error) {
    if (isGone(error)) return;
    throw error;
  }
  try {
    if (stats.isDirectory()) {
      mkdirSync(destination, { recursive: true, mode: 0o700 });
      for (const name of readdirSync(source)) {
        if (!isSkippedName(name)) {
          copyEntry(join(source, name), join(destination, name), previous && join(previous, name));
        }
      }
    } else if (stats.isFile()) {
      if (!reusePrevious(source, destination, previous, stats.mode)) {
        copyFileSync(source, destination);
        // The live file's times: a copy dated now is never trusted by tarsnap's cache on the next run.
        utimesSync(destination, stats.atime, stats.mtime);
      }
    } else if (stats.isSymbolicLink()) {
      symlinkSync(readlinkSync(source), destination);
    }
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}

/**
 * Given the live git dir and the staged one, copies the refs and metadata in reading order (see
 * above); files identical to the previous kept snapshot's are linked from it.
 */
export function stageMetadata(gitDir: string, stagedGitDir: string, previous?: string): void {
  const copy = (name: string) =>
    copyEntry(join(gitDir, name), join(stagedGitDir, name), previous && join(previous, name));
  for (const name of REF_ENTRIES) copy(name);
  copy(PACKED_REFS);
  for (const name of readdirSync(gitDir).sort()) {
    if (!NOT_METADATA.has(name) && !isSkippedName(name)) copy(name);
  }
  // git needs refs/ to recognise a git dir, even when every ref is packed.
  mkdirSync(join(stagedGitDir, 'refs'), { recursive: true, mode: 0o700 });
}

/** Given a staged git dir, removes its metadata and keeps the linked objects, so the refs can be read again. */
export function clearMetadata(stagedGitDir: string): void {
  for (const name of readdirSync(stagedGitDir)) {
    if (name !== 'objects' && name !== 'lfs') rmSync(join(stagedGitDir, name), { recursive: true, force: true });
  }
}
