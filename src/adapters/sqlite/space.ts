/**
 * Free-space check before a copy starts: failing early is cheaper than filling the disk the
 * application writes to (the staging directory often shares it).
 */
import { statfs } from 'node:fs/promises';

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
