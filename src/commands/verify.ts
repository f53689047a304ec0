/**
 * `hotsnap verify [PROFILE...]`, the restore drill: each profile's newest complete archive is
 * restored whole into a private directory under staging_dir, its databases are checked against
 * the manifest (SHA-256, integrity_check), its Git repositories with git fsck, and its configured
 * paths looked for; the verdict goes to stdout and the profile's state file. The directory is
 * removed at the end, whatever happens.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config, Profile } from '../config/resolve.js';
import type { Context } from '../context.js';
import { describeError, ExitCode, UserError } from '../errors.js';
import { now } from '../clock.js';
import type { ArchiveInfo } from '../core/archives.js';
import { shortRepositoryVerdict } from '../core/repository-report.js';
import {
  formatVerifySummary,
  shortDatabaseVerdict,
  type DatabaseCheck,
  type VerifySummary,
} from '../core/restore-report.js';
import { pickLatestArchive } from '../core/restore.js';
import { formatBytes } from '../core/summary.js';
import { buildExtractArgs, buildStatsArgs } from '../core/tarsnap-args.js';
import { parsePrintStats, type SizePair } from '../core/tarsnap-output.js';
import { formatDollars, transferCost } from '../core/cost.js';
import type { Logger } from '../log.js';
import { MANIFEST_FILE } from '../core/manifest.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import {
  checkRestoredRepositories,
  checkRestoredTree,
  missingPaths,
  readManifest,
} from '../adapters/restored-check.js';
import { freeBytes, type FreeSpaceProbe } from '../adapters/sqlite/space.js';
import { createStagingDir, type StagingDir } from '../adapters/staging.js';
import { removeLeftovers } from '../adapters/staging-sweep.js';
import { updateProfileState } from '../adapters/state.js';
import type { TarsnapRunner } from '../adapters/tarsnap.js';
import { createRestoreProgress } from '../adapters/tarsnap-progress.js';
import { tarsnapRunnerFor } from './common.js';
import { selectProfiles } from './select-profiles.js';
import { listArchives } from '../workflows/list.js';
import type { CommandResult } from './result.js';

export interface VerifyDeps {
  tarsnap: TarsnapRunner;
  logger: Logger;
  now: () => Date;
  freeBytes: FreeSpaceProbe;
  createStagingDir: (parent: string, profile: string) => StagingDir;
  /** Draw the extraction's progress on stderr (a terminal); else log it every few minutes. */
  terminal?: boolean;
}

/** Room for SQLite's -shm and -wal while the check runs, beyond the archive's own bytes. */
const SPACE_MARGIN_BYTES = 16 * 1024 * 1024;

/**
 * Given an archive, returns its total (restored) and compressed (downloaded) sizes from `--print-stats -f`,
 * which reads only metadata; undefined when tarsnap cannot say (e.g. no cache directory on this machine).
 */
async function archiveBytes(config: Config, archive: string, deps: VerifyDeps): Promise<SizePair | undefined> {
  const stats = buildStatsArgs(tarsnapCommon(config));
  try {
    const result = await deps.tarsnap.run(
      { ...stats, argv: [...stats.argv, '-f', archive], summary: `print the size of archive ${archive}` },
      { retry: false },
    );
    return parsePrintStats(result.stdout).thisArchive;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    deps.logger.warn(
      `cannot learn the size of ${archive} before restoring it (${describeError(error).split('\n')[0]}); going ahead without a free-space check`,
    );
    return undefined;
  }
}

/**
 * Given the archive and the stage, throws a UserError when the stage's file system cannot hold it;
 * returns the archive's sizes when tarsnap told them (the compressed one is what the drill downloads).
 */
async function assertRoom(
  config: Config,
  archive: string,
  stage: StagingDir,
  deps: VerifyDeps,
): Promise<SizePair | undefined> {
  const sizes = await archiveBytes(config, archive, deps);
  if (sizes === undefined) return undefined;
  const needed = sizes.total;
  const free = await deps.freeBytes(stage.path);
  if (free < needed + SPACE_MARGIN_BYTES) {
    throw new UserError(
      `staging_dir ${config.staging_dir} has ${formatBytes(free)} free, but restoring ${archive} needs about ${formatBytes(needed + SPACE_MARGIN_BYTES)}: free some space there, or set staging_dir to a larger file system`,
    );
  }
  return sizes;
}

/** Given the configured databases and the manifest's, returns checks for those the archive never held. */
function unlistedDatabases(profile: Profile, seen: readonly DatabaseCheck[]): DatabaseCheck[] {
  const known = new Set(seen.map((check) => check.source));
  return profile.sqlite
    .filter((source) => !known.has(source))
    .map((source) => ({
      source,
      status: 'not-in-archive' as const,
      detail:
        'the config lists it, but this archive was made without it (added to the config since?); the next run includes it',
    }));
}

/** Given a profile (and why), returns its verify summary as failed with nothing checked yet. */
function failedVerify(profile: string, error?: string): VerifySummary {
  return {
    profile,
    status: 'failed',
    duration_ms: 0,
    databases: [],
    repositories: [],
    missing_paths: [],
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * Given a profile and every listed archive, restores its newest complete archive into a private
 * directory and checks it; returns the verdict (never throws for an expected failure).
 */
export async function verifyProfile(
  config: Config,
  profile: Profile,
  archives: readonly ArchiveInfo[],
  deps: VerifyDeps,
): Promise<VerifySummary> {
  const startedAt = performance.now();
  const summary = failedVerify(profile.name);
  const latest = pickLatestArchive(archives, profile.name);
  let stage: StagingDir | undefined;
  try {
    if (!latest)
      throw new UserError(
        `profile ${profile.name} has no complete archive yet: nothing to verify; run "hotsnap run ${profile.name}" first`,
      );
    summary.archive = latest.name;
    try {
      stage = deps.createStagingDir(config.staging_dir, `verify-${profile.name}`);
    } catch (error) {
      // Its message already says what to do (create staging_dir, or run as a user who can write it).
      throw new UserError(describeError(error), ExitCode.failed, { cause: error });
    }
    const sizes = await assertRoom(config, latest.name, stage, deps);
    if (sizes) {
      // A drill is a whole download: say what it costs before it starts (info: it is expected, not a problem).
      summary.download = { compressed_bytes: sizes.compressed, cost_dollars: transferCost(sizes.compressed) };
      deps.logger.info(
        { profile: profile.name, archive: latest.name },
        `restore drill downloads about ${formatBytes(sizes.compressed)} (≈ ${formatDollars(summary.download.cost_dollars)} at tarsnap's 250 picodollars per byte)`,
      );
    }
    deps.logger.info(
      { profile: profile.name, archive: latest.name, into: stage.path },
      'restore drill: extracting the whole archive',
    );
    await deps.tarsnap.run(buildExtractArgs(tarsnapCommon(config), latest.name, { to: stage.path, verbose: true }), {
      progress: createRestoreProgress(stage.path, {
        total: sizes?.total,
        terminal: deps.terminal ?? false,
        logger: deps.logger,
      }),
    });
    const manifestFile = join(stage.path, MANIFEST_FILE);
    if (!existsSync(manifestFile)) {
      throw new UserError(
        `archive ${latest.name} holds no ${MANIFEST_FILE}, so its databases cannot be checked (not made by "hotsnap run"? an adopted legacy archive?); the drill passes once hotsnap has made an archive of this profile`,
      );
    }
    const manifest = readManifest(manifestFile);
    const checks = await checkRestoredTree(stage.path, manifest, [], deps.logger);
    summary.databases = [...checks, ...unlistedDatabases(profile, checks)];
    const repositories = await checkRestoredRepositories(stage.path, manifest, [], deps.logger);
    summary.repositories = repositories;
    summary.paths_checked = profile.paths.length;
    summary.missing_paths = missingPaths(stage.path, profile.paths);
    const problems = [
      ...summary.databases.filter((check) => check.status !== 'ok').map(shortDatabaseVerdict),
      ...repositories.filter((check) => check.status !== 'ok').map(shortRepositoryVerdict),
    ];
    if (summary.missing_paths.length > 0)
      problems.push(
        `configured path${summary.missing_paths.length === 1 ? '' : 's'} not in the archive: ${summary.missing_paths.join(', ')}`,
      );
    if (problems.length === 0) summary.status = 'ok';
    else summary.error = problems.join('; ');
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    summary.error = describeError(error);
    deps.logger.error({ profile: profile.name }, `restore drill failed: ${summary.error}`);
  } finally {
    stage?.remove();
    summary.duration_ms = Math.round(performance.now() - startedAt);
  }
  return summary;
}

/**
 * Given the context and profile names (all when none), runs the drill for each; exit 0 when every
 * profile verified, 1 otherwise.
 * Example: `verifyCommand(ctx, ['daily'], {})` → `{ exitCode: 0, stdout: 'daily: ok  …' }`.
 */
export async function verifyCommand(
  context: Context,
  names: readonly string[],
  options: { json?: boolean },
  overrides: Partial<VerifyDeps> = {},
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names);
  const deps: VerifyDeps = {
    tarsnap: tarsnapRunnerFor(config, context),
    logger: context.logger,
    now,
    freeBytes,
    createStagingDir,
    terminal: process.stderr.isTTY === true,
    ...overrides,
  };
  // Only stages of our own uid whose run is gone; never throws, so a stuck leftover never stops the drill.
  removeLeftovers(config.staging_dir, deps.logger);
  let archives: ArchiveInfo[] | undefined;
  let listError: string | undefined;
  try {
    archives = await listArchives(config, deps.tarsnap);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // Still a verdict per profile: monitoring reads last_verify, and "could not verify" is one.
    listError = `cannot list archives: ${describeError(error)}`;
    deps.logger.error(`restore drill failed: ${listError}`);
  }
  const summaries: VerifySummary[] = [];
  for (const profile of profiles) {
    const time = deps.now();
    const summary: VerifySummary = archives
      ? await verifyProfile(config, profile, archives, deps)
      : failedVerify(profile.name, listError);
    const databasesOk = summary.databases.filter((check) => check.status === 'ok').length;
    updateProfileState(config.state_dir, profile.name, {
      last_verify: {
        time: time.toISOString(),
        status: summary.status,
        ...(summary.archive ? { archive: summary.archive } : {}),
        ...(summary.error ? { error: summary.error } : {}),
        databases: databasesOk,
      },
    });
    summaries.push(summary);
  }
  const failed = summaries.some((summary) => summary.status === 'failed');
  const stdout = options.json
    ? `${JSON.stringify({ profiles: summaries }, null, 2)}\n`
    : `${summaries.map(formatVerifySummary).join('\n')}\n`;
  return { exitCode: failed ? ExitCode.failed : ExitCode.ok, stdout };
}
