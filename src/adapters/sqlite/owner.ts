/**
 * Owners and modes as people read them: names from /etc/passwd and /etc/group (numbers where this
 * machine has none), and the comparison of a restored database with what its manifest recorded.
 */
import { lstatSync, readFileSync } from 'node:fs';
import type { DatabaseCheck, FileOwner } from '../../core/restore-report.js';
import { formatMode } from './errors.js';
import type { ManifestEntry } from '../../core/manifest.js';

/** Given a uid or gid, returns its name from /etc/passwd or /etc/group, or the number as text; e.g. ('group', 65534) → "nogroup". */
export function accountName(kind: 'user' | 'group', id: number): string {
  try {
    for (const line of readFileSync(kind === 'user' ? '/etc/passwd' : '/etc/group', 'utf8').split('\n')) {
      const [name, , number] = line.split(':');
      if (name && number === String(id)) return name;
    }
  } catch {
    // No such file (containers): the number it is.
  }
  return String(id);
}

/** Given ids and permission bits, returns them with names; e.g. (65534, 65534, 0o640) → {user: 'nobody', group: 'nogroup', mode: '0640', …}. */
export function fileOwner(uid: number, gid: number, mode: number): FileOwner {
  return { uid, gid, user: accountName('user', uid), group: accountName('group', gid), mode: formatMode(mode) };
}

/**
 * Given a manifest entry and the restored copy (a regular file), returns the owner fields of its
 * check: what the manifest recorded, what the file has, and whether this process is root (tarsnap
 * restores owners only then). {} for manifests from before hotsnap recorded owners.
 */
export function restoredOwnerCheck(
  entry: Pick<ManifestEntry, 'uid' | 'gid' | 'mode'>,
  path: string,
  isRoot = process.getuid?.() === 0,
): Pick<DatabaseCheck, 'expected_owner' | 'owner' | 'restored_by_root'> {
  if (entry.uid === undefined || entry.gid === undefined || entry.mode === undefined) return {};
  const stats = lstatSync(path);
  return {
    expected_owner: fileOwner(entry.uid, entry.gid, Number.parseInt(entry.mode, 8)),
    owner: fileOwner(stats.uid, stats.gid, stats.mode),
    restored_by_root: isRoot,
  };
}
