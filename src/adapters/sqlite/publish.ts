/**
 * The last step of a copy: a checked, closed temp file becomes the destination — with the
 * source's owner, group and mode (so tarsnap stores them and a restore as root gives the
 * application back a database it can open), hashed, optionally durable, and moved into place in
 * one rename so DEST is never seen half-written. Until the rename it sits in a 0700 directory,
 * so a looser mode leaks nothing there.
 */
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { HotCopyError } from './errors.js';
import { sha256File } from './manifest.js';
import { canWriteBackInChunks, writeBackFile, type WriteBackOptions } from './write-back.js';

/** Owner, group and permission bits of a file. */
export interface Ownership {
  uid: number;
  gid: number;
  /** Permission bits only (0o640), never setuid/setgid/sticky. */
  mode: number;
}

/** How publishCopy places the copy. */
export interface PublishOptions {
  /** Write the file back to the disk before the rename and fsync the directory after it. */
  durable: boolean;
  /** How a durable copy's data reaches the disk (default: one fsync); chunks only where canWriteBackInChunks says. */
  writeBack?: WriteBackOptions;
  /** The source's st_dev, for canWriteBackInChunks (a clone of it must not be rewritten). */
  sourceDevice?: number;
  /** false: never replace an existing destination (link(2) fails with EEXIST instead). */
  overwrite: boolean;
  /** The source's owner, group and mode, for the copy to carry. */
  owner: Ownership;
}

/**
 * Given the copy and the source's ownership, gives the copy as much of it as this process may,
 * never more access than the source grants; returns what the copy ended up with. Root sets all
 * three. Another user cannot give a file away: the copy stays ours, takes the source's group if
 * we belong to it, else its group bits shrink to what every member of our group had on the source
 * anyway (the weakest of owner, group and other: 0640 → 0600, 0644 → 0644), and it keeps owner
 * read (tarsnap, running as us, must read it).
 * Example: as root, source nobody:nogroup 0640 → {uid: 65534, gid: 65534, mode: 0o640}.
 */
export function carryOwnership(file: string, owner: Ownership, isRoot = process.getuid?.() === 0): Ownership {
  // Refused (not root and not a member of the group, or a file system without owners such as
  // vfat for a copy-db DEST): the copy keeps what it has, and the manifest records that.
  const refused = (error: unknown) =>
    ['EPERM', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP'].includes((error as NodeJS.ErrnoException).code ?? '');
  try {
    // -1 keeps the uid: a user other than root may still hand the file to a group it belongs to.
    chownSync(file, isRoot ? owner.uid : -1, owner.gid);
  } catch (error) {
    if (!refused(error)) throw error;
  }
  let mode = owner.mode & 0o777;
  if (statSync(file).gid !== owner.gid) {
    // Our group's members each had at least the weakest of owner, group and other rights on the source.
    const common = (mode >> 6) & (mode >> 3) & mode & 0o7;
    mode = (mode & ~0o070) | (common << 3);
  }
  if (!isRoot) mode |= 0o400;
  try {
    chmodSync(file, mode);
  } catch (error) {
    if (!refused(error)) throw error;
  }
  const stats = statSync(file);
  return { uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o777 };
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function placeWithoutOverwrite(source: string, tmpFile: string, dest: string): void {
  try {
    linkSync(tmpFile, dest);
    unlinkSync(tmpFile);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new HotCopyError(source, 'copy-failed', `${dest} appeared while copying; nothing was overwritten`, {
        cause: error,
      });
    // File systems without hard links: check, then rename (a tiny race instead of a failure).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
  }
  if (existsSync(dest))
    throw new HotCopyError(source, 'copy-failed', `${dest} appeared while copying; nothing was overwritten`);
  renameSync(tmpFile, dest);
}

/**
 * Given the source (for messages), the closed temp copy and the destination, publishes it;
 * resolves to {size, sha256, owner}. Example: publishCopy('/srv/ghost.db', '/out/.ghost.db.hotsnap-x/ghost.db',
 * '/out/ghost.db', {durable: true, overwrite: false, owner: {uid: 0, gid: 0, mode: 0o600}}).
 */
export async function publishCopy(
  source: string,
  tmpFile: string,
  dest: string,
  options: PublishOptions,
): Promise<{ size: number; sha256: string; owner: Ownership }> {
  const owner = carryOwnership(tmpFile, options.owner);
  const sha256 = await sha256File(tmpFile);
  const size = statSync(tmpFile).size;
  if (options.durable) {
    const { writeBack = { chunkBytes: 0 }, sourceDevice } = options;
    const chunked =
      writeBack.chunkBytes > 0 && sourceDevice !== undefined && canWriteBackInChunks(tmpFile, sourceDevice);
    await writeBackFile(tmpFile, chunked ? writeBack : { ...writeBack, chunkBytes: 0 });
  }
  if (options.overwrite) renameSync(tmpFile, dest);
  else placeWithoutOverwrite(source, tmpFile, dest);
  if (options.durable) fsyncPath(dirname(dest));
  return { size, sha256, owner };
}
