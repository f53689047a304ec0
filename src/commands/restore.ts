/**
 * `hotsnap restore ARCHIVE --to DIR [PATH...]`: one `-t` to learn what the archive holds, one
 * `-x` into DIR, then every restored database and Git repository checked against the archive's manifest. Takes no
 * run lock: tarsnap reads archives beside a running create or delete.
 */
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/resolve.js';
import type { Context } from '../context.js';
import { ExitCode, UsageError, UserError } from '../errors.js';
import { allVerified, formatRestoreSummary, type RestoreSummary } from '../core/restore-report.js';
import {
  isSelected,
  memberForPath,
  parseArchiveSpec,
  parseContentsListing,
  planRestore,
  selectedDatabases,
  type ArchiveSpec,
} from '../core/restore.js';
import { stagedRelativePath } from '../core/paths.js';
import { shellQuote } from '../core/shell-quote.js';
import { buildContentsArgs, buildExtractArgs } from '../core/tarsnap-args.js';
import type { Logger } from '../log.js';
import { MANIFEST_FILE, type ArchiveManifest } from '../core/manifest.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import {
  checkRestoredRepositories,
  checkRestoredTree,
  existsNoFollow,
  readManifest,
} from '../adapters/restored-check.js';
import type { TarsnapRunner } from '../adapters/tarsnap.js';
import { createRestoreProgress } from '../adapters/tarsnap-progress.js';
import { archiveTotalBytes } from '../workflows/archive-size.js';
import { checkRestoreTarget, createRestoreTarget, removeIfEmpty } from '../adapters/restore-target.js';
import { tarsnapRunnerFor } from './common.js';
import { resolveArchiveName } from '../workflows/resolve-archive.js';
import type { CommandResult } from './result.js';

export interface RestoreOptions {
  /** The directory to restore into; required (`/` puts files back over the live ones). */
  to?: string;
  json?: boolean;
  /** With `--to /`: restore even over files that look in use by a running application. */
  force?: boolean;
}

export interface RestoreDeps {
  tarsnap: TarsnapRunner;
  logger: Logger;
  /** A new private (0700) directory that outlives the command: the manifest's home when restoring into `/`. */
  makePrivateDir: () => string;
  /** Whether files restored into this directory land at their live paths (it is `/`). */
  isRoot: (dir: string) => boolean;
  /** Draw the extraction's progress on stderr (a terminal); else log it every few minutes. */
  terminal?: boolean;
}

/** Restoring into `/` replaces live databases: say so loudly, before a byte is written. */
function warnInPlace(
  manifest: ArchiveManifest | undefined,
  selectors: readonly string[],
  target: string,
  logger: Logger,
): string[] {
  const warnings: string[] = [];
  if (!manifest) return warnings;
  for (const entry of selectedDatabases(manifest.databases, selectors)) {
    const live = join(target, stagedRelativePath(entry.source));
    const running = existsSync(`${live}-shm`)
      ? ` Its ${live}-shm exists: the application may be running right now.`
      : '';
    const warning = `restoring over the live database ${live}: STOP the application that uses it first; a running application keeps writing to the file it has open and loses or corrupts data. Its -wal, -shm and -journal files belong to the old file and are removed after the extraction.${running}`;
    logger.warn({ db: live }, warning);
    warnings.push(warning);
  }
  return warnings;
}

/**
 * Given the archive listing, the members the extraction names (null = all) and the target (`/`),
 * returns the live files it would replace that look in use: SQLite keeps a `-shm` beside a WAL
 * database for as long as a connection has it open (and a crash leaves one behind).
 * Example: `filesInUse(['srv/', 'srv/app.db'], ['srv'], '/')` → `['/srv/app.db']` while /srv/app.db-shm exists.
 */
function filesInUse(listing: readonly string[], members: readonly string[] | null, target: string): string[] {
  const inUse: string[] = [];
  for (const member of listing) {
    if (member.endsWith('/') || (members !== null && !isSelected(member, members))) continue;
    const live = join(target, member);
    if (existsNoFollow(`${live}-shm`)) inUse.push(live);
  }
  return inUse;
}

/** Given the live files that look in use, returns the refusal: what, why, and the way out. */
function inUseError(inUse: readonly string[]): UserError {
  const one = inUse.length === 1;
  const files = inUse.join(', ');
  const shm = inUse.map((file) => `${file}-shm`).join(', ');
  return new UserError(
    `not restoring over ${files}: ${one ? 'it looks' : 'they look'} in use by a running application (${shm} ${one ? 'exists' : 'exist'}): stop it first (e.g. systemctl stop ghost), then restore again; --force restores anyway (also when a crash left the -shm behind)`,
  );
}

/**
 * Given the config, the archive, an existing target directory, the selected members (none =
 * everything) and whether to force past an application that looks alive (`--to /` only),
 * extracts them and checks the restored databases and Git repositories; returns the summary.
 */
export async function restoreArchive(
  config: Config,
  spec: ArchiveSpec,
  target: string,
  selectors: readonly string[],
  deps: RestoreDeps,
  options: { force?: boolean } = {},
): Promise<RestoreSummary> {
  const common = tarsnapCommon(config);
  const archive = await resolveArchiveName(config, spec, deps.tarsnap);
  const listing = parseContentsListing(
    (await deps.tarsnap.run(buildContentsArgs(common, archive, { nullOutput: true }))).stdout,
  );
  const toRoot = deps.isRoot(target);
  const plan = planRestore(listing, selectors, { toRoot, manifestMember: MANIFEST_FILE });
  if (plan.missing.length > 0) {
    throw new UsageError(
      `not in archive ${archive}: ${plan.missing.map((member) => `/${member}`).join(', ')}; see what it holds with: tarsnap -t --keyfile ${shellQuote(common.keyfile)} -f ${shellQuote(archive)}`,
    );
  }
  if (toRoot && !options.force) {
    // Before a byte is extracted: a running application keeps writing to the file it has open,
    // and the restored file under it is lost or corrupted.
    const inUse = filesInUse(listing, plan.members, target);
    if (inUse.length > 0) throw inUseError(inUse);
  }

  let manifestPath: string | null = null;
  let manifest: ArchiveManifest | undefined;
  if (plan.manifest === 'separate') {
    // Never litter / with .hotsnap/: the manifest goes to a private directory that is kept.
    const dir = deps.makePrivateDir();
    const extract = buildExtractArgs(common, archive, { to: dir, members: [MANIFEST_FILE] });
    // --fast-read (-q): stop at the manifest, which comes before the walked paths in the archive.
    await deps.tarsnap.run({ ...extract, argv: [extract.argv[0]!, '-q', ...extract.argv.slice(1)] });
    manifestPath = join(dir, MANIFEST_FILE);
    manifest = readManifest(manifestPath);
  }
  const warnings = toRoot ? warnInPlace(manifest, selectors, target, deps.logger) : [];

  deps.logger.info({ archive, to: target, files: plan.files }, 'restoring');
  if (plan.members === null || plan.members.length > 0) {
    // Progress against the archive's size when restoring all of it; a selection shows bytes and rate.
    const total =
      plan.members === null ? await archiveTotalBytes(deps.tarsnap, common, archive, deps.logger) : undefined;
    const progress = createRestoreProgress(target, { total, terminal: deps.terminal ?? false, logger: deps.logger });
    await deps.tarsnap.run(
      buildExtractArgs(common, archive, {
        to: target,
        verbose: true,
        ...(plan.members ? { members: plan.members } : {}),
      }),
      { progress },
    );
  }
  if (plan.manifest === 'inline') {
    manifestPath = join(target, MANIFEST_FILE);
    manifest = readManifest(manifestPath);
  }
  const databases = manifest ? await checkRestoredTree(target, manifest, selectors, deps.logger) : [];
  const repositories = manifest ? await checkRestoredRepositories(target, manifest, selectors, deps.logger) : [];
  return {
    archive,
    target,
    files: plan.files,
    manifest: manifestPath,
    databases,
    repositories,
    warnings,
    ok: allVerified(databases) && repositories.every((check) => check.status === 'ok'),
  };
}

/**
 * Given the context, ARCHIVE, the PATHs and options, restores; exit 0 when every restored
 * database and repository verified, 1 otherwise (also when `--to /` would replace a file that looks in use and
 * there is no --force), 2 for usage errors (no --to, a --to without its parent, a bad PATH).
 * Example: `restoreCommand(ctx, 'latest:daily', ['/srv/ghost'], { to: '/var/tmp/r' })`.
 */
export async function restoreCommand(
  context: Context,
  archiveArgument: string,
  paths: readonly string[],
  options: RestoreOptions,
  overrides: Partial<RestoreDeps> = {},
): Promise<CommandResult> {
  const target = checkRestoreTarget(options.to);
  const usage = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const selectors = paths.map((path) => usage(() => memberForPath(path)));
  const spec = usage(() => parseArchiveSpec(archiveArgument));
  const config = await context.loadConfig();
  const deps: RestoreDeps = {
    // Someone is waiting: one short retry, not tarsnap.retries (retryPolicyFor).
    tarsnap: tarsnapRunnerFor(config, context, { kind: 'looking' }),
    logger: context.logger,
    terminal: process.stderr.isTTY === true,
    makePrivateDir: () => mkdtempSync(join(tmpdir(), 'hotsnap-restore-')),
    isRoot: (dir) => realpathSync(dir) === '/',
    ...overrides,
  };
  // Made only once every argument checked out, and removed again when nothing was restored into it.
  const created = createRestoreTarget(target, deps.logger);
  let summary: RestoreSummary;
  try {
    summary = await restoreArchive(config, spec, target.path, selectors, deps, { force: options.force === true });
  } catch (error) {
    if (created) removeIfEmpty(target.path);
    throw error;
  }
  const stdout = options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatRestoreSummary(summary);
  return { exitCode: summary.ok ? ExitCode.ok : ExitCode.failed, stdout };
}
