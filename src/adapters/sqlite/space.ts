/**
 * Free-space check before a copy starts: failing early is cheaper than filling the disk the
 * application writes to (the staging directory often shares it). And when the disk fills up
 * anyway during the copy (another process writing), saying so instead of SQLite's "disk I/O error".
 */
import { statfs } from 'node:fs/promises';
import { formatBytes } from '../../core/summary.js';
import { HotCopyError } from './errors.js';

/** Bytes available to this (unprivileged) user in the file system holding `dir`. */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

/** Given a directory, resolves to the bytes an unprivileged user may still write there (bavail × bsize). */
export const freeBytes: FreeSpaceProbe = async (dir) => {
  const stats = await statfs(dir);
  return Number(stats.bavail) * Number(stats.bsize);
};

/**
 * Given the database and WAL sizes, returns the bytes a copy needs: both files (the fast WAL path
 * holds both until the checkpoint folds one into the other), plus WAL growth while pinned
 * (measured ≤ 11 MB for sub-second pins) and SQLite's temporary `-wal`/`-shm` on the copy:
 * 10%, at least 16 MiB. Example: requiredBytes(100 MiB, 4 MiB) → 120 MiB.
 */
export function requiredBytes(databaseBytes: number, walBytes: number): number {
  const data = databaseBytes + walBytes;
  return data + Math.max(16 * 1024 * 1024, Math.ceil(data * 0.1));
}

/** Below this much free space a copy cannot finish (the margin requiredBytes adds): the disk is full. */
const FULL_BELOW_BYTES = 16 * 1024 * 1024;

/**
 * Given an error, returns 'full' when it says so outright, 'maybe' for an I/O error (a full disk, or a
 * failing one), else undefined.
 */
function diskFullSign(error: unknown): 'full' | 'maybe' | undefined {
  let sign: 'full' | 'maybe' | undefined;
  // Look through the causes: a HotCopyError wraps SQLite's or cp's error.
  for (
    let current = error, depth = 0;
    current && depth < 5;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const code = String((current as { code?: unknown }).code ?? '');
    const message = current instanceof Error ? current.message : '';
    if (
      code === 'SQLITE_FULL' ||
      code === 'ENOSPC' ||
      code === 'EDQUOT' ||
      /No space left on device|Disk quota exceeded/.test(message)
    )
      return 'full';
    if (code.startsWith('SQLITE_IOERR') || code === 'EIO') sign = 'maybe';
  }
  return sign;
}

/**
 * Given a failed copy's error, the source, the directory it was written in, what was under way
 * and the probe, resolves to HotCopyError('space') naming the full disk when that is what
 * happened (SQLITE_FULL, ENOSPC, EDQUOT, or an I/O error with almost no space left), else to the
 * error unchanged. Example: SQLITE_IOERR_SHMSIZE with 0 bytes free →
 * "/srv/ghost.db: the disk holding /var/tmp/hotsnap is full (0 B free) while checking the copy: free space there,
 * or copy to another file system (staging_dir; copy-db: DEST)".
 */
export async function explainDiskFull(
  error: unknown,
  source: string,
  dir: string,
  doing: string,
  freeSpace: FreeSpaceProbe,
): Promise<unknown> {
  if (error instanceof HotCopyError && error.reason === 'space') return error;
  const sign = diskFullSign(error);
  if (sign === undefined) return error;
  let available: number;
  try {
    available = await freeSpace(dir);
  } catch {
    return error;
  }
  if (sign === 'maybe' && available >= FULL_BELOW_BYTES) return error;
  return new HotCopyError(
    source,
    'space',
    `the disk holding ${dir} is full (${formatBytes(available)} free) while ${doing}: free space there, or copy to another file system (staging_dir; copy-db: DEST)`,
    { cause: error },
  );
}
