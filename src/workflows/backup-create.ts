/**
 * The archive-creating half of a backup: list names to avoid a collision, `tarsnap -c` with the
 * next free suffix when the name turned out taken, and after a failure, what was stored.
 */
import { chooseArchiveName } from '../core/archive-name.js';
import type { TarsnapCommon, CreateOptions } from '../core/tarsnap-args.js';
import { buildCreateArgs } from '../core/tarsnap-args.js';
import { parsePrintStats, type ListedArchive, type PrintStats } from '../core/tarsnap-output.js';
import type { ProfileSummary } from '../core/summary.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { listStoredArchives } from '../adapters/archive-list.js';
import { TarsnapError, type TarsnapRunner } from '../adapters/tarsnap.js';

/** What creating needs from its caller. */
export interface CreateContext {
  tarsnap: TarsnapRunner;
  common: TarsnapCommon;
  logger: Logger;
}

/** Lists archive names; undefined when this key cannot list (write-only), so creation can go on. */
export async function listNames(context: CreateContext): Promise<ListedArchive[] | undefined> {
  try {
    return await listStoredArchives(context.tarsnap, context.common, 0);
  } catch (error) {
    if (error instanceof TarsnapError && error.failure.kind === 'write-only-key') {
      context.logger.warn('this key cannot list archives (write-only); the archive name is not checked for collisions');
      return undefined;
    }
    throw error;
  }
}

function parseStatsQuietly(stderr: string, logger: Logger): PrintStats | undefined {
  try {
    return parsePrintStats(stderr);
  } catch (error) {
    logger.warn(`cannot read tarsnap's statistics: ${describeError(error)}`);
    return undefined;
  }
}

/**
 * Given the wanted name and the names taken, runs `tarsnap -c` under the first free name, moving to
 * the next suffix (and calling `renamed`) when tarsnap says it exists; resolves to the name stored.
 */
export async function createArchive(
  context: CreateContext,
  wanted: string,
  taken: Set<string>,
  options: Omit<CreateOptions, 'name'> & { incomplete: boolean; renamed: (name: string) => void },
): Promise<{ name: string; stats?: PrintStats }> {
  const { incomplete, renamed, ...create } = options;
  let name = chooseArchiveName(wanted, taken, { incomplete });
  renamed(name);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await context.tarsnap.run(buildCreateArgs(context.common, { ...create, name }));
      return { name, stats: parseStatsQuietly(result.stderr, context.logger) };
    } catch (error) {
      if (error instanceof TarsnapError && error.failure.kind === 'archive-exists' && attempt < 5) {
        // Someone made this name between our list and our create (or the key can't list): next suffix.
        taken.add(name);
        name = chooseArchiveName(wanted, taken, { incomplete });
        renamed(name);
        continue;
      }
      throw error;
    }
  }
}

/** After a failed create, lists again to learn whether NAME or NAME.part was stored, and says so. */
export async function explainFailedCreate(
  context: CreateContext,
  name: string,
  error: TarsnapError,
  summary: ProfileSummary,
): Promise<void> {
  let listed: ListedArchive[] | undefined;
  try {
    listed = await listNames(context);
  } catch (listError) {
    context.logger.warn(`cannot list archives to see what the failed create stored: ${describeError(listError)}`);
  }
  const names = new Set((listed ?? []).map((archive) => archive.name));
  if (names.has(name)) {
    summary.error = `archive ${name} was stored but may be incomplete, so this run does not count as a good backup: ${describeError(error)}`;
  } else if (names.has(`${name}.part`)) {
    summary.error = `a truncated ${name}.part was stored: it is not a backup and is never counted as one: ${describeError(error)}`;
  } else {
    summary.error = describeError(error);
  }
  delete summary.archive;
}
