/**
 * One profile's backup: stage → hot-copy each database → manifest → tarsnap -c → confirm →
 * clean up. Returns what happened; never throws for an expected failure (the summary carries it),
 * so one failed profile doesn't stop the others.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chooseArchiveName, formatArchiveName } from './core/archive-name.js';
import { MANIFEST_DIR, MANIFEST_FILE, type ArchiveManifest, type ManifestEntry } from './core/manifest.js';
import { liveDatabaseExcludes } from './core/paths.js';
import { buildCreateArgs, type TarsnapCommon } from './core/tarsnap-args.js';
import { parsePrintStats, type ListedArchive, type PrintStats } from './core/tarsnap-output.js';
import type { ProfileSummary } from './core/summary.js';
import type { Config, Profile } from './config/resolve.js';
import { describeError, systemErrorAsUserError } from './errors.js';
import type { Logger } from './log.js';
import { listStoredArchives } from './adapters/archive-list.js';
import type { HotCopyOptions } from './adapters/sqlite/hot-copy.js';
import type { StagingDir } from './adapters/staging.js';
import { TarsnapError, type TarsnapRunner } from './adapters/tarsnap.js';

export interface PipelineDeps {
  hotCopy: (source: string, dest: string, options: HotCopyOptions) => Promise<ManifestEntry>;
  createStagingDir: (parent: string, profile: string) => StagingDir;
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

/** Given the config, returns the options every tarsnap call shares. */
export function tarsnapCommon(config: Config): TarsnapCommon {
  return {
    keyfile: config.tarsnap.keyfile,
    cachedir: config.tarsnap.cachedir,
    extraArgs: config.tarsnap.extra_args,
    ...(config.tarsnap.passphrase ? { passphrase: config.tarsnap.passphrase } : {}),
  };
}

/** Lists archive names; undefined when this key cannot list (write-only), so creation can go on. */
async function listNames(config: Config, deps: PipelineDeps): Promise<ListedArchive[] | undefined> {
  try {
    return await listStoredArchives(deps.tarsnap, tarsnapCommon(config), 0);
  } catch (error) {
    if (error instanceof TarsnapError && error.failure.kind === 'write-only-key') {
      deps.logger.warn('this key cannot list archives (write-only); the archive name is not checked for collisions');
      return undefined;
    }
    throw error;
  }
}

async function stageDatabases(profile: Profile, stage: StagingDir, deps: PipelineDeps, options: { progress: boolean }) {
  const databases: ManifestEntry[] = [];
  const failed: { source: string; error: string }[] = [];
  for (const source of profile.sqlite) {
    const dest = stage.placeFor(source);
    try {
      mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
      const entry = await deps.hotCopy(source, dest, {
        method: profile.hot_copy.method,
        verify: profile.hot_copy.verify,
        busyTimeoutMs: profile.hot_copy.busy_timeout_ms,
        copyTimeoutMs: profile.hot_copy.copy_timeout_ms,
        durable: false,
        logger: deps.logger,
        progress: options.progress,
      });
      databases.push(entry);
      deps.logger.info(
        {
          db: source,
          method: entry.method,
          bytes: entry.size,
          copy_ms: Math.round(entry.copy_ms),
          verify_ms: Math.round(entry.verify_ms),
          writer_block_ms: Math.round(entry.writer_block_ms),
        },
        'hot-copied database',
      );
    } catch (error) {
      const expected = systemErrorAsUserError(error);
      if (!expected) throw error;
      failed.push({ source, error: expected.message });
      deps.logger.error({ db: source }, `cannot hot-copy database: ${expected.message}`);
    }
  }
  return { databases, failed };
}

/**
 * Given a profile, backs it up; resolves to its outcome (status ok / failed / dry-run).
 * Example: `(await backupProfile(config, profile, deps, {dryRun:false})).summary.archive` →
 * 'blog-daily-2026-11-26_03-00-00'.
 */
export async function backupProfile(
  config: Config,
  profile: Profile,
  deps: PipelineDeps,
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
  let stage: StagingDir | undefined;
  try {
    stage = deps.createStagingDir(config.staging_dir, profile.name);
    const { databases, failed } = await stageDatabases(profile, stage, deps, options);
    summary.databases = databases.length;
    summary.databases_failed = failed.length;
    summary.writer_block_ms = databases.reduce((sum, entry) => sum + entry.writer_block_ms, 0);

    const wanted = formatArchiveName(
      profile.archive_name,
      { hostname: config.hostname, profile: profile.name, date: started },
      profile.date_format,
    );
    const existing = options.dryRun ? [] : await listNames(config, deps);
    const taken = new Set((existing ?? []).map((archive) => archive.name));
    // Stored without a database, the archive says so in its name: list, `latest` and retention
    // must never take it for a whole backup, even with only the archive list to go by.
    const incomplete = failed.length > 0;
    let name = chooseArchiveName(wanted, taken, { incomplete });
    summary.archive = name;

    const manifest: ArchiveManifest = {
      format: 1,
      hotsnap_version: deps.version,
      profile: profile.name,
      hostname: config.hostname,
      archive: name,
      created: started.toISOString(),
      databases,
      failed_databases: failed,
      paths: profile.paths,
      exclude: profile.exclude,
    };
    const writeManifest = () => {
      try {
        writeFileSync(
          join(stage!.path, MANIFEST_FILE),
          `${JSON.stringify({ ...manifest, archive: name }, null, 2)}\n`,
          { mode: 0o600 },
        );
      } catch (error) {
        throw (
          systemErrorAsUserError(error, `cannot write the archive's manifest in staging_dir ${config.staging_dir}`) ??
          error
        );
      }
    };
    mkdirSync(join(stage.path, MANIFEST_DIR), { mode: 0o700 });
    writeManifest();

    const create = (archiveName: string) =>
      buildCreateArgs(tarsnapCommon(config), {
        name: archiveName,
        stageDir: stage!.path,
        stagedFiles: databases.map((db) => ({ source: db.source })),
        stagedExtra: [MANIFEST_DIR],
        paths: profile.paths,
        // Failed databases stay excluded too: a torn copy of a live file is worse than none. A
        // database named through a symlink is also excluded at its real path, where a walk of
        // `paths` would otherwise find the live file.
        exclude: [
          ...profile.exclude,
          ...failed.flatMap((db) => liveDatabaseExcludes(db.source)),
          ...profile.sqlite.flatMap((source) => realPathExcludes(source)),
        ],
        dryRun: options.dryRun,
        printStats: true,
      });

    deps.logger.info(
      { archive: name, dry_run: options.dryRun || undefined },
      options.dryRun ? 'checking with tarsnap --dry-run' : 'creating archive',
    );
    let stats: PrintStats | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await deps.tarsnap.run(create(name));
        stats = parseStatsQuietly(result.stderr, deps.logger);
        break;
      } catch (error) {
        if (!(error instanceof TarsnapError)) throw error;
        if (error.failure.kind === 'archive-exists' && attempt < 5) {
          // Someone made this name between our list and our create (or the key can't list): next suffix.
          taken.add(name);
          name = chooseArchiveName(wanted, taken, { incomplete });
          summary.archive = name;
          writeManifest();
          continue;
        }
        await explainFailedCreate(config, name, error, deps, summary);
        throw error;
      }
    }
    if (stats) {
      summary.total_bytes = stats.thisArchive?.total;
      summary.compressed_bytes = stats.thisArchive?.compressed;
      summary.new_compressed_bytes = stats.newData?.compressed;
    }
    if (failed.length > 0) {
      summary.status = 'failed';
      summary.error = `${failed.length} database${failed.length === 1 ? '' : 's'} could not be copied (archive ${name} was stored without ${failed.length === 1 ? 'it' : 'them'}, marked incomplete: never counted as a backup): ${failed[0]!.error}`;
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
    stage?.remove();
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

/** Given a database path, returns the excludes for its real path when a symlink leads there. */
function realPathExcludes(source: string): string[] {
  try {
    const real = realpathSync(source);
    return real === source ? [] : liveDatabaseExcludes(real);
  } catch {
    return [];
  }
}

/** After a failed create, lists again to learn whether NAME or NAME.part was stored, and says so. */
async function explainFailedCreate(
  config: Config,
  name: string,
  error: TarsnapError,
  deps: PipelineDeps,
  summary: ProfileSummary,
): Promise<void> {
  let listed: ListedArchive[] | undefined;
  try {
    listed = await listNames(config, deps);
  } catch (listError) {
    deps.logger.warn(`cannot list archives to see what the failed create stored: ${describeError(listError)}`);
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
