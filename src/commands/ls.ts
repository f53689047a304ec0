/**
 * `hotsnap ls ARCHIVE [PATH...]`: what one archive holds (type, mode, owner, size, time), from one
 * `tarsnap -t -v --iso-dates` call (plus one `--list-archives` for `latest[:PROFILE]`). Changes nothing.
 */
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildMemberListArgs, parseMemberListing, selectMembers } from '../core/archive-members.js';
import { memberRows, renderMemberTable } from '../core/member-table.js';
import { memberForPath } from '../core/restore.js';
import { shellQuote } from '../core/shell-quote.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import { parseArchiveArgument, resolveArchiveName } from '../workflows/resolve-archive.js';
import { tarsnapRunnerFor } from './common.js';
import type { CommandResult } from './result.js';

/**
 * Given the context, ARCHIVE (a name, latest or latest:PROFILE), the PATHs (absolute or member
 * names; none = everything) and options, prints the members; exit 0, 1 when tarsnap fails or the
 * archive does not exist, 2 for a bad PATH, an unknown profile or a PATH the archive does not hold.
 * Example: `lsCommand(ctx, 'latest:daily', ['/srv/ghost'], { json: true })`.
 */
export async function lsCommand(
  context: Context,
  archiveArgument: string,
  paths: readonly string[],
  options: { json?: boolean },
): Promise<CommandResult> {
  const selectors = paths.map((path) => {
    try {
      return memberForPath(path);
    } catch (error) {
      throw new UsageError((error as Error).message.replace('leave out PATH to restore', 'leave out PATH to list'));
    }
  });
  const spec = parseArchiveArgument(archiveArgument);
  const config = await context.loadConfig();
  // retry policy: looking (someone waits for the answer: one short retry, see retryPolicyFor)
  const tarsnap = tarsnapRunnerFor(config, context, { kind: 'looking' });
  const archive = await resolveArchiveName(config, spec, tarsnap);
  const common = tarsnapCommon(config);
  // An unknown name fails here with tarsnap's "Archive does not exist: NAME" (exit 1), as in restore.
  const listing = await tarsnap.run(buildMemberListArgs(common, archive));
  const { members, missing } = selectMembers(parseMemberListing(listing.stdout), selectors);
  if (missing.length > 0) {
    throw new UsageError(
      `not in archive ${archive}: ${missing.map((member) => `/${member}`).join(', ')}; see what it holds with: hotsnap ls ${shellQuote(archive)}`,
    );
  }
  if (options.json) return { exitCode: ExitCode.ok, stdout: `${JSON.stringify(memberRows(members), null, 2)}\n` };
  return { exitCode: ExitCode.ok, stdout: renderMemberTable(archive, members) };
}
