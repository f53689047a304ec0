/**
 * The owner of a restored database compared with what its manifest recorded, with names as people
 * read them (accounts.ts).
 */
import { lstatSync } from 'node:fs';
import type { DatabaseCheck, FileOwner } from '../../core/restore-report.js';
import { accountName, formatMode } from '../accounts.js';
import type { ManifestEntry } from '../../core/manifest.js';

/**
 * Given ids and permission bits, returns them with names;
 * e.g. (65534, 65534, 0o640) → {user: 'nobody', group: 'nogroup', mode: '0640', …}.
 */
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
