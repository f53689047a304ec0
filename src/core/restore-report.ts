/**
 * What `restore` and `verify` found about each restored database, and the words they print.
 * snake_case fields: these objects are `--json` output.
 */
import { formatRepositoryCheck, repositoriesVerdict, type RepositoryCheck } from './repository-report.js';
import { shellQuote } from './shell-quote.js';

/**
 * ok: SHA-256 equals the manifest's and integrity_check passed; mismatch: the bytes differ from
 * what was backed up; integrity-failed: same bytes or not, SQLite finds the file damaged;
 * missing: the manifest lists it but extraction did not produce it; not-in-archive: the archive
 * never held it (its hot copy failed at backup time, or the config gained it since); unsafe: its
 * path in the restored tree leads through a symlink (or is odd), so it was neither touched nor checked.
 */
export type DatabaseStatus = 'ok' | 'mismatch' | 'integrity-failed' | 'missing' | 'not-in-archive' | 'unsafe';

export interface DatabaseCheck {
  /** The live path at backup time. */
  source: string;
  /** Where the restored copy is. */
  restored_to?: string;
  status: DatabaseStatus;
  expected_sha256?: string;
  sha256?: string;
  /** integrity_check's problem lines ([] when it said "ok"). */
  integrity?: string[];
  /** Stale `-wal`/`-shm`/`-journal` files removed beside the restored copy. */
  removed?: string[];
  detail?: string;
  /** Owner, group and mode the manifest recorded for the copy (absent in older manifests). */
  expected_owner?: FileOwner;
  /** Owner, group and mode of the restored file. */
  owner?: FileOwner;
  /** Whether the restore ran as root: tarsnap gives files their owners back only then. */
  restored_by_root?: boolean;
}

/** A file's owner, group (ids, and names where this machine knows them) and mode ("0640"). */
export interface FileOwner {
  uid: number;
  gid: number;
  user: string;
  group: string;
  mode: string;
}

function showOwner(owner: FileOwner): string {
  return `${owner.user}:${owner.group} ${owner.mode}`;
}

/**
 * Given one database's check, returns what `restore` says about the restored file's owner and
 * mode ('' when either side is unknown, as with manifests older than the owner fields).
 * Example: restored alice:alice 0640 of nobody:nogroup 0640 as alice →
 * "owner alice:alice 0640, backed up as nobody:nogroup 0640: tarsnap gives files their owners back only when run as
 * root; run chown nobody:nogroup /r/srv/a.db before the application opens it".
 */
export function formatOwnerCheck(check: DatabaseCheck): string {
  const { expected_owner: expected, owner } = check;
  if (!expected || !owner) return '';
  const ownerDiffers = owner.uid !== expected.uid || owner.gid !== expected.gid;
  if (!ownerDiffers && owner.mode === expected.mode) return `owner ${showOwner(owner)}, as backed up`;
  const path = shellQuote(check.restored_to ?? check.source);
  const fixes = [
    ...(ownerDiffers ? [`chown ${expected.user}:${expected.group} ${path}`] : []),
    ...(owner.mode !== expected.mode ? [`chmod ${expected.mode} ${path}`] : []),
  ];
  const why =
    ownerDiffers && check.restored_by_root === false
      ? ': tarsnap gives files their owners back only when run as root'
      : '';
  return `owner ${showOwner(owner)}, backed up as ${showOwner(expected)}${why}; run ${fixes.join(' && ')} before the application opens it`;
}

const QUOTED_PROBLEMS = 3;

function short(hash: string | undefined): string {
  return hash === undefined ? '(none)' : `${hash.slice(0, 16)}…`;
}

function integrityText(problems: readonly string[]): string {
  const quoted = problems.slice(0, QUOTED_PROBLEMS).join('; ');
  return `integrity_check failed (${problems.length} problem${problems.length === 1 ? '' : 's'}: ${quoted}${problems.length > QUOTED_PROBLEMS ? '; …' : ''})`;
}

/**
 * Given one database's check, returns its line for people.
 * Example: `{source:'/srv/a.db', status:'ok', …}` →
 * `'/srv/a.db: verified ok (SHA-256 matches the manifest, integrity_check ok)'`.
 */
export function formatDatabaseCheck(check: DatabaseCheck): string {
  const removed = check.removed?.length ? `; removed stale ${check.removed.join(', ')}` : '';
  switch (check.status) {
    case 'ok':
      return `${check.source}: verified ok (SHA-256 matches the manifest, integrity_check ok)${removed}`;
    case 'mismatch': {
      const integrity =
        check.integrity === undefined
          ? ''
          : check.integrity.length === 0
            ? '; integrity_check ok, but these are not the bytes that were backed up'
            : `; ${integrityText(check.integrity)}`;
      return `${check.source}: MISMATCH: SHA-256 mismatch (manifest ${short(check.expected_sha256)}, restored ${short(check.sha256)})${integrity}${removed}`;
    }
    case 'integrity-failed':
      return `${check.source}: INTEGRITY FAILED: SHA-256 matches the manifest, but ${integrityText(check.integrity ?? [])}${removed}`;
    case 'missing':
      return `${check.source}: MISSING: the manifest lists it, but the extraction did not restore ${check.restored_to ?? 'it'}${check.detail ? ` (${check.detail})` : ''}`;
    case 'not-in-archive':
      return `${check.source}: NOT IN ARCHIVE: ${check.detail?.split('\n')[0] ?? 'the archive does not hold it'}`;
    case 'unsafe':
      return `${check.source}: UNSAFE, not checked: ${check.detail?.split('\n')[0] ?? 'the archive is unsafe'}`;
  }
}

const SHORT_REASONS: Record<DatabaseStatus, string> = {
  ok: 'verified ok',
  mismatch: 'SHA-256 mismatch',
  'integrity-failed': 'integrity_check failed',
  missing: 'missing after the extraction',
  'not-in-archive': 'not in the archive',
  unsafe:
    'the archive is unsafe (a symlink, hard link or odd path in it could lead outside the restored tree); not checked',
};

/** Given one database's check, returns a few words for a summary; e.g. mismatch → `'/srv/a.db: SHA-256 mismatch'`. */
export function shortDatabaseVerdict(check: DatabaseCheck): string {
  return `${check.source}: ${SHORT_REASONS[check.status]}`;
}

/** Given the checks, returns whether every database verified. Example: `[]` → true. */
export function allVerified(checks: readonly DatabaseCheck[]): boolean {
  return checks.every((check) => check.status === 'ok');
}

export interface RestoreSummary {
  archive: string;
  target: string;
  /** Regular files written (from the archive listing), hotsnap's manifest not counted. */
  files: number;
  /** Where the archive's manifest is now, or null when the archive has none. */
  manifest: string | null;
  databases: DatabaseCheck[];
  /** Each restored Git repository's check (none for format-1 manifests; restore always sets it). */
  repositories?: RepositoryCheck[];
  warnings: string[];
  ok: boolean;
}

/**
 * Given a restore's summary, returns the text printed on stdout.
 * Example: first line `'restored blog-daily-2026-11-26_03-00-00 into /tmp/r: 42 files'`.
 */
export function formatRestoreSummary(summary: RestoreSummary): string {
  const repositoryChecks = summary.repositories ?? [];
  const lines = [
    `restored ${summary.archive} into ${summary.target}: ${summary.files} file${summary.files === 1 ? '' : 's'}`,
  ];
  for (const warning of summary.warnings) lines.push(`WARNING: ${warning}`);
  lines.push(
    summary.manifest === null
      ? 'manifest: none in this archive (not made by hotsnap?), so no database was checked'
      : `manifest: ${summary.manifest}`,
  );
  for (const check of summary.databases) {
    lines.push(`  ${formatDatabaseCheck(check)}`);
    const owner = formatOwnerCheck(check);
    if (owner) lines.push(`    ${owner}`);
  }
  const failed = summary.databases.filter((check) => check.status !== 'ok').length;
  if (summary.databases.length > 0) {
    lines.push(
      failed === 0
        ? `all ${summary.databases.length} database${summary.databases.length === 1 ? '' : 's'} verified`
        : `${failed} of ${summary.databases.length} databases FAILED verification`,
    );
  } else if (summary.manifest !== null && repositoryChecks.length === 0) {
    lines.push('no database of the manifest was restored (nothing to check)');
  }
  for (const check of repositoryChecks) lines.push(`  ${formatRepositoryCheck(check)}`);
  const repositories = repositoriesVerdict(repositoryChecks);
  if (repositories !== null) lines.push(repositories);
  return `${lines.join('\n')}\n`;
}

export interface VerifySummary {
  profile: string;
  status: 'ok' | 'failed';
  archive?: string;
  duration_ms: number;
  databases: DatabaseCheck[];
  /** Each restored Git repository's check (verify always sets it). */
  repositories?: RepositoryCheck[];
  /** How many configured paths were looked for in the restored tree (absent when it never got that far). */
  paths_checked?: number;
  /** Configured paths the archive does not hold. */
  missing_paths: string[];
  error?: string;
  /** What the drill downloads (the archive's compressed size) and what that costs, when tarsnap told it. */
  download?: { compressed_bytes: number; cost_dollars: number };
}

/**
 * Given one profile's drill, returns its lines: a summary line, then one per database and repository.
 * Example: `'daily: ok  archive blog-daily-…  1 database verified, 2 paths present  0.4s'`.
 */
export function formatVerifySummary(summary: VerifySummary): string {
  const parts = [`${summary.profile}: ${summary.status === 'ok' ? 'ok' : 'FAILED'}`];
  if (summary.archive) parts.push(`archive ${summary.archive}`);
  const good = summary.databases.filter((check) => check.status === 'ok').length;
  if (summary.databases.length > 0)
    parts.push(`${good} of ${summary.databases.length} database${summary.databases.length === 1 ? '' : 's'} verified`);
  const repositoryChecks = summary.repositories ?? [];
  const repositories = repositoryChecks.length;
  const goodRepositories = repositoryChecks.filter((check) => check.status === 'ok').length;
  if (repositories > 0)
    parts.push(`${goodRepositories} of ${repositories} repositor${repositories === 1 ? 'y' : 'ies'} verified`);
  const paths = summary.paths_checked;
  if (paths !== undefined && paths > 0)
    parts.push(`${paths - summary.missing_paths.length} of ${paths} path${paths === 1 ? '' : 's'} present`);
  parts.push(`${(summary.duration_ms / 1000).toFixed(1)}s`);
  if (summary.error) parts.push(`error: ${summary.error.split('\n')[0]}`);
  const lines = [parts.join('  ')];
  for (const check of summary.databases) lines.push(`  ${formatDatabaseCheck(check)}`);
  for (const check of repositoryChecks) lines.push(`  ${formatRepositoryCheck(check)}`);
  for (const path of summary.missing_paths)
    lines.push(`  ${path}: NOT IN ARCHIVE (configured, but the archive does not hold it)`);
  return lines.join('\n');
}
