/**
 * Getting a durable copy (copy-db) onto the disk without stalling the application's own commits.
 *
 * cp leaves the whole copy dirty in the page cache. One fsync then sends all of it to the disk at
 * once, and every fsync the application makes meanwhile queues behind it (issue 9: a writer
 * committing every 2 ms, worst commit 4–8 ms → 78–134 ms for a 300 MB copy). Node has no
 * sync_file_range(2), but on Linux a write through an O_DSYNC descriptor syncs exactly the range
 * it wrote (generic_write_sync → vfs_fsync_range). So the copy is read back and rewritten in
 * place, same bytes, one chunk at a time: each chunk is on the disk before the next is written,
 * and the disk is then left alone for as long as that flush took, so an application's fsync finds
 * at most one chunk ahead of it. The bytes come from the page cache cp just filled: the extra cost
 * is memory copies, not disk reads.
 *
 * This runs after the source is released, not during cp: holding cp to the disk's pace would make
 * a rollback-journal database's writers wait longer (they wait for the whole cp).
 */
import { constants, statSync, statfsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

/** How a durable copy is written back. */
export interface WriteBackOptions {
  /** Bytes per flush; 0 = one fsync of the whole file (the way before issue 9, kept for the bench). */
  chunkBytes: number;
  /** Called after each flush with the range it covered (tests count them). */
  onFlush?: (offset: number, bytes: number) => void;
  /** Called as the write-back begins (the bench times this phase alone). */
  onStart?: () => void;
}

/**
 * 2 MiB per flush: ~4–5 ms each on the project's test VM (virtio disk, ~1 GB/s), which bounds what
 * one application commit can wait behind us; 8 MiB flushes took ~12 ms (bench/README.md).
 */
export const DEFAULT_WRITE_BACK: WriteBackOptions = { chunkBytes: 2 * 1024 * 1024 };

/** statfs(2) f_type of ext2/3/4 and of XFS. */
const EXT_MAGIC = 0xef53;
const XFS_MAGIC = 0x58465342;

/**
 * Given a copy's path and the source's st_dev, returns true when rewriting the copy in chunks is
 * safe and worth it: on ext2/3/4 (where cp never clones), or on XFS with the source on another
 * device. Where cp may have cloned the source (btrfs, XFS on the same device, …) a rewrite would
 * unshare every extent — a full write and twice the space, where one fsync costs almost nothing;
 * elsewhere (tmpfs, NFS, …) nothing is known, so those keep the one fsync.
 * Example: canWriteBackInChunks('/backup/.x/ghost.db', statSync('/srv/ghost.db').dev) on ext4 → true.
 */
export function canWriteBackInChunks(copyPath: string, sourceDevice: number): boolean {
  const dir = dirname(copyPath);
  const type = statfsSync(dir).type;
  return type === EXT_MAGIC || (type === XFS_MAGIC && statSync(dir).dev !== sourceDevice);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function writeFully(file: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesWritten } = await file.write(buffer, done, length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Given a closed file nothing else writes, makes its data and size durable — chunk by chunk with
 * an equal pause after each, or with chunkBytes 0 in one fsync — and resolves to the number of
 * flushes. Example: writeBackFile('/out/.x/ghost.db', {chunkBytes: 2 MiB}) for 300 MB → 150.
 */
export async function writeBackFile(path: string, options: WriteBackOptions): Promise<number> {
  options.onStart?.();
  if (options.chunkBytes <= 0) {
    const file = await open(path, 'r');
    try {
      await file.sync();
      options.onFlush?.(0, (await file.stat()).size);
      return 1;
    } finally {
      await file.close();
    }
  }
  const file = await open(path, constants.O_RDWR | constants.O_DSYNC);
  try {
    const { size } = await file.stat();
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(options.chunkBytes, size)));
    let flushes = 0;
    for (let offset = 0; offset < size;) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - offset), offset);
      if (bytesRead === 0) break; // shorter than stat said: never loop forever
      const started = performance.now();
      await writeFully(file, buffer, bytesRead, offset);
      const flushMs = performance.now() - started;
      options.onFlush?.(offset, bytesRead);
      flushes++;
      offset += bytesRead;
      if (offset < size) await sleep(flushMs);
    }
    // The data is on the disk already; this commits the rest of the inode (one cheap journal commit).
    await file.sync();
    return flushes;
  } finally {
    await file.close();
  }
}
