/**
 * What one archive holds, read from `tarsnap -t -v --iso-dates -f NAME` (bsdtar's `ls -l` lines,
 * tarsnap 1.0.41's list_item_verbose): type, mode, owner, size, modification time and name.
 *
 * Why the text form and not `--null-output`: with it 1.0.41 prints the group and the size with no
 * separator between them ("root5"), so a numeric group runs into the size. In the text form the size
 * is right-aligned after at least one space, and names are still exact: tarsnap escapes every
 * unprintable byte, a newline and the backslash itself (`\n`, `\\`, `\303\274` under LC_ALL=C),
 * so one entry is one line and the escapes undo losslessly. What the text form cannot tell apart:
 * a symlink whose name contains " -> " (split at the first one) and a hard link whose name contains
 * " link to "; owners and groups with spaces (never made by useradd/groupadd).
 */
import { isSelected } from './restore.js';
import { buildContentsArgs, type Invocation, type TarsnapCommon } from './tarsnap-args.js';
import { TarsnapOutputError } from './tarsnap-output.js';

export type MemberType =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo' | 'socket' | 'other';

/** One archive member as `tarsnap -tv` describes it. */
export interface ArchiveMember {
  /** The member name as stored, unescaped: no leading `/`; a directory ends in `/`. */
  member: string;
  type: MemberType;
  /** Permission bits with setuid, setgid and sticky, e.g. 0o644. */
  mode: number;
  /** The `ls -l` mode string, e.g. `-rw-r--r--`. */
  permissions: string;
  owner: string;
  group: string;
  /** Bytes of data; 0 for anything but a regular file. */
  size: number;
  /** `MAJOR,MINOR` of a device node. */
  device?: string;
  /** Modification time, whole seconds. */
  mtime: Date;
  /** A symlink's target, or the member a hard link shares its data with. */
  target?: string;
}

const TYPES: Readonly<Record<string, MemberType>> = {
  '-': 'file',
  d: 'directory',
  l: 'symlink',
  h: 'hardlink',
  c: 'char-device',
  b: 'block-device',
  p: 'fifo',
  s: 'socket',
};

/**
 * Given the common options and an archive name, returns the `-t -v --iso-dates` invocation
 * (`--iso-dates`, tarsnap ≥ 1.0.38: full date and seconds instead of `ls`'s "Nov 26 03:00").
 * Example: `buildMemberListArgs({ keyfile: 'K', cachedir: 'C' }, 'n').argv` →
 * `['-t', '--iso-dates', '--keyfile', 'K', '--no-default-config', '-v', '-f', 'n']`.
 */
export function buildMemberListArgs(common: TarsnapCommon, name: string): Invocation {
  const contents = buildContentsArgs(common, name, { verbose: true });
  return { ...contents, argv: [contents.argv[0]!, '--iso-dates', ...contents.argv.slice(1)] };
}

const C_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/**
 * Given text as tarsnap's safe_fprintf printed it, returns the original: `\\`, C escapes and
 * `\ooo` octal bytes undone, the bytes read as UTF-8.
 * Example: `unescapeTarsnapText('new\\nline \\303\\274')` → `'new\nline ü'`.
 */
export function unescapeTarsnapText(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const character = text[i]!;
    const next = text[i + 1];
    const octal = /^[0-7]{3}$/.test(text.slice(i + 1, i + 4)) ? text.slice(i + 1, i + 4) : undefined;
    if (character === '\\' && octal !== undefined) {
      bytes.push(parseInt(octal, 8) & 0xff);
      i += 3;
    } else if (character === '\\' && next !== undefined && C_ESCAPES[next] !== undefined) {
      bytes.push(C_ESCAPES[next]);
      i += 1;
    } else {
      const code = text.codePointAt(i)!;
      if (code > 0xffff) i += 1;
      bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Given `rwxr-sr-t`, returns 0o3755. */
function modeBits(permissions: string): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) if (!'-ST'.includes(permissions[i]!)) mode |= 0o400 >> i;
  if ('sS'.includes(permissions[2]!)) mode |= 0o4000;
  if ('sS'.includes(permissions[5]!)) mode |= 0o2000;
  if ('tT'.includes(permissions[8]!)) mode |= 0o1000;
  return mode;
}

const LINE = new RegExp(
  [
    String.raw`^([-dlhcbps?])([-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT])\S?`,
    String.raw`\s+\d+\s+(\S+)\s+(\S+)\s+(\d+|\d+,\d+)`,
    String.raw`\s+(\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d) (.+)$`,
  ].join(''),
);

/** Given the name part of a line and the type, returns the member and its link target. */
function splitName(rest: string, type: MemberType): { member: string; target?: string } {
  const arrow = type === 'symlink' ? ' -> ' : type === 'hardlink' ? ' link to ' : undefined;
  const at = arrow === undefined ? -1 : rest.indexOf(arrow);
  if (at < 0) return { member: unescapeTarsnapText(rest) };
  return {
    member: unescapeTarsnapText(rest.slice(0, at)),
    target: unescapeTarsnapText(rest.slice(at + arrow!.length)),
  };
}

/**
 * Given the stdout of `tarsnap -t -v --iso-dates` run with TZ=UTC, returns the members in archive
 * order. Throws TarsnapOutputError on a line it cannot read, or output cut short (no final newline).
 * Example: `parseMemberListing('-rw-r--r--  0 root   root          5 2026-11-26 03:00:00 srv/a.db\n')[0]`
 * → `{ member: 'srv/a.db', type: 'file', mode: 0o644, size: 5, mtime: 2026-11-26T03:00:00Z, … }`.
 */
export function parseMemberListing(stdout: string): ArchiveMember[] {
  if (stdout === '') return [];
  if (!stdout.endsWith('\n'))
    throw new TarsnapOutputError('the archive listing (tarsnap -t -v) was cut short: it does not end with a newline');
  const members: ArchiveMember[] = [];
  for (const line of stdout.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const match = LINE.exec(line);
    if (!match) {
      throw new TarsnapOutputError(
        `cannot read this line of tarsnap -t -v: ${JSON.stringify(line)} (is a tarsnap config file changing the output?)`,
      );
    }
    const [, kind, permissions, owner, group, size, time, rest] = match as unknown as string[];
    const type = TYPES[kind!] ?? 'other';
    const device = size!.includes(',') ? size! : undefined;
    members.push({
      ...splitName(rest!, type),
      type,
      mode: modeBits(permissions!),
      permissions: `${kind}${permissions}`,
      owner: owner!,
      group: group!,
      size: device === undefined && type === 'file' ? Number(size) : 0,
      ...(device === undefined ? {} : { device }),
      mtime: new Date(`${time!.replace(' ', 'T')}Z`),
    });
  }
  return members;
}

/**
 * Given the members and the selected member names (none = all), returns those selected and
 * what lies below them, and the selectors that matched nothing.
 * Example: `selectMembers(members, ['srv/ghost']).missing` → `[]` when srv/ghost/ is listed.
 */
export function selectMembers(
  members: readonly ArchiveMember[],
  selectors: readonly string[],
): { members: ArchiveMember[]; missing: string[] } {
  const chosen = members.filter((entry) => isSelected(entry.member, selectors));
  const missing = selectors.filter((selector) => !chosen.some((entry) => isSelected(entry.member, [selector])));
  return { members: chosen, missing };
}
