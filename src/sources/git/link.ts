/**
 * Putting an object file into the snapshot without copying its bytes when the file system allows:
 * a hard link (same inode: no space, no copying, and tarsnap's cache sees it unchanged from run
 * to run), else a reflink (`FICLONE`: shared extents, its own inode), else a plain copy. Object
 * files are immutable in git, so sharing them is safe; a hard link also survives a later unlink
 * by gc, so the snapshot keeps the bytes it linked.
 */
import { constants, copyFileSync, linkSync } from 'node:fs';
import type { LinkMethod } from './types.js';

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
  if (method === 'hardlink') linkSync(source, destination);
  else if (method === 'reflink')
    copyFileSync(source, destination, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
  else copyFileSync(source, destination, constants.COPYFILE_EXCL);
}

/**
 * Links files one by one with the best method that works; once a method fails as unsupported,
 * the rest of the capture uses the next one (a pair of file systems that refuse one link refuse
 * them all). `method` is the weakest one used so far ('hardlink' until something needed less).
 */
export class Linker {
  method: LinkMethod = 'hardlink';
  /** Receives a note when the method steps down. */
  constructor(private readonly log: (message: string) => void = () => {}) {}

  /** Given an existing source file and a destination whose directory exists, returns what happened. */
  link(source: string, destination: string): LinkOutcome {
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
      }
    }
  }
}
