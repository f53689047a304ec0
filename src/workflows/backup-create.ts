/**
 * The archive-creating half of a backup: list names to avoid a collision, `tarsnap -c` with the
 * next free suffix when the name turned out taken (showing its progress against the size it is
 * about to read), and after a failure, what was stored.
 */
import { chooseArchiveName } from '../core/archive-name.js';
import type { TarsnapCommon, CreateOptions } from '../core/tarsnap-args.js';
import { buildCreateArgs } from '../core/tarsnap-args.js';
import { parsePrintStats, type ListedArchive, type PrintStats } from '../core/tarsnap-output.js';
import { describeCreateWalk, progressBytesFor } from '../core/tarsnap-progress.js';
import type { ProfileSummary } from '../core/summary.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { listStoredArchives } from '../adapters/archive-list.js';
import { TarsnapError, type TarsnapRunner } from '../adapters/tarsnap.js';
import { createUploadProgress } from '../adapters/tarsnap-progress.js';
import { estimateTarBytes } from '../adapters/tree-size.js';

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
 * Given what `-c` will walk, returns its estimated size (the progress line's "about" total) and
 * the --progress-bytes interval: a line per 1% of it, at most every 10 MB.
 */
function planProgress(context: CreateContext, create: Omit<CreateOptions, 'name'>) {
  const walk = describeCreateWalk(buildCreateArgs(context.common, { ...create, name: 'hotsnap-size-estimate' }).argv);
  const total = estimateTarBytes(walk.directory, walk.operands, walk.excludes);
  return { total, progressBytes: progressBytesFor(total ?? Number.POSITIVE_INFINITY) };
}

/**
 * Given the wanted name and the names taken, runs `tarsnap -c` under the first free name, moving to
 * the next suffix (and calling `renamed`) when tarsnap says it exists; resolves to the name stored.
 * Its progress is one line on a terminal (`terminal`), else a log line every few minutes.
 */
export async function createArchive(
  context: CreateContext,
  wanted: string,
  taken: Set<string>,
  options: Omit<CreateOptions, 'name' | 'progressBytes'> & {
    incomplete: boolean;
    renamed: (name: string) => void;
    terminal?: boolean;
  },
): Promise<{ name: string; stats?: PrintStats }> {
  const { incomplete, renamed, terminal, ...create } = options;
  const { total, progressBytes } = planProgress(context, create);
  context.logger.debug({ total_bytes: total, progress_bytes: progressBytes }, 'estimated what tarsnap will read');
  let name = chooseArchiveName(wanted, taken, { incomplete });
  renamed(name);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await context.tarsnap.run(buildCreateArgs(context.common, { ...create, name, progressBytes }), {
        progress: createUploadProgress({
          verb: create.dryRun ? 'reading' : 'uploading',
          total,
          terminal: terminal ?? false,
          logger: context.logger,
        }),
      });
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
