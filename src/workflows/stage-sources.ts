/**
 * Stages every source of a profile into its stage area: for each kind, its targets, one consistent
 * copy each. A target that fails is recorded (its live files stay excluded) and the others go on;
 * an error that is not the operator's to fix (a bug) is thrown.
 */
import { stagedRelativePath } from '../core/paths.js';
import type { SourceFailure } from '../core/manifest.js';
import type { Profile } from '../config/resolve.js';
import { systemErrorAsUserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { StageArea } from '../adapters/stage-area.js';
import type { AnySource } from '../sources/index.js';

/** What one kind staged and what failed. */
export interface KindResult {
  source: AnySource;
  entries: { source: string }[];
  failed: SourceFailure[];
  /** Live paths staged at their own path (tarsnap operands) with the excludes for their live files. */
  staged: { source: string; excludes: string[] }[];
  /** Excludes for the live files of targets that failed. */
  failedExcludes: string[];
}

/** Given the entries a run staged, returns them relative to the stage (what the kept stage keeps). */
export function stagedEntries(results: readonly KindResult[]): string[] {
  return results.flatMap((result) => result.staged.map((item) => stagedRelativePath(item.source)));
}

/**
 * Given a profile, its stage area and the source kinds, stages every target; resolves to one result
 * per kind. Example: `(await stageSources(profile, area, SOURCES, ctx))[0].entries.length` → 1.
 */
export async function stageSources(
  profile: Profile,
  area: StageArea,
  sources: readonly AnySource[],
  context: { logger: Logger; progress: boolean },
): Promise<KindResult[]> {
  const results: KindResult[] = [];
  for (const source of sources) {
    const result: KindResult = { source, entries: [], failed: [], staged: [], failedExcludes: [] };
    results.push(result);
    const { targets, failed } = await source.targets(profile, context.logger);
    result.failed.push(...failed);
    for (const target of targets) {
      try {
        const staged = await source.stage(target, { profile, area, ...context });
        result.entries.push(staged.entry);
        result.staged.push({ source: staged.stagedPath, excludes: source.stagedExcludes(staged.stagedPath) });
        context.logger.info(staged.log, source.log.staged);
      } catch (error) {
        const expected = systemErrorAsUserError(error);
        if (!expected) throw error;
        result.failed.push({ source: target.source, error: expected.message });
        result.failedExcludes.push(...source.unstagedExcludes(target));
        context.logger.error({ [source.log.key]: target.source }, `${source.log.failed}: ${expected.message}`);
      }
    }
  }
  return results;
}
