/**
 * `hotsnap list [PROFILE...]`: archives grouped by profile, oldest first, .part and .incomplete
 * flagged; `--last N` the newest N of each, `-v` each archive's sizes (one `--print-stats -f '*'` more).
 */
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import type { ArchiveInfo } from '../core/archives.js';
import type { ArchiveSizes } from '../core/archive-stats.js';
import { listArchives, listArchiveSizes } from '../workflows/list.js';
import { formatBytes, formatUtcTime } from '../core/summary.js';
import { tarsnapRunnerFor } from './common.js';
import { selectProfiles } from './select-profiles.js';
import type { CommandResult } from './result.js';

export interface ListOptions {
  json?: boolean;
  /** `--last N`: only the newest N archives of each profile (and of no profile). */
  last?: string;
  /** `-v`: each archive's sizes. */
  verbose?: boolean;
}

function formatTime(date: Date): string {
  return date.getTime() === 0 ? '(unknown time)     ' : formatUtcTime(date);
}

/** Given `--last`'s value, returns the count; anything but a whole number ≥ 1 is a usage error. */
export function parseLastOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(
      `--last ${JSON.stringify(value)}: give how many archives to show, a whole number ≥ 1 (e.g. --last 5)`,
    );
  }
  return Number(value);
}

/**
 * Given archives sorted oldest first and N, returns the newest N of each profile and of no profile.
 * Example: `newestOfEach(archives, 1)` → the last archive of each profile.
 */
export function newestOfEach(archives: readonly ArchiveInfo[], last: number | undefined): ArchiveInfo[] {
  if (last === undefined) return [...archives];
  const seen = new Map<string | null, number>();
  const kept: ArchiveInfo[] = [];
  for (const archive of [...archives].reverse()) {
    const count = seen.get(archive.profile) ?? 0;
    seen.set(archive.profile, count + 1);
    if (count < last) kept.push(archive);
  }
  return kept.reverse();
}

/** Given an archive's sizes, returns "total 1.2 GB, compressed 800.0 MB, unique 3.1 MB". */
function formatSizes(sizes: ArchiveSizes | undefined): string {
  if (!sizes) return 'sizes unknown (tarsnap printed none)';
  return `total ${formatBytes(sizes.total)}, compressed ${formatBytes(sizes.compressed)}, unique ${formatBytes(sizes.unique.compressed)}`;
}

/** Given a group's archives (all of them) and those shown, returns their lines. */
function archiveLines(
  all: readonly ArchiveInfo[],
  shown: readonly ArchiveInfo[],
  sizes: ReadonlyMap<string, ArchiveSizes> | undefined,
): string[] {
  const lines: string[] = [];
  const hidden = all.length - shown.length;
  if (hidden > 0) lines.push(`  … ${hidden} older not shown`);
  const width = sizes ? Math.max(...shown.map((archive) => JSON.stringify(archive.name).length - 2)) : 0;
  for (const archive of shown) {
    const notes = [
      archive.partial ? 'PARTIAL (.part: an interrupted run, not a backup)' : '',
      archive.incomplete && !archive.partial ? 'INCOMPLETE (a database could not be copied: not a whole backup)' : '',
      archive.adopted ? 'adopted legacy name' : '',
    ].filter(Boolean);
    const name = JSON.stringify(archive.name).slice(1, -1);
    const size = sizes ? `  ${name.padEnd(width)}  ${formatSizes(sizes.get(archive.name))}` : `  ${name}`;
    lines.push(`  ${formatTime(archive.time)}${size}${notes.length ? `  [${notes.join('; ')}]` : ''}`);
  }
  return lines;
}

/**
 * Given classified archives, the profiles to show, whether to show archives of no profile, and
 * optionally `last` (newest N per group) and each archive's sizes, returns the readable table.
 */
export function renderArchiveTable(
  archives: readonly ArchiveInfo[],
  profiles: readonly string[],
  showForeign: boolean,
  options: { last?: number; sizes?: ReadonlyMap<string, ArchiveSizes> } = {},
): string {
  const lines: string[] = [];
  for (const profile of profiles) {
    const own = archives.filter((archive) => archive.profile === profile);
    const partial = own.filter((archive) => archive.partial).length;
    const incomplete = own.filter((archive) => archive.incomplete && !archive.partial).length;
    const complete = own.length - partial - incomplete;
    const extra = [partial ? `${partial} partial` : '', incomplete ? `${incomplete} incomplete` : ''].filter(Boolean);
    lines.push(
      `${profile}: ${complete} archive${complete === 1 ? '' : 's'}${extra.map((text) => `, ${text}`).join('')}`,
    );
    lines.push(...archiveLines(own, newestOfEach(own, options.last), options.sizes));
  }
  const foreign = archives.filter((archive) => archive.profile === null);
  if (showForeign && foreign.length > 0) {
    lines.push(`not from any profile of this config: ${foreign.length}`);
    lines.push(...archiveLines(foreign, newestOfEach(foreign, options.last), options.sizes));
  }
  return `${lines.join('\n')}\n`;
}

/** Given the context, profile names and options, prints the archives; exit 0, or 1 when tarsnap fails. */
export async function listCommand(
  context: Context,
  names: readonly string[],
  options: ListOptions,
): Promise<CommandResult> {
  const last = parseLastOption(options.last);
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names).map((profile) => profile.name);
  // retry policy: looking (someone waits for the answer: one short retry, see retryPolicyFor)
  const tarsnap = tarsnapRunnerFor(config, context, { kind: 'looking' });
  const [archives, sizes] = await Promise.all([
    listArchives(config, tarsnap),
    options.verbose ? listArchiveSizes(config, tarsnap) : undefined,
  ]);
  const shown =
    names.length === 0
      ? archives
      : archives.filter((archive) => archive.profile !== null && profiles.includes(archive.profile));
  if (options.json) {
    const rows = newestOfEach(shown, last).map((archive) => {
      const size = sizes?.get(archive.name);
      return {
        name: archive.name,
        profile: archive.profile,
        time: archive.time.toISOString(),
        partial: archive.partial,
        incomplete: archive.incomplete,
        ...(size
          ? {
              total_bytes: size.total,
              compressed_bytes: size.compressed,
              unique_bytes: size.unique.total,
              unique_compressed_bytes: size.unique.compressed,
            }
          : {}),
      };
    });
    return { exitCode: ExitCode.ok, stdout: `${JSON.stringify(rows, null, 2)}\n` };
  }
  return {
    exitCode: ExitCode.ok,
    stdout: renderArchiveTable(shown, profiles, names.length === 0, {
      ...(last ? { last } : {}),
      ...(sizes ? { sizes } : {}),
    }),
  };
}
