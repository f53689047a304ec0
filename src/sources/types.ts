/**
 * The one extension point for what a profile backs up besides plain `paths`: a source kind (SQLite
 * databases, Git repositories) finds its targets, stages a consistent copy of each into the
 * snapshot at the target's own absolute path, keeps the live target out of tarsnap's walk, records
 * itself in the archive's manifest, and checks a restored copy. The pipeline, `check`, `verify`,
 * `restore` and `schedule` loop over `SOURCES` (index.ts); a new kind is a new folder here.
 */
import type { Profile } from '../config/resolve.js';
import type { ManifestSectionName, SourceFailure } from '../core/manifest.js';
import type { CheckItem } from '../core/check-report.js';
import type { Logger } from '../log.js';
import type { Settled, StageArea } from '../adapters/stage-area.js';

/** What a source needs while staging. */
export interface StageContext {
  profile: Profile;
  area: StageArea;
  logger: Logger;
  /** Draw progress on a terminal. */
  progress: boolean;
}

/** One staged target: its manifest entry and what became of the kept copy. */
export interface StagedTarget<Entry> {
  entry: Entry;
  /** The live absolute path whose copy now sits at the same path in the stage (a tarsnap operand). */
  stagedPath: string;
  settled: Settled;
  /** Fields for the run log line. */
  log: Record<string, unknown>;
}

/** What `restore` and `verify` found about one restored target; each kind adds its own fields. */
export interface RestoredCheck {
  source: string;
  /** 'ok', or what went wrong ('missing', 'unsafe', 'not-in-archive' and the kind's own). */
  status: string;
  detail?: string;
}

/** How a kind checks its restored copies. */
export interface RestoredChecker<Entry> {
  /** Given a manifest entry, returns the live path its copy is archived at (a selected member must cover it). */
  archivedPath(entry: Entry): string;
  /** Given the restore root and an entry, returns how its restored copy fared; never throws for a bad archive. */
  check(root: string, entry: Entry, logger: Logger): Promise<RestoredCheck>;
}

/** A source kind. `Target` is what discovery found; `Entry` is its manifest record (snake_case). */
export interface Source<Target extends { source: string }, Entry extends { source: string }> {
  /** The config key listing this kind's paths, and the kind's name in logs. */
  kind: 'sqlite' | 'git';
  /** 'database' / 'repository': used in messages ("2 databases could not be copied"). */
  noun: string;
  nouns: string;
  /** The run log's words: its field name for a target, what a success and a failure say. */
  log: { key: string; staged: string; failed: string };
  /** Where its entries and failures live in the manifest. */
  section: ManifestSectionName;
  /** Given a profile, returns the live targets to stage (discovery), and failures for paths that hold none. */
  targets(profile: Profile, logger: Logger): Promise<{ targets: Target[]; failed: SourceFailure[] }>;
  /** Given one target, stages a consistent, verified copy; throws a UserError (or a system error) on failure. */
  stage(target: Target, context: StageContext): Promise<StagedTarget<Entry>>;
  /** Given a staged path, returns tarsnap excludes keeping its live files out of the walk of `paths`. */
  stagedExcludes(stagedPath: string): string[];
  /** Given a target whose copy failed, returns the excludes keeping its torn live files out of the archive. */
  unstagedExcludes(target: Target): string[];
  /** Checks a restored archive's copies (restore, verify); absent: the kind's entries are not checked this way. */
  restored?: RestoredChecker<Entry>;
  /** Given a profile, returns excludes needed whatever happened (e.g. a database's real path behind a symlink). */
  extraExcludes(profile: Profile): string[];
  /** Given a profile, returns the live paths a sandboxed run must be able to read (systemd units). */
  sandboxReadPaths(profile: Profile): string[];
  /** Given a profile, returns the live paths whose files a run hard-links into the stage when it can (Git objects). */
  sandboxLinkPaths?(profile: Profile): string[];
  /** Given the profiles to check and where the run stages, returns `hotsnap check` findings for this kind's paths. */
  check?(profiles: readonly Profile[], context: SourceCheckContext): Promise<CheckItem[]>;
}

/** What `hotsnap check` tells a source. */
export interface SourceCheckContext {
  stagingDir: string;
  /** The environment programs are resolved in (PATH). */
  env: NodeJS.ProcessEnv;
}
