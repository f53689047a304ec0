/** `hotsnap list [PROFILE...]`: archives grouped by profile, oldest first, .part and .incomplete flagged. */
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import type { ArchiveInfo } from '../core/archives.js';
import { listArchives } from '../workflows/list.js';
import { formatUtcTime } from '../core/summary.js';
import { tarsnapRunnerFor } from './common.js';
import { selectProfiles } from './select-profiles.js';
import type { CommandResult } from './result.js';

function formatTime(date: Date): string {
  return date.getTime() === 0 ? '(unknown time)     ' : formatUtcTime(date);
}

/** Given classified archives and the profiles to show, returns the readable table. */
export function renderArchiveTable(
  archives: readonly ArchiveInfo[],
  profiles: readonly string[],
  showForeign: boolean,
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
    for (const archive of own) {
      const notes = [
        archive.partial ? 'PARTIAL (.part: an interrupted run, not a backup)' : '',
        archive.incomplete && !archive.partial ? 'INCOMPLETE (a database could not be copied: not a whole backup)' : '',
        archive.adopted ? 'adopted legacy name' : '',
      ].filter(Boolean);
      lines.push(
        `  ${formatTime(archive.time)}  ${JSON.stringify(archive.name).slice(1, -1)}${notes.length ? `  [${notes.join('; ')}]` : ''}`,
      );
    }
  }
  const foreign = archives.filter((archive) => archive.profile === null);
  if (showForeign && foreign.length > 0) {
    lines.push(`not from any profile of this config: ${foreign.length}`);
    for (const archive of foreign)
      lines.push(`  ${formatTime(archive.time)}  ${JSON.stringify(archive.name).slice(1, -1)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Given the context, profile names and options, prints the archives; exit 0, or 1 when tarsnap fails. */
export async function listCommand(
  context: Context,
  names: readonly string[],
  options: { json?: boolean },
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names).map((profile) => profile.name);
  const archives = await listArchives(config, tarsnapRunnerFor(config, context, { kind: 'looking' }));
  const shown =
    names.length === 0
      ? archives
      : archives.filter((archive) => archive.profile !== null && profiles.includes(archive.profile));
  if (options.json) {
    const rows = shown.map((archive) => ({
      name: archive.name,
      profile: archive.profile,
      time: archive.time.toISOString(),
      partial: archive.partial,
      incomplete: archive.incomplete,
    }));
    return { exitCode: ExitCode.ok, stdout: `${JSON.stringify(rows, null, 2)}\n` };
  }
  return { exitCode: ExitCode.ok, stdout: renderArchiveTable(shown, profiles, names.length === 0) };
}
