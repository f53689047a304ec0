/**
 * What tarsnap charges, in dollars. Prices (checked 2026-12-06 in the stored copy of tarsnap.com):
 * - http://www.tarsnap.com/picoUSD-why.html: prices are "defined in terms of picodollars ($10^-12)
 *   per byte", storage "250 picodollars ($250 × 10^-12) / byte-month"; accounting is in attodollars,
 *   rounded in the user's favour (https://tarsnap.com/utility.html: "You pay for what you use").
 * - bandwidth: 250 picodollars per byte, both directions, as issue 10 states; no stored page checked
 *   that day quotes the bandwidth price itself: check https://www.tarsnap.com/pricing.html.
 * Which bytes are billed: storage = the compressed column of "All archives" "(unique data)" in
 * `--print-stats` (deduplicated, compressed, with tarsnap's per-chunk overhead); an upload = the
 * compressed column of "New data" in `-c --print-stats`; a download = the compressed size of what
 * is read ("This archive" compressed for a whole extract). Protocol overhead is billed too, so these
 * are slight underestimates.
 */

/** Storage price: picodollars per byte per month. */
export const STORAGE_PICODOLLARS_PER_BYTE_MONTH = 250;
/** Bandwidth price: picodollars per byte sent or received. */
export const BANDWIDTH_PICODOLLARS_PER_BYTE = 250;
/** Where the prices come from, for --json and metrics HELP. */
export const PRICES_SOURCE = 'https://www.tarsnap.com/picoUSD-why.html (checked 2026-12-06)';

/** Picodollars (an exact integer for any real byte count) to dollars. */
const dollars = (picodollars: number): number => picodollars / 1e12;

/** Given bytes stored (compressed unique data), returns dollars per month: 4e9 → 1. */
export function monthlyStorageCost(bytes: number): number {
  return dollars(bytes * STORAGE_PICODOLLARS_PER_BYTE_MONTH);
}

/** Given bytes uploaded or downloaded (compressed), returns dollars: 4e9 → 1. */
export function transferCost(bytes: number): number {
  return dollars(bytes * BANDWIDTH_PICODOLLARS_PER_BYTE);
}

/** Given a whole number as a string, returns it with thousands separators: "1234567" → "1,234,567". */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Given dollars, returns them as people read them: cents from a cent up ("$0.25", "$12.40",
 * "$1,234.50"), two significant digits below ("$0.000012", "$0.0078"), "<$0.000001" for less, "$0"
 * for nothing.
 */
export function formatDollars(amount: number): string {
  if (amount < 0) return `-${formatDollars(-amount)}`;
  if (amount === 0) return '$0';
  if (amount < 0.000001) return '<$0.000001';
  // toPrecision stays in fixed notation down to 1e-6; rounding up to a cent moves to the cents form.
  if (amount < 0.01 && Number(amount.toPrecision(2)) < 0.01) return `$${amount.toPrecision(2)}`;
  const [whole, cents] = amount.toFixed(2).split('.') as [string, string];
  return `$${groupThousands(whole)}.${cents}`;
}
