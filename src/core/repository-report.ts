/**
 * What `restore` and `verify` found about each restored Git repository, and the words they print
 * (beside the databases: restore-report.ts). snake_case fields: these objects are `--json` output.
 */

/**
 * ok: git fsck passed, the refs are all there and HEAD is the commit the manifest recorded;
 * broken: fsck failed, a ref is missing or HEAD differs (the detail says which); missing: the
 * manifest lists it but the extraction did not produce its git dir; not-in-archive: its capture
 * failed at backup time; unsafe: a symlink, an alternates or commondir file, or an odd path could
 * lead git outside the restored tree, so it was not checked.
 */
export type RepositoryStatus = 'ok' | 'broken' | 'missing' | 'not-in-archive' | 'unsafe';

export interface RepositoryCheck {
  /** The repository as configured or found at backup time. */
  source: string;
  /** The live git dir at backup time, which the archive holds at its own path (absent for not-in-archive). */
  git_dir?: string;
  /** Where the restored git dir is. */
  restored_to?: string;
  status: RepositoryStatus;
  /** Refs in the restored copy, and in the manifest. */
  refs?: number;
  expected_refs?: number;
  /** What HEAD resolves to in the restored copy, and in the manifest. */
  head?: string | null;
  expected_head?: string | null;
  /** What broke, why it is unsafe or missing (for broken: fsck's first complaint, or the ref/HEAD difference). */
  detail?: string;
}

/** Given a commit hash, returns its short form; a symbolic target (unborn branch) as it is. */
function shortHead(head: string): string {
  return /^[0-9a-f]{40,64}$/.test(head) ? head.slice(0, 7) : head;
}

/**
 * Given one repository's check, returns its line for people.
 * Example: `{source:'/srv/git/app.git', status:'ok', refs:12, head:'8c44b29…'}` →
 * `'/srv/git/app.git: ok, 12 refs, HEAD 8c44b29'`.
 */
export function formatRepositoryCheck(check: RepositoryCheck): string {
  const first = check.detail?.split('\n')[0];
  switch (check.status) {
    case 'ok': {
      const head = check.head ? `, HEAD ${shortHead(check.head)}` : '';
      return `${check.source}: ok, ${check.refs ?? 0} ref${check.refs === 1 ? '' : 's'}${head}`;
    }
    case 'broken':
      return `${check.source}: BROKEN: ${first ?? 'git fsck failed'}`;
    case 'missing':
      return `${check.source}: MISSING: the manifest lists it, but the extraction did not restore ${check.restored_to ?? 'it'}${first ? ` (${first})` : ''}`;
    case 'not-in-archive':
      return `${check.source}: NOT IN ARCHIVE: ${first ?? 'the archive does not hold it'}`;
    case 'unsafe':
      return `${check.source}: UNSAFE, not checked: ${first ?? 'the archive is unsafe'}`;
  }
}

const SHORT_REASONS: Record<RepositoryStatus, string> = {
  ok: 'repository ok',
  broken: 'repository broken',
  missing: 'repository missing after the extraction',
  'not-in-archive': 'repository not in the archive',
  unsafe: 'the archive is unsafe (a symlink or odd path in it could lead git outside the restored tree); not checked',
};

/** Given one repository's check, returns a few words for a summary; e.g. `'/srv/git/app.git: repository broken'`. */
export function shortRepositoryVerdict(check: RepositoryCheck): string {
  return `${check.source}: ${SHORT_REASONS[check.status]}`;
}

/**
 * Given the checks, returns the closing line for people, or null when there were none.
 * Example: two ok → `'all 2 repositories verified'`.
 */
export function repositoriesVerdict(checks: readonly RepositoryCheck[]): string | null {
  if (checks.length === 0) return null;
  const failed = checks.filter((check) => check.status !== 'ok').length;
  const nouns = checks.length === 1 ? 'repository' : 'repositories';
  return failed === 0
    ? `all ${checks.length} ${nouns} verified`
    : `${failed} of ${checks.length} ${nouns} FAILED verification`;
}
