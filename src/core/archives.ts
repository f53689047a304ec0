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

/** Given one archive name, returns its owning profile (first match in config order) or null. */
export function ownerOf(
  name: string,
  profiles: readonly NamingRules[],
  hostname: string,
): { profile: string; time: Date; partial: boolean; incomplete: boolean; adopted: boolean } | null {
  for (const profile of profiles) {
    const owner = { hostname, profile: profile.name };
    const own = parseArchiveName(name, profile.archive_name, owner, profile.date_format);
    if (own)
      return {
        profile: profile.name,
        time: own.time,
        partial: own.partial,
        incomplete: own.incomplete,
        adopted: false,
      };
    for (const legacy of profile.adopt) {
      const adopted = parseArchiveName(name, legacy.archive_name, owner, legacy.date_format);
      // Legacy tools never mark incomplete archives; only hotsnap's own names carry the mark.
      if (adopted)
        return {
          profile: profile.name,
          time: adopted.time,
          partial: adopted.partial,
          incomplete: false,
          adopted: true,
        };
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
    const owner = ownerOf(archive.name, profiles, hostname);
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
