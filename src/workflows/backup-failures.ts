/** What a run says when some sources could not be staged but the archive was stored without them. */
import type { KindResult } from './stage-sources.js';

/**
 * Given the staging results and the archive stored, returns the failure line.
 * Example: one failed database → "1 database could not be copied (archive a.incomplete was stored
 * without it, marked incomplete: never counted as a backup): <its error>".
 */
export function describeFailures(results: readonly KindResult[], archive: string): string {
  const failed = results.filter((result) => result.failed.length > 0);
  const count = failed.reduce((sum, result) => sum + result.failed.length, 0);
  const what = failed
    .map(({ source, failed: list }) => `${list.length} ${list.length === 1 ? source.noun : source.nouns}`)
    .join(' and ');
  const first = failed[0]?.failed[0]?.error ?? '';
  return `${what} could not be copied (archive ${archive} was stored without ${count === 1 ? 'it' : 'them'}, marked incomplete: never counted as a backup): ${first}`;
}
