/**
 * Which listed archive belongs to which profile — by parsing its name with the profile's template
 * (and the legacy patterns it adopts), never by a loose prefix — and when it was made.
 */
import { parseArchiveName } from './archive-name.js';
import type { ListedArchive } from './tarsnap-output.js';

/** What a profile contributes to name matching. */
export interface NamingRules {
  name: string;
  archive_name: string;
  date_format: string;
  adopt: readonly { archive_name: string; date_format: string }[];
}

export interface ArchiveInfo {
  name: string;
  /** Creation time from `--list-archives -v`, else the time in the name. */
  time: Date;
  /** The owning profile, or null for archives that belong to no profile. */
  profile: string | null;
  /** A `.part` archive: an interrupted run, never a backup. */
  partial: boolean;
  /** A `.incomplete` archive: stored without a database whose hot copy failed; never counted as a backup. */
  incomplete: boolean;
  /** Matched through an `adopt:` legacy pattern. */
  adopted: boolean;
}

/** Which profile owns an archive name, and what the name says. */
export type ArchiveOwner = Omit<ArchiveInfo, 'name'> & { profile: string };

/**
 * Given one archive name, returns the profile that owns it (first match in config order, its own
 * template before its `adopt:` patterns) or null.
 * Example: archiveOwner('web-daily-2024-01-01_00-00-00', [daily], 'web')?.profile → 'daily'.
 */
export function archiveOwner(name: string, profiles: readonly NamingRules[], hostname: string): ArchiveOwner | null {
  for (const profile of profiles) {
    const owner = { hostname, profile: profile.name };
    const patterns = [{ ...profile, adopted: false }, ...profile.adopt.map((legacy) => ({ ...legacy, adopted: true }))];
    for (const { archive_name, date_format, adopted } of patterns) {
      const parsed = parseArchiveName(name, archive_name, owner, date_format);
      if (!parsed) continue;
      // Legacy tools never mark incomplete archives; only hotsnap's own names carry the mark.
      const incomplete = !adopted && parsed.incomplete;
      return { profile: profile.name, time: parsed.time, partial: parsed.partial, incomplete, adopted };
    }
  }
  return null;
}

/**
 * Given the listed archives, the profiles and this host's name, returns every archive with its
 * profile (or null) and time, oldest first (ties by name, so the order is stable).
 * Example: classifyArchives([{name:'web-daily-2024-01-01_00-00-00'}], [daily], 'web')[0].profile → 'daily'.
 */
export function classifyArchives(
  listed: readonly ListedArchive[],
  profiles: readonly NamingRules[],
  hostname: string,
): ArchiveInfo[] {
  const infos: ArchiveInfo[] = [];
  for (const archive of listed) {
    const owner = archiveOwner(archive.name, profiles, hostname);
    const time = archive.created ?? owner?.time;
    infos.push({
      name: archive.name,
      // An archive with neither a listed time nor a parseable name sorts first; it is never pruned.
      time: time ?? new Date(0),
      profile: owner?.profile ?? null,
      partial: owner?.partial ?? archive.name.endsWith('.part'),
      incomplete: owner?.incomplete ?? false,
      adopted: owner?.adopted ?? false,
    });
  }
  return infos.sort((a, b) => a.time.getTime() - b.time.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
