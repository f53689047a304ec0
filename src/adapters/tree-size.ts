/**
 * What `tarsnap -c` will read, estimated beforehand for its progress line: the tar bytes (headers
 * and padded data) of every entry under the operands, leaving out what the excludes drop as far as
 * core/exclude-match can tell. Symlinks are not followed, unreadable directories count as empty.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { excludeMatcher } from '../core/exclude-match.js';
import { tarEntryBytes } from '../core/tarsnap-progress.js';

/** Past this many entries the walk stops: the estimate would cost more than it tells. */
const MAX_ENTRIES = 2_000_000;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Given the -C directory, the operands (relative ones are read under it, as tarsnap does) and the
 * exclude patterns, returns the estimated tar bytes, or undefined past 2 million entries.
 * Example: `estimateTarBytes('/stage', ['srv/app.db', '/etc'], ['*.tmp'])` → `52_430_848`.
 */
export function estimateTarBytes(
  directory: string,
  operands: readonly string[],
  excludes: readonly string[],
): number | undefined {
  const excluded = excludes.map(excludeMatcher);
  let total = 0;
  let entries = 0;
  const stack = [...operands]
    .reverse()
    .map((operand) => ({ name: operand, disk: operand.startsWith('/') ? operand : join(directory, operand) }));
  while (stack.length > 0) {
    const { name, disk } = stack.pop()!;
    if (excluded.some((matches) => matches(name))) continue;
    const stat = statOrUndefined(disk);
    if (!stat) continue;
    if (++entries > MAX_ENTRIES) return undefined;
    total += tarEntryBytes(stat.isFile() ? stat.size : 0);
    if (!stat.isDirectory()) continue;
    let children: string[];
    try {
      children = readdirSync(disk);
    } catch {
      continue;
    }
    for (const child of children.reverse()) stack.push({ name: join(name, child), disk: join(disk, child) });
  }
  return total;
}
