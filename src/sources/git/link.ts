/**
 * Putting an object file into the snapshot without copying its bytes when the file system allows:
 * a hard link (same inode: no space, no copying, and tarsnap's cache sees it unchanged from run
 * to run), else a reflink (`FICLONE`: shared extents, its own inode), else a plain copy. Object
 * files are immutable in git, so sharing them is safe; a hard link also survives a later unlink
 * by gc, so the snapshot keeps the bytes it linked.
 */
import { constants, copyFileSync, linkSync, statSync, utimesSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { LinkMethod } from './types.js';

/** Loose objects, packs and their indexes, and LFS objects are named by their content. */
const CONTENT_NAMED = /^(?:[0-9a-f]{38,62}|pack-[0-9a-f]{40,64}\.(?:pack|idx|rev|bitmap))$/;

/** What one link did: made it, found it already staged, or found the source gone. */
export type LinkOutcome = 'linked' | 'exists' | 'vanished';

const ORDER: readonly LinkMethod[] = ['hardlink', 'reflink', 'copy'];

/** Errors that say "this method cannot work here", so the next one is tried. */
const UNSUPPORTED: Readonly<Record<LinkMethod, ReadonlySet<string>>> = {
  // EPERM: fs.protected_hardlinks refuses links to files we do not own; EMLINK: the inode's link count is full.
  hardlink: new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']),
  reflink: new Set(['EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EPERM']),
  copy: new Set(),
};

function place(method: LinkMethod, source: string, destination: string): void {
  if (method === 'hardlink') return linkSync(source, destination);
  const { atime, mtime } = statSync(source);
  if (method === 'reflink')
    copyFileSync(source, destination, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
  else copyFileSync(source, destination, constants.COPYFILE_EXCL);
  // The live file's times, as a hard link would have: a copy dated now would look new to tarsnap
  // on the next run (its cache never trusts a file modified in the second the archive was made).
  utimesSync(destination, atime, mtime);
}

/**
 * Links files one by one with the best method that works; once a method fails as unsupported,
 * the rest of the capture uses the next one (a pair of file systems that refuse one link refuse
 * them all). `method` is the weakest one used so far ('hardlink' until something needed less).
 */
export class Linker {
  method: LinkMethod = 'hardlink';
  /** Files hard-linked from the previous snapshot instead of copied. */
  reused = 0;
  /**
   * `log` receives a note when the method steps down. `previous`: the last kept copy of this git dir
   * and where this one is staged; when a live file cannot be hard-linked (another file system, or a
   * sandbox's bind mounts), a content-named file already in the previous copy is linked from there,
   * so only new objects are copied and tarsnap's cache still knows the rest.
   */
  constructor(
    private readonly log: (message: string) => void = () => {},
    private readonly previous?: { dir: string; staged: string },
  ) {}

  /** Given a live file and its staged place, links the same file from the previous snapshot; false when it can't. */
  private reuse(source: string, destination: string): boolean {
    if (!this.previous || !CONTENT_NAMED.test(basename(destination))) return false;
    const old = `${this.previous.dir}/${relative(this.previous.staged, destination)}`;
    try {
      if (statSync(old).size !== statSync(source).size) return false;
      linkSync(old, destination);
      this.reused++;
      return true;
    } catch {
      return false;
    }
  }

  /** Given an existing source file and a destination whose directory exists, returns what happened. */
  link(source: string, destination: string): LinkOutcome {
    if (this.method !== 'hardlink' && this.reuse(source, destination)) return 'linked';
    for (;;) {
      try {
        place(this.method, source, destination);
        return 'linked';
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') return 'exists';
        if (code === 'ENOENT') return 'vanished';
        if (!UNSUPPORTED[this.method].has(code)) throw error;
        const next = ORDER[ORDER.indexOf(this.method) + 1]!;
        this.log(`cannot ${this.method} ${source} into the snapshot (${code}); using ${next} from now on`);
        this.method = next;
        if (this.reuse(source, destination)) return 'linked';
      }
    }
  }
}
