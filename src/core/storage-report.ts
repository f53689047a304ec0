/**
 * What `hotsnap stats` says: the account's stored bytes and monthly cost, and per profile the sum of
 * its archives' sizes. Per profile, "unique" is a lower bound of what the profile alone holds: data
 * shared by two archives of one profile (the usual case, by deduplication) is in neither's unique
 * figure, and data shared with another profile belongs to no profile.
 */
import type { AccountStats } from './archive-stats.js';
import { formatDollars, monthlyStorageCost } from './cost.js';
import { formatBytes } from './summary.js';

/** One profile's archives, summed. */
export interface ProfileStorage {
  profile: string;
  archives: number;
  /** Sums over its archives: before deduplication and compression, and compressed. */
  total_bytes: number;
  compressed_bytes: number;
  /** Sum of its archives' compressed unique data: the profile alone holds at least this. */
  unique_compressed_bytes_at_least: number;
  /** What that lower bound costs a month. */
  monthly_cost_dollars_at_least: number;
}

export interface StorageReport {
  account: {
    archives: number;
    total_bytes: number;
    compressed_bytes: number;
    /** Compressed unique data: what tarsnap bills for storage. */
    stored_bytes: number;
    monthly_cost_dollars: number;
  };
  profiles: ProfileStorage[];
  /** Archives of no profile of this config (absent when a profile list was asked for, or none). */
  other?: Omit<ProfileStorage, 'profile'>;
}

type Owned = { name: string; profile: string | null };

/** Given some archives' sizes, returns their sums. */
function sum(sizes: AccountStats['archives']): Omit<ProfileStorage, 'profile'> {
  const unique = sizes.reduce((total, archive) => total + archive.unique.compressed, 0);
  return {
    archives: sizes.length,
    total_bytes: sizes.reduce((total, archive) => total + archive.total, 0),
    compressed_bytes: sizes.reduce((total, archive) => total + archive.compressed, 0),
    unique_compressed_bytes_at_least: unique,
    monthly_cost_dollars_at_least: monthlyStorageCost(unique),
  };
}

/**
 * Given the account's statistics, each archive's owner (by name) and the profiles to show, returns
 * the report; archives of no profile are summed in `other` when `withOther`.
 * Example: planStorageReport(stats, [{name:'a', profile:'daily'}], ['daily'], true).profiles[0].archives → 1.
 */
export function planStorageReport(
  stats: AccountStats,
  owners: readonly Owned[],
  profiles: readonly string[],
  withOther: boolean,
): StorageReport {
  const ownerOf = new Map(owners.map((owner) => [owner.name, owner.profile]));
  const of = (profile: string | null) =>
    stats.archives.filter((archive) => (ownerOf.get(archive.name) ?? null) === profile);
  const stored = stats.uniqueData.compressed;
  const report: StorageReport = {
    account: {
      archives: stats.archives.length,
      total_bytes: stats.allArchives.total,
      compressed_bytes: stats.allArchives.compressed,
      stored_bytes: stored,
      monthly_cost_dollars: monthlyStorageCost(stored),
    },
    profiles: profiles.map((profile) => ({ profile, ...sum(of(profile)) })),
  };
  const other = of(null);
  if (withOther && other.length > 0) report.other = sum(other);
  return report;
}

function profileLine(label: string, entry: Omit<ProfileStorage, 'profile'>): string {
  if (entry.archives === 0) return `${label}: no archives`;
  return (
    `${label}: ${entry.archives} archive${entry.archives === 1 ? '' : 's'}, total ${formatBytes(entry.total_bytes)}, ` +
    `compressed ${formatBytes(entry.compressed_bytes)}, unique at least ${formatBytes(entry.unique_compressed_bytes_at_least)} ` +
    `(≥ ${formatDollars(entry.monthly_cost_dollars_at_least)}/month)`
  );
}

/** Given a report, returns it as text: the account (what is billed) first, then one line per profile. */
export function renderStorageReport(report: StorageReport): string {
  const { account } = report;
  const lines = [
    `account: ${formatBytes(account.stored_bytes)} stored (compressed unique data, what tarsnap bills) ≈ ${formatDollars(account.monthly_cost_dollars)}/month`,
    `  ${account.archives} archive${account.archives === 1 ? '' : 's'}: total ${formatBytes(account.total_bytes)}, compressed ${formatBytes(account.compressed_bytes)} before deduplication`,
    ...report.profiles.map((entry) => profileLine(entry.profile, entry)),
  ];
  if (report.other) lines.push(profileLine('not from any profile of this config', report.other));
  lines.push(
    'A profile\'s "unique" is a lower bound: data its archives share with each other or with other profiles is in',
    "no archive's unique figure; the account line is what you pay for (250 picodollars per byte-month).",
  );
  return `${lines.join('\n')}\n`;
}
