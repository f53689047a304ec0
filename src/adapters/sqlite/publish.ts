/**
 * The last step of a copy: a checked, closed temp file becomes the destination — private
 * (0600: a database holds password hashes and sessions), hashed, optionally durable, and moved
 * into place in one rename so DEST is never seen half-written.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { HotCopyError } from './errors.js';
import { sha256File } from './manifest.js';

/** How publishCopy places the copy. */
export interface PublishOptions {
  /** fsync the file before the rename and the directory after it. */
  durable: boolean;
  /** false: never replace an existing destination (link(2) fails with EEXIST instead). */
  overwrite: boolean;
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
    if (code === 'EEXIST') throw new HotCopyError(source, 'copy-failed', `${dest} appeared while copying; nothing was overwritten`, { cause: error });
    // File systems without hard links: check, then rename (a tiny race instead of a failure).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
  }
  if (existsSync(dest)) throw new HotCopyError(source, 'copy-failed', `${dest} appeared while copying; nothing was overwritten`);
  renameSync(tmpFile, dest);
}

/**
 * Given the source (for messages), the closed temp copy and the destination, publishes it;
 * resolves to {size, sha256}. Example: publishCopy('/srv/ghost.db', '/out/.ghost.db.hotsnap-x/ghost.db', '/out/ghost.db', {durable: true, overwrite: false}).
 */
export async function publishCopy(source: string, tmpFile: string, dest: string, options: PublishOptions): Promise<{ size: number; sha256: string }> {
  chmodSync(tmpFile, 0o600);
  const sha256 = await sha256File(tmpFile);
  const size = statSync(tmpFile).size;
  if (options.durable) fsyncPath(tmpFile);
  if (options.overwrite) renameSync(tmpFile, dest);
  else placeWithoutOverwrite(source, tmpFile, dest);
  if (options.durable) fsyncPath(dirname(dest));
  return { size, sha256 };
}
