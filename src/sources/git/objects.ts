/**
 * Step 2 of a capture: link every object into the snapshot, loose objects first, then complete
 * pack groups. The order matters: a loose object that vanishes was packed by a repack whose pack
 * was complete before the loose file was deleted, so the pack listing that follows has it.
 * Run again on a retry, it links only what appeared since (a staged file is never replaced).
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  completePackGroups,
  isLooseObjectDir,
  isLooseObjectName,
  isSkippedName,
  packIndexObjectCount,
} from './layout.js';
import type { Linker } from './link.js';

/** Where to link from and what to call between steps. */
export interface ObjectSource {
  /** Live object directories: the repository's own first, then those it borrows (alternates, dissolved). */
  objectDirs: readonly string[];
  /** The live `lfs/objects` directory (may not exist). */
  lfsObjects: string;
  linker: Linker;
  signal?: AbortSignal;
  afterPackListing?: () => void | Promise<void>;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function linkLoose(objects: string, staged: string, source: ObjectSource): Promise<number> {
  let linked = 0;
  for (const fanout of list(objects).filter(isLooseObjectDir)) {
    source.signal?.throwIfAborted();
    const names = list(join(objects, fanout)).filter(isLooseObjectName);
    if (names.length > 0) mkdirSync(join(staged, fanout), { recursive: true });
    for (const name of names) {
      if (source.linker.link(join(objects, fanout, name), join(staged, fanout, name)) === 'linked') linked++;
    }
    await yieldToLoop(); // 256 short pauses let an abort or a timer through
  }
  return linked;
}

/** Links each complete group's `.pack` and `.idx` (removing the group again if either vanished), then its extras. */
async function linkPacks(objects: string, staged: string, source: ObjectSource): Promise<number> {
  const groups = completePackGroups(list(join(objects, 'pack')));
  await source.afterPackListing?.();
  let linked = 0;
  for (const group of groups) {
    source.signal?.throwIfAborted();
    const outcomes = group.required.map((name) =>
      source.linker.link(join(objects, 'pack', name), join(staged, 'pack', name)),
    );
    if (outcomes.includes('vanished')) {
      // Deleted by a repack mid-way: a half group is useless, and the repack's new pack is listed on the retry.
      for (const [i, name] of group.required.entries()) {
        if (outcomes[i] === 'linked') unlinkSync(join(staged, 'pack', name));
      }
      continue;
    }
    if (outcomes.includes('linked')) linked++;
    for (const extra of group.extras) source.linker.link(join(objects, 'pack', extra), join(staged, 'pack', extra));
  }
  return linked;
}

/**
 * Hard-links every file under `lfs/objects` (content-addressed, immutable like git objects);
 * symlinks are not followed.
 */
function linkTree(dir: string, staged: string, linker: Linker): number {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0; // gone since listed
  }
  let linked = 0;
  for (const entry of entries) {
    if (isSkippedName(entry.name)) continue;
    const [from, to] = [join(dir, entry.name), join(staged, entry.name)];
    if (entry.isDirectory()) {
      mkdirSync(to, { recursive: true });
      linked += linkTree(from, to, linker);
    } else if (entry.isFile() && linker.link(from, to) === 'linked') linked++;
  }
  return linked;
}

/**
 * Given the live object directories and the staged git dir, links what is not staged yet and
 * returns how many files (loose objects, packs, LFS objects) were newly linked: 0 means nothing
 * appeared since the last call.
 */
export async function linkObjects(source: ObjectSource, stagedGitDir: string): Promise<number> {
  const staged = join(stagedGitDir, 'objects');
  mkdirSync(join(staged, 'pack'), { recursive: true });
  mkdirSync(join(staged, 'info'), { recursive: true });
  let linked = 0;
  for (const objects of source.objectDirs) linked += await linkLoose(objects, staged, source);
  for (const objects of source.objectDirs) linked += await linkPacks(objects, staged, source);
  if (list(source.lfsObjects).length > 0) {
    mkdirSync(join(stagedGitDir, 'lfs', 'objects'), { recursive: true });
    linked += linkTree(source.lfsObjects, join(stagedGitDir, 'lfs', 'objects'), source.linker);
  }
  return linked;
}

/** Given a staged git dir, returns its object count: loose objects plus each pack's count from its index. */
export function countStagedObjects(stagedGitDir: string): number {
  const objects = join(stagedGitDir, 'objects');
  let count = 0;
  for (const fanout of list(objects).filter(isLooseObjectDir)) count += list(join(objects, fanout)).length;
  for (const group of completePackGroups(list(join(objects, 'pack')))) {
    const fd = openSync(join(objects, 'pack', group.required[1]), 'r');
    try {
      const head = Buffer.alloc(8 + 256 * 4);
      count += packIndexObjectCount(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
    } finally {
      closeSync(fd);
    }
  }
  return count;
}
