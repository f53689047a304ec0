/**
 * How `hotsnap ls` shows an archive's members: `ls -l`-like lines with the live path (what
 * `restore` takes), sizes in decimal units as everywhere in hotsnap, times in UTC; or JSON rows.
 */
import type { ArchiveMember } from './archive-members.js';
import { formatBytes, formatUtcTime } from './summary.js';

/** One member in `ls --json`. */
export interface MemberRow {
  /** Where it lives (and `restore` puts it back): `/` + the member name, no trailing `/`. */
  path: string;
  /** The name stored in the archive (a directory ends in `/`). */
  member: string;
  type: ArchiveMember['type'];
  size: number;
  /** Octal permission bits, e.g. "0644". */
  mode: string;
  permissions: string;
  owner: string;
  group: string;
  mtime: string;
  target?: string;
  device?: string;
}

/** Given a member name, returns its live path: `srv/ghost/` → `/srv/ghost`. */
function livePath(member: string): string {
  return `/${member.replace(/\/+$/, '')}`;
}

/** Given a name, returns it printable on one line: control characters and `\` escaped as in JSON. */
export function printableName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f\\]/g, (character) => {
    const json = JSON.stringify(character).slice(1, -1);
    return json === character ? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}` : json;
  });
}

/**
 * Given members, returns the `--json` rows.
 * Example: `memberRows([{ member: 'srv/', type: 'directory', mode: 0o755, … }])[0].path` → `'/srv'`.
 */
export function memberRows(members: readonly ArchiveMember[]): MemberRow[] {
  return members.map((entry) => ({
    path: livePath(entry.member),
    member: entry.member,
    type: entry.type,
    size: entry.size,
    mode: `0${entry.mode.toString(8).padStart(3, '0')}`,
    permissions: entry.permissions,
    owner: entry.owner,
    group: entry.group,
    mtime: entry.mtime.toISOString(),
    ...(entry.target === undefined ? {} : { target: entry.target }),
    ...(entry.device === undefined ? {} : { device: entry.device }),
  }));
}

/** Given a member, returns its size column: bytes of a file, MAJOR,MINOR of a device, else "-". */
function sizeColumn(entry: ArchiveMember): string {
  if (entry.device !== undefined) return entry.device;
  return entry.type === 'file' ? formatBytes(entry.size) : '-';
}

/**
 * Given the archive name and its (selected) members, returns the text listing: one line per
 * member, then a line counting the files and their bytes.
 * Example: `renderMemberTable('n', members)` →
 * `'-rw-r--r--  root  root  3.1 MB  2026-11-26 03:00:00Z  /srv/ghost/content/data/ghost.db\n…'`.
 */
export function renderMemberTable(archive: string, members: readonly ArchiveMember[]): string {
  const cells = members.map((entry) => [entry.permissions, entry.owner, entry.group, sizeColumn(entry)]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(0, ...cells.map((row) => row[column]!.length)));
  const lines = members.map((entry, index) => {
    const [permissions, owner, group, size] = cells[index]!;
    const path = printableName(livePath(entry.member)) + (entry.type === 'directory' ? '/' : '');
    const link =
      entry.target === undefined
        ? ''
        : entry.type === 'hardlink'
          ? ` link to ${printableName(livePath(entry.target))}`
          : ` -> ${printableName(entry.target)}`;
    return [
      permissions!.padEnd(widths[0]!),
      owner!.padEnd(widths[1]!),
      group!.padEnd(widths[2]!),
      size!.padStart(widths[3]!),
      formatUtcTime(entry.mtime),
      `${path}${link}`,
    ].join('  ');
  });
  const files = members.filter((entry) => entry.type === 'file');
  const bytes = files.reduce((sum, entry) => sum + entry.size, 0);
  const footer = `${printableName(archive)}: ${members.length} ${members.length === 1 ? 'entry' : 'entries'}, ${files.length} ${files.length === 1 ? 'file' : 'files'} of ${formatBytes(bytes)}`;
  return `${[...lines, footer].join('\n')}\n`;
}
