/**
 * What deleting archives frees, as tarsnap can tell: exactly after a `-d --print-stats` ("Deleted
 * data" rows), or at least (the archives' unique data) before, from `--print-stats -f '*'`.
 */
import { monthlyStorageCost } from './cost.js';
import { parsePrintStatsTables } from './tarsnap-output.js';

/** Stored data a deletion frees (compressed, as billed) and the monthly storage cost it saves. */
export interface FreedBytes {
  compressed_bytes: number;
  monthly_cost_dollars: number;
}

/** Given compressed bytes, returns them with their monthly cost. Example: 4e9 → {…, monthly_cost_dollars: 1}. */
export function freedBytes(compressed: number): FreedBytes {
  return { compressed_bytes: compressed, monthly_cost_dollars: monthlyStorageCost(compressed) };
}

/**
 * Given the stderr of `-d --print-stats` (one table per deleted archive, each "Deleted data" row
 * counted after the deletions before it), returns what the call freed in all; undefined without tables.
 * Example: deletedByCall(stderr)?.compressed_bytes → 1797.
 */
export function deletedByCall(stderr: string): FreedBytes | undefined {
  const tables = parsePrintStatsTables(stderr).filter((table) => table.deletedData);
  if (tables.length === 0) return undefined;
  return freedBytes(tables.reduce((sum, table) => sum + table.deletedData!.compressed, 0));
}

/**
 * Given archive names to delete and the account's statistics, returns what deleting them frees at
 * least: the sum of their unique data (data they share only among themselves is freed too, but is in
 * none of their unique figures). Example: freedAtLeast(['a'], stats).compressed_bytes → 111.
 */
export function freedAtLeast(
  names: readonly string[],
  stats: { archives: readonly { name: string; unique: { compressed: number } }[] },
): FreedBytes {
  const unique = new Map(stats.archives.map((archive) => [archive.name, archive.unique.compressed]));
  return freedBytes(names.reduce((sum, name) => sum + (unique.get(name) ?? 0), 0));
}
