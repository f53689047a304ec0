/**
 * Every archive's sizes in one call: `tarsnap --print-stats --null-output -f '*'` (tarsnap ≥ 1.0.27
 * takes `-f '*'` as "every archive"; `--null-output` with `--print-stats` is 1.0.41's). It prints
 * the global table ("All archives", "(unique data)") and then two rows per archive: its name with
 * total and compressed size, then "  (unique data)": the bytes no other archive shares, what
 * deleting it frees. Fields end with two NULs, rows with one; names are printed raw (no escapes), so
 * only the NUL form reads a name holding a newline. The call reads every archive's metadata from
 * the server (slower and costlier than `--list-archives` with many archives).
 */
import { buildStatsArgs, type Invocation, type TarsnapCommon } from './tarsnap-args.js';
import { TarsnapOutputError, type SizePair } from './tarsnap-output.js';

/** One archive's sizes in bytes as tarsnap counts them (compressed includes its per-chunk overhead). */
export interface ArchiveSizes {
  name: string;
  total: number;
  compressed: number;
  /** The part no other archive shares. */
  unique: SizePair;
}

export interface AccountStats {
  allArchives: SizePair;
  /** What the server stores once: compressed is what storage is billed on. */
  uniqueData: SizePair;
  /** Every archive's sizes, in the order tarsnap printed them. */
  archives: ArchiveSizes[];
}

/**
 * Given the common options, returns the `--print-stats --null-output -f '*'` invocation.
 * Example: `buildAllArchiveStatsArgs({ keyfile: 'K', cachedir: 'C' }).argv` →
 * `['--print-stats', '--keyfile', 'K', '--cachedir', 'C', '--no-default-config', '--null-output', '-f', '*']`.
 */
export function buildAllArchiveStatsArgs(common: TarsnapCommon): Invocation {
  const stats = buildStatsArgs(common);
  return { ...stats, argv: [...stats.argv, '--null-output', '-f', '*'], summary: 'print every archive’s sizes' };
}

/** Given `12`, returns 12; anything but a plain byte count is an error naming the row. */
function byteCount(text: string, label: string): number {
  if (!/^\d+$/.test(text)) {
    throw new TarsnapOutputError(
      `cannot read tarsnap --print-stats: ${JSON.stringify(label)} has size ${JSON.stringify(text)}, not a plain byte count (is humanize-numbers set in a tarsnap config file?)`,
    );
  }
  return Number(text);
}

/**
 * Given the stdout of `--print-stats --null-output -f '*'`, returns the global and per-archive sizes.
 * Throws TarsnapOutputError when it is not that shape (or cut short).
 * Example: `parseAccountStats(stdout).archives[0]` →
 * `{ name: 'blog-daily-2026-11-26_03-00-00', total: 1000, compressed: 300, unique: { total: 10, compressed: 7 } }`.
 */
export function parseAccountStats(stdout: string): AccountStats {
  if (!stdout.endsWith('\0'))
    throw new TarsnapOutputError('cannot read tarsnap --print-stats: the output was cut short (no final NUL)');
  const rows = stdout
    .slice(0, -1)
    .split(/(?<!\0)\0(?!\0)/)
    .map((row) => row.split('\0\0'));
  const [header, all, unique, ...perArchive] = rows;
  if (header?.[1] !== 'Total size' || all?.[0] !== 'All archives' || unique?.[0]?.trim() !== '(unique data)') {
    throw new TarsnapOutputError(
      'cannot read tarsnap --print-stats: expected its header, "All archives" and "(unique data)" rows (is this tarsnap 1.0.41 with --null-output?)',
    );
  }
  const pair = (row: string[]): SizePair => {
    if (row.length !== 3) {
      throw new TarsnapOutputError(`cannot read tarsnap --print-stats: row ${JSON.stringify(row.join(' '))}`);
    }
    return { total: byteCount(row[1]!, row[0]!), compressed: byteCount(row[2]!, row[0]!) };
  };
  if (perArchive.length % 2 !== 0)
    throw new TarsnapOutputError('cannot read tarsnap --print-stats: an archive row without its "(unique data)" row');
  const archives: ArchiveSizes[] = [];
  for (let i = 0; i < perArchive.length; i += 2) {
    archives.push({ name: perArchive[i]![0]!, ...pair(perArchive[i]!), unique: pair(perArchive[i + 1]!) });
  }
  return { allArchives: pair(all), uniqueData: pair(unique), archives };
}
