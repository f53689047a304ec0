/**
 * What lives where in a git directory, and which entries a snapshot takes: pure rules on names,
 * no file system. The object store is taken by allow-list (loose objects `xx/<hash>` and complete
 * pack groups), so push quarantines, temp packs and derived caches in it are left out by construction.
 */

/** Top-level entries read first, in git's own reading order: loose refs and linked worktrees, then packed-refs. */
export const REF_ENTRIES = ['refs', 'worktrees'] as const;
export const PACKED_REFS = 'packed-refs';
/** Top-level entries not copied as metadata: objects are linked; submodule git dirs are repositories of their own. */
export const NOT_METADATA = new Set(['objects', 'lfs', 'modules', ...REF_ENTRIES, PACKED_REFS]);

/** Given an entry's name, returns true for locks and temporary files (`x.lock`, `gc.pid`, `tmp_*`, `.tmp*`). */
export function isSkippedName(name: string): boolean {
  return name.endsWith('.lock') || name === 'gc.pid' || name.startsWith('tmp_') || name.startsWith('.tmp');
}

/** Given a name in `objects/`, returns true for a loose-object fan-out directory; e.g. "3f" → true. */
export function isLooseObjectDir(name: string): boolean {
  return /^[0-9a-f]{2}$/.test(name);
}

/** Given a name in `objects/xx/`, returns true for a loose object (SHA-1 or SHA-256); e.g. "tmp_obj_x" → false. */
export function isLooseObjectName(name: string): boolean {
  return /^(?:[0-9a-f]{38}|[0-9a-f]{62})$/.test(name);
}

/** A pack and the files that belong to it, `.pack` and `.idx` first. */
export interface PackGroup {
  base: string;
  /** The required pair, as file names: [`base.pack`, `base.idx`]. */
  required: [string, string];
  /** Whichever of `.rev`, `.bitmap`, `.keep`, `.promisor`, `.mtimes` were listed. */
  extras: string[];
}

const PACK_FILE = /^(pack-(?:[0-9a-f]{40}|[0-9a-f]{64}))\.(pack|idx|rev|bitmap|keep|promisor|mtimes)$/;

/**
 * Given the names in `objects/pack/`, returns the complete pack groups (both `.pack` and `.idx`
 * listed). A pack without its index is still being written (git renames the `.idx` into place
 * last) and is left out; multi-pack-index files and temp packs do not match at all.
 * Example: ['pack-ab….pack', 'pack-ab….idx', 'pack-cd….pack'] → [{base: 'pack-ab…', …}].
 */
export function completePackGroups(names: readonly string[]): PackGroup[] {
  const byBase = new Map<string, Set<string>>();
  for (const name of names) {
    const match = PACK_FILE.exec(name);
    if (!match) continue;
    const [, base, extension] = match as unknown as [string, string, string];
    const group = byBase.get(base) ?? new Set<string>();
    group.add(extension);
    byBase.set(base, group);
  }
  const groups: PackGroup[] = [];
  for (const [base, extensions] of [...byBase].sort(([a], [b]) => a.localeCompare(b))) {
    if (!extensions.has('pack') || !extensions.has('idx')) continue;
    const extras = ['rev', 'bitmap', 'keep', 'promisor', 'mtimes'].filter((e) => extensions.has(e));
    groups.push({ base, required: [`${base}.pack`, `${base}.idx`], extras: extras.map((e) => `${base}.${e}`) });
  }
  return groups;
}

/** Given an `.idx` file's first 1,032 bytes, returns how many objects its pack holds (v1 and v2 indexes). */
export function packIndexObjectCount(head: Buffer): number {
  // v2 starts with "\377tOc" and version 2; v1 has no header. Either way the last fan-out entry is the count.
  const fanout = head.readUInt32BE(0) === 0xff744f63 ? 8 : 0;
  return head.length >= fanout + 1024 ? head.readUInt32BE(fanout + 255 * 4) : 0;
}
