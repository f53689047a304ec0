/** An archive's size before restoring it, for the progress line's total: `--print-stats -f`, metadata only. */
import { existsSync } from 'node:fs';
import { buildStatsArgs, type TarsnapCommon } from '../core/tarsnap-args.js';
import { parsePrintStats } from '../core/tarsnap-output.js';
import { describeError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TarsnapRunner } from '../adapters/tarsnap.js';

/**
 * Given an archive, resolves to its total (tar) bytes, or undefined when tarsnap cannot say (no
 * cache directory on this machine: not asked, as tarsnap would create one; the server unreachable:
 * one try, no retry); never throws for that, and its messages are only debug: it costs just the ETA.
 * Example: `await archiveTotalBytes(tarsnap, common, 'blog-daily-2026-11-26_03-00-00', logger)` → `52_430_848`.
 */
export async function archiveTotalBytes(
  tarsnap: TarsnapRunner,
  common: TarsnapCommon,
  archive: string,
  logger: Logger,
): Promise<number | undefined> {
  if (!existsSync(common.cachedir)) return undefined;
  const stats = buildStatsArgs(common);
  const quiet = { line: () => true, stop() {} };
  try {
    const result = await tarsnap.run(
      { ...stats, argv: [...stats.argv, '-f', archive], summary: `print the size of archive ${archive}` },
      { retry: false, progress: quiet },
    );
    return parsePrintStats(result.stdout).thisArchive?.total;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    logger.debug(`restore progress without a total: ${describeError(error).split('\n')[0]}`);
    return undefined;
  }
}
