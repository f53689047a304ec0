/**
 * The metrics that belong to the tarsnap account, not to a profile (no `profile` label): what it
 * stores and tarsnap's prices. Bytes are what Prometheus should hold (base units, measured); dollars
 * are bytes × a price tarsnap may change, so the prices are gauges of their own and cost is a query:
 * `hotsnap_account_stored_bytes * on() hotsnap_tarsnap_storage_price_dollars_per_byte_month` is the
 * monthly storage bill, `hotsnap_last_success_new_compressed_bytes * on() group_left
 * hotsnap_tarsnap_bandwidth_price_dollars_per_byte` what each profile's last upload cost.
 */
import { BANDWIDTH_PICODOLLARS_PER_BYTE, STORAGE_PICODOLLARS_PER_BYTE_MONTH } from './cost.js';
import type { ProfileMetrics } from './metrics.js';

/** One unlabelled sample with its HELP text. */
export interface AccountFamily {
  name: string;
  help: string;
  value: number;
}

/**
 * Given the profiles, returns the account's samples: the stored bytes from the newest successful
 * backup's `-c --print-stats` table, and the prices; nothing when no backup reported sizes.
 * Example: accountFamilies([{profile:'daily', last_success:{…stats:{stored_bytes: 4e9}}}])[0].value → 4e9.
 */
export function accountFamilies(profiles: readonly ProfileMetrics[]): AccountFamily[] {
  const newest = profiles
    .map((profile) => profile.last_success)
    .filter((run) => run?.stats?.stored_bytes !== undefined)
    .sort((a, b) => Date.parse(b!.finished) - Date.parse(a!.finished))[0];
  const sized = profiles.some((profile) => profile.last_success?.stats !== undefined);
  if (!sized) return [];
  const families: AccountFamily[] = [];
  if (newest)
    families.push({
      name: 'hotsnap_account_stored_bytes',
      help: 'Compressed unique data the tarsnap account stores (what storage is billed on), as of the newest successful backup.',
      value: newest.stats!.stored_bytes!,
    });
  families.push(
    {
      name: 'hotsnap_tarsnap_storage_price_dollars_per_byte_month',
      help: "tarsnap's storage price (250 picodollars per byte-month; https://www.tarsnap.com/picoUSD-why.html).",
      value: STORAGE_PICODOLLARS_PER_BYTE_MONTH / 1e12,
    },
    {
      name: 'hotsnap_tarsnap_bandwidth_price_dollars_per_byte',
      help: "tarsnap's bandwidth price, either direction (250 picodollars per byte).",
      value: BANDWIDTH_PICODOLLARS_PER_BYTE / 1e12,
    },
  );
  return families;
}
