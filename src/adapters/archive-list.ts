/** The archives the server holds: one `tarsnap --list-archives` call, parsed. */
import { buildListArgs, type TarsnapCommon } from '../core/tarsnap-args.js';
import { parseListArchives, type ListedArchive } from '../core/tarsnap-output.js';
import type { TarsnapRunner } from './tarsnap.js';

/**
 * Given a runner, the shared tarsnap options and a verbosity (0: names only; 1: names and creation
 * times), resolves to the archives stored under that key. Throws the runner's TarsnapError.
 */
export async function listStoredArchives(
  tarsnap: TarsnapRunner,
  common: TarsnapCommon,
  verbose: 0 | 1,
): Promise<ListedArchive[]> {
  const result = await tarsnap.run(buildListArgs(common, { verbose }));
  return parseListArchives(result.stdout, verbose);
}
