/**
 * Who else can change a file hotsnap trusts (its config, the tarsnap binary, a hook program):
 * whoever can write it runs commands as hotsnap's user — root, mostly.
 */

/** A file's owner and mode bits, as `lstat` gives them. */
export interface Ownership {
  uid: number;
  mode: number;
  directory: boolean;
}

/**
 * Given a file's ownership and our uid, returns why another user could change it (owned by
 * someone other than us or root, or writable by group/others; a sticky directory is fine), or
 * undefined. Example: `controlledByOthers({uid: 0, mode: 0o100666, directory: false}, 0)` →
 * 'is writable by everyone (mode 0666)'.
 */
export function controlledByOthers(file: Ownership, uid: number): string | undefined {
  if (file.uid !== uid && file.uid !== 0) return `is owned by uid ${file.uid}, not by you (uid ${uid}) or root`;
  const sticky = file.directory && (file.mode & 0o1000) !== 0;
  if ((file.mode & 0o022) !== 0 && !sticky) {
    return `is writable by ${(file.mode & 0o002) !== 0 ? 'everyone' : 'its group'} (mode ${(file.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}
