/**
 * `hotsnap check` results: one item per thing checked, rendered as readable lines or JSON, and
 * the exit code they earn. Only problems earn exit 3; warnings are printed and exit 0, so a
 * Nagios-style probe goes red only for what makes `hotsnap run` fail or exposes the key.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { shellQuote } from './shell-quote.js';

export type CheckStatus = 'ok' | 'warn' | 'problem';

/** One finding; `fix` says what to do (absent when nothing needs doing). */
export interface CheckItem {
  check: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

const LABELS: Record<CheckStatus, string> = { ok: 'ok', warn: 'warn', problem: 'PROBLEM' };
const WIDTH = Math.max(...Object.values(LABELS).map((label) => label.length));

/** Given items, returns 3 when any is a problem, else 0. Example: [{status:'warn'…}] → 0. */
export function checkExitCode(items: readonly CheckItem[]): ExitCodeValue {
  return items.some((item) => item.status === 'problem') ? ExitCode.problems : ExitCode.ok;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Given items, returns one line each (`PROBLEM keyfile: … ; run chmod 600 …`) and a summary line.
 * Example: [{check:'tarsnap', status:'ok', message:'tarsnap 1.0.41'}] →
 * "ok      tarsnap: tarsnap 1.0.41\nall 1 checks passed\n".
 */
export function renderCheckText(items: readonly CheckItem[]): string {
  const lines = items.map(
    (item) => `${LABELS[item.status].padEnd(WIDTH)} ${item.check}: ${item.message}${item.fix ? `; ${item.fix}` : ''}`,
  );
  const problems = items.filter((item) => item.status === 'problem').length;
  const warnings = items.filter((item) => item.status === 'warn').length;
  if (problems > 0) {
    lines.push(
      `${plural(problems, 'problem')}, ${plural(warnings, 'warning')}: hotsnap run will fail or the key is exposed until the problems are fixed`,
    );
  } else if (warnings > 0) {
    lines.push(
      `no problems, ${plural(warnings, 'warning')} (backups can run; the warnings say what would make them better)`,
    );
  } else {
    lines.push(`all ${plural(items.length, 'check')} passed`);
  }
  return `${lines.join('\n')}\n`;
}

/** Given items, returns them as a JSON list of {check, status, message, fix?}. */
export function renderCheckJson(items: readonly CheckItem[]): string {
  const rows = items.map(({ check, status, message, fix }) => ({ check, status, message, ...(fix ? { fix } : {}) }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * Given what a secret file is (e.g. "passphrase file"), its path and its mode, returns how exposed
 * it is: readable or writable by others is a problem, by its group a warning (as for the key file).
 * Example: judgeSecretFileMode('passphrase file', '/root/pass', 0o100644) →
 * {status: 'problem', message: 'passphrase file /root/pass is readable by others (mode 0644)',
 * fix: 'run chmod 600 /root/pass'}.
 */
export function judgeSecretFileMode(what: string, file: string, mode: number): Omit<CheckItem, 'check'> {
  const shown = `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
  const fix = `run chmod 600 ${shellQuote(file)}`;
  const access = (read: number, write: number) =>
    [mode & read ? 'readable' : '', mode & write ? 'writable' : ''].filter(Boolean).join(' and ');
  const byOthers = access(0o004, 0o002);
  if (byOthers) return { status: 'problem', message: `${what} ${file} is ${byOthers} by others (mode ${shown})`, fix };
  const byGroup = access(0o040, 0o020);
  if (byGroup)
    return {
      status: 'warn',
      message: `${what} ${file} is ${byGroup} by its group (mode ${shown})`,
      fix: `${fix}, unless that group is meant to hold it`,
    };
  return { status: 'ok', message: `${what} ${file} is private (mode ${shown})` };
}

/**
 * Copy speed under the rollback-mode write lock: docs/sqlite-hot-copy.md measured BEGIN IMMEDIATE
 * + external cp of a page-cached 500 MB database stalling writers 335 ms (≈1.5 GB/s).
 */
export const ROLLBACK_STALL_BYTES_PER_MS = 500_000_000 / 335;
/** Starting cp and taking the lock, paid however small the file is. */
export const ROLLBACK_STALL_FIXED_MS = 5;

/**
 * Given a rollback-journal database's size in bytes, returns about how long its copy makes
 * writers wait (ms), from the measured speed above; a file not in the page cache takes longer.
 * Example: estimateRollbackStallMs(150_000_000) → 106.
 */
export function estimateRollbackStallMs(bytes: number): number {
  return Math.ceil(ROLLBACK_STALL_FIXED_MS + bytes / ROLLBACK_STALL_BYTES_PER_MS);
}
