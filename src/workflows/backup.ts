/**
 * One profile's backup: open its stage area → stage every source (hot copies, Git captures) →
 * manifest → tarsnap -c → confirm → settle the kept snapshot or remove the stage. Returns what
 * happened; never throws for an expected failure (the summary carries it), so one failed profile
 * doesn't stop the others.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatArchiveName } from '../core/archive-name.js';
import {
  FAILED_SECTION,
  MANIFEST_DIR,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type ArchiveManifest,
  type ManifestEntry,
} from '../core/manifest.js';
import { stagedRelativePath } from '../core/paths.js';
import type { PrintStats } from '../core/tarsnap-output.js';
import type { ProfileSummary } from '../core/summary.js';
import { transferCost } from '../core/cost.js';
import type { Config, Profile } from '../config/resolve.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import { describeError, systemErrorAsUserError } from '../errors.js';
import type { Logger } from '../log.js';
import { INCOMING_DIR, type StageArea } from '../adapters/stage-area.js';
import { TarsnapError, type TarsnapRunner } from '../adapters/tarsnap.js';
import type { AnySource } from '../sources/index.js';
import { createArchive, explainFailedCreate, listNames, type CreateContext } from './backup-create.js';
import { describeFailures } from './backup-failures.js';
import { stagedEntries, stageSources, type KindResult } from './stage-sources.js';

export interface BackupDeps {
  sources: readonly AnySource[];
  /** Opens the profile's stage area: the kept snapshot, or a throwaway one (dry run, keep_snapshot: false). */
  openStage: (config: Config, profile: Profile, options: { dryRun: boolean }) => StageArea;
  tarsnap: TarsnapRunner;
  now: () => Date;
  logger: Logger;
  version: string;
}

export interface BackupOutcome {
  summary: ProfileSummary;
  /** The archive that was stored complete (absent on failure or dry-run). */
  archive?: string;
  stats?: PrintStats;
}

/** Given the staging results, returns the manifest (its archive name is filled in when written). */
function buildManifest(
  config: Config,
  profile: Profile,
  results: readonly KindResult[],
  started: Date,
  version: string,
): ArchiveManifest {
  const manifest: ArchiveManifest = {
    format: MANIFEST_FORMAT,
    hotsnap_version: version,
    profile: profile.name,
    hostname: config.hostname,
    archive: '',
    created: started.toISOString(),
    databases: [],
    failed_databases: [],
    repositories: [],
    failed_repositories: [],
    paths: profile.paths,
    exclude: profile.exclude,
  };
  for (const result of results) {
    const section = result.source.section;
    (manifest[section] as unknown[]) = result.entries;
    (manifest[FAILED_SECTION[section]] as unknown[]) = result.failed;
  }
  return manifest;
}

/** Writes the manifest into the stage by rename, so the kept snapshot never holds half of one. */
function writeManifest(config: Config, area: StageArea, manifest: ArchiveManifest): void {
  try {
    mkdirSync(join(area.path, MANIFEST_DIR), { recursive: true, mode: 0o700 });
    const scratch = area.kept ? join(area.path, INCOMING_DIR, 'manifest.json') : join(area.path, MANIFEST_FILE);
    writeFileSync(scratch, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    if (area.kept) renameSync(scratch, join(area.path, MANIFEST_FILE));
  } catch (error) {
    throw (
      systemErrorAsUserError(error, `cannot write the archive's manifest in staging_dir ${config.staging_dir}`) ?? error
    );
  }
}

/**
 * Given a profile, backs it up; resolves to its outcome (status ok / failed / dry-run).
 * Example: `(await backupProfile(config, profile, deps, {dryRun:false})).summary.archive` →
 * 'blog-daily-2026-11-26_03-00-00'.
 */
export async function backupProfile(
  config: Config,
  profile: Profile,
  deps: BackupDeps,
  options: { dryRun: boolean; progress: boolean },
): Promise<BackupOutcome> {
  const started = deps.now();
  const startedAt = performance.now();
  const summary: ProfileSummary = {
    profile: profile.name,
    status: 'failed',
    duration_ms: 0,
    databases: 0,
    databases_failed: 0,
    writer_block_ms: 0,
  };
  const finish = (outcome: Omit<BackupOutcome, 'summary'> = {}): BackupOutcome => {
    summary.duration_ms = Math.round(performance.now() - startedAt);
    return { summary, ...outcome };
  };
  const context: CreateContext = { tarsnap: deps.tarsnap, common: tarsnapCommon(config), logger: deps.logger };
  let area: StageArea | undefined;
  let keep: string[] | undefined;
  try {
    area = deps.openStage(config, profile, { dryRun: options.dryRun });
    const staging = { logger: deps.logger, progress: options.progress };
    const results = await stageSources(profile, area, deps.sources, staging);
    const manifest = buildManifest(config, profile, results, started, deps.version);
    const databases = manifest.databases as ManifestEntry[];
    summary.databases = databases.length;
    summary.databases_failed = manifest.failed_databases.length;
    summary.writer_block_ms = databases.reduce((sum, entry) => sum + entry.writer_block_ms, 0);
    const repositories = manifest.repositories ?? [];
    if (repositories.length > 0 || (manifest.failed_repositories ?? []).length > 0) {
      summary.repositories = repositories.length;
      summary.repositories_failed = (manifest.failed_repositories ?? []).length;
    }
    const failures = results.flatMap((result) => result.failed);

    const wanted = formatArchiveName(
      profile.archive_name,
      { hostname: config.hostname, profile: profile.name, date: started },
      profile.date_format,
    );
    const existing = options.dryRun ? [] : await listNames(context);
    const taken = new Set((existing ?? []).map((archive) => archive.name));
    const stageArea = area;
    const staged = results.flatMap((result) => result.staged);
    // Stored without a source that failed, the archive says so in its name: list, `latest` and
    // retention must never take it for a whole backup, even with only the archive list to go by.
    const incomplete = failures.length > 0;
    deps.logger.info(
      { dry_run: options.dryRun || undefined },
      options.dryRun ? 'checking with tarsnap --dry-run' : 'creating archive',
    );
    let name = '';
    let stats: PrintStats | undefined;
    try {
      const created = await createArchive(context, wanted, taken, {
        incomplete,
        renamed: (next) => {
          name = next;
          summary.archive = next;
          writeManifest(config, stageArea, { ...manifest, archive: next });
        },
        stageDir: stageArea.path,
        stagedFiles: staged,
        stagedExtra: [MANIFEST_DIR],
        paths: profile.paths,
        // Failed sources stay excluded too: a torn copy of a live file is worse than none.
        exclude: [
          ...profile.exclude,
          ...results.flatMap((result) => result.failedExcludes),
          ...deps.sources.flatMap((source) => source.extraExcludes(profile)),
        ],
        dryRun: options.dryRun,
        printStats: true,
        terminal: options.progress,
      });
      name = created.name;
      stats = created.stats;
    } catch (error) {
      if (error instanceof TarsnapError) await explainFailedCreate(context, name, error, summary);
      throw error;
    }
    // The archive holds this run's copies: the kept snapshot keeps exactly them (and failed ones' old copies).
    keep = [...stagedEntries(results), ...failures.map((failure) => stagedRelativePath(failure.source)), MANIFEST_DIR];
    if (stats) {
      summary.total_bytes = stats.thisArchive?.total;
      summary.compressed_bytes = stats.thisArchive?.compressed;
      summary.new_compressed_bytes = stats.newData?.compressed;
      if (stats.newData) summary.upload_cost_dollars = transferCost(stats.newData.compressed);
    }
    if (failures.length > 0) {
      summary.status = 'failed';
      summary.error = describeFailures(results, name);
      return finish({ stats });
    }
    summary.status = options.dryRun ? 'dry-run' : 'ok';
    if (options.dryRun) delete summary.archive;
    return finish(options.dryRun ? { stats } : { archive: name, stats });
  } catch (error) {
    // A full or read-only staging dir is the operator's to fix, not a bug: fail this profile, go on.
    const expected = systemErrorAsUserError(error, 'cannot stage the backup');
    if (!expected) throw error;
    summary.status = 'failed';
    summary.error ??= describeError(expected);
    deps.logger.error({ profile: profile.name }, `backup failed: ${describeError(expected)}`);
    return finish();
  } finally {
    if (keep) area?.finish(keep);
    else area?.remove();
  }
}
