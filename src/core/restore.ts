/**
 * The pure half of `restore` and `verify`: which archive `latest` means, how a PATH maps to an
 * archive member, what one extraction must name, and which databases it brings back.
 * Archive members carry no leading `/` (`srv/ghost/content/data/ghost.db`); directories end in `/`.
 */
import { unescapeTarsnapText } from './archive-members.js';
import { posix } from 'node:path';
import type { ArchiveInfo } from './archives.js';
import { stagedRelativePath } from './paths.js';

/** What the ARCHIVE argument asks for: a literal name, or the newest complete archive (of a profile). */
export type ArchiveSpec = { kind: 'latest'; profile?: string } | { kind: 'name'; name: string };

/**
 * Given the ARCHIVE argument, returns what it asks for.
 * Example: `parseArchiveSpec('latest:daily')` → `{ kind: 'latest', profile: 'daily' }`.
 */
export function parseArchiveSpec(spec: string): ArchiveSpec {
  if (spec === 'latest') return { kind: 'latest' };
  if (spec.startsWith('latest:') && spec.length > 'latest:'.length)
    return { kind: 'latest', profile: spec.slice('latest:'.length) };
  if (spec.length === 0)
    throw new Error('the archive name is empty; give a name from "hotsnap list", or latest, or latest:PROFILE');
  return { kind: 'name', name: spec };
}

/**
 * Given classified archives (any order) and optionally a profile, returns the newest complete
 * archive (never a `.part` or `.incomplete`, never one of no profile), or undefined.
 * Example: `pickLatestArchive(archives, 'daily')?.name` → `'blog-daily-2026-11-26_03-00-00'`.
 */
export function pickLatestArchive(archives: readonly ArchiveInfo[], profile?: string): ArchiveInfo | undefined {
  let newest: ArchiveInfo | undefined;
  for (const archive of archives) {
    if (archive.partial || archive.incomplete || archive.profile === null) continue;
    if (profile !== undefined && archive.profile !== profile) continue;
    // Ties go to the later name, as in `list` (oldest first, ties by name).
    if (
      !newest ||
      archive.time.getTime() > newest.time.getTime() ||
      (archive.time.getTime() === newest.time.getTime() && archive.name > newest.name)
    ) {
      newest = archive;
    }
  }
  return newest;
}

/**
 * Given a PATH as the user typed it (absolute or already a member name), returns the archive
 * member it names: no leading `/`, normalised, no trailing `/`. Throws on `..`, `/` and empty paths.
 * Example: `memberForPath('/srv/ghost//content/')` → `'srv/ghost/content'`.
 */
export function memberForPath(path: string): string {
  if (path.split('/').includes('..'))
    throw new Error(`"${path}" contains "..": name the member as it is stored, e.g. /srv/ghost/content`);
  const member = posix.normalize(path.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (member === '' || member === '.') {
    throw new Error(`"${path}" names the whole archive: leave out PATH to restore everything`);
  }
  return member;
}

/**
 * Given the stdout of `tarsnap -t --null-output`, returns the member names (escapes undone) in archive order.
 * Throws when the output does not end with a NUL: a listing cut short must not pass for a short archive.
 * Example: `parseContentsListing('srv/\0srv/a.db\0')` → `['srv/', 'srv/a.db']`.
 */
export function parseContentsListing(stdout: string): string[] {
  if (stdout === '') return [];
  if (!stdout.endsWith('\0'))
    throw new Error('the archive listing (tarsnap -t --null-output) was cut short: it does not end with a NUL');
  // tarsnap prints names as bsdtar's safe_fprintf does: a newline as \n, a byte it can't print
  // (any non-ASCII one under LC_ALL=C) as \ooo; the members to extract are the real names.
  return stdout.slice(0, -1).split('\0').map(unescapeTarsnapText);
}

/** Given a listed member, returns it without the `/` that marks a directory. */
function bare(member: string): string {
  return member.endsWith('/') ? member.replace(/\/+$/, '') : member;
}

/**
 * Given a member and the selected members (none = everything), returns whether extracting the
 * selection brings it back: tarsnap's inclusion patterns also take what lies below a directory.
 * Example: `isSelected('srv/ghost/a.db', ['srv/ghost'])` → true; `isSelected('srv/ghostly', ['srv/ghost'])` → false.
 */
export function isSelected(member: string, selectors: readonly string[]): boolean {
  if (selectors.length === 0) return true;
  const name = bare(member);
  return selectors.some((selector) => name === selector || name.startsWith(`${selector}/`));
}

export interface RestorePlan {
  /** Members to name on the `-x` command line: null = the whole archive, [] = nothing to extract. */
  members: string[] | null;
  /** inline: extracted with the rest; separate: into a private directory first; none: the archive has none. */
  manifest: 'inline' | 'separate' | 'none';
  /** Regular files (and links) the extraction writes, not counting hotsnap's own manifest. */
  files: number;
  /** Selected members that the archive does not hold. */
  missing: string[];
}

/**
 * Given the archive listing, the selected members (none = all), whether the target is `/`, and
 * the manifest's member name, returns what to extract. Restoring into `/` never writes the
 * manifest directory there: it names every other top-level entry instead (an exclude pattern
 * cannot be anchored to a relative member name in tarsnap 1.0.41) and fetches the manifest apart.
 * Example: `planRestore(['srv/', 'srv/a.db', '.hotsnap/', '.hotsnap/manifest.json'], [],
 * { toRoot: true, manifestMember: '.hotsnap/manifest.json' }).members` → `['srv']`.
 */
export function planRestore(
  listing: readonly string[],
  selectors: readonly string[],
  options: { toRoot: boolean; manifestMember: string },
): RestorePlan {
  const manifestDir = options.manifestMember.split('/')[0]!;
  const ownFile = (member: string) => bare(member) === manifestDir || bare(member).startsWith(`${manifestDir}/`);
  const hasManifest = listing.includes(options.manifestMember);
  const missing = selectors.filter((selector) => !listing.some((member) => isSelected(member, [selector])));
  const manifest = !hasManifest ? 'none' : options.toRoot ? 'separate' : 'inline';

  let members: string[] | null;
  if (options.toRoot) {
    const wanted =
      selectors.length > 0
        ? selectors
        : listing.map((member) => bare(member).split('/')[0]!).filter((top) => top !== manifestDir);
    members = [...new Set(wanted)];
  } else if (selectors.length === 0) {
    members = null;
  } else {
    members = [...new Set(selectors)];
    // The manifest comes along so the databases can be checked; it lands in TARGET/.hotsnap.
    if (manifest === 'inline' && !isSelected(options.manifestMember, members)) members.push(options.manifestMember);
  }
  const chosen = members;
  const files = listing.filter(
    (member) => !member.endsWith('/') && !ownFile(member) && (chosen === null || isSelected(member, chosen)),
  ).length;
  return { members, manifest, files, missing };
}

/**
 * Given database entries (by their live path) and the selected members, returns the entries
 * that the extraction restores. Example: `selectedDatabases([{source:'/srv/a.db'}], ['srv'])` → the entry.
 */
export function selectedDatabases<T extends { source: string }>(
  entries: readonly T[],
  selectors: readonly string[],
): T[] {
  return entries.filter((entry) => isSelected(stagedRelativePath(entry.source), selectors));
}
