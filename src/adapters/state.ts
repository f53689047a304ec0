/**
 * The state file of each profile (`state_dir/profiles/<profile>.json`): the last attempt and the
 * last success of each kind of run, read by `list`, `status` and monitoring. Written atomically
 * (temp file + rename) so a crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemErrorAsUserError, UserError } from '../errors.js';

export interface BackupStats {
  total_bytes: number;
  compressed_bytes: number;
  new_bytes: number;
  new_compressed_bytes?: number;
  /** The whole account's compressed unique data after this archive (what tarsnap bills for storage). */
  stored_bytes?: number;
}

export interface RunRecord {
  started: string;
  finished: string;
  status: 'ok' | 'failed' | 'dry-run';
  duration_ms: number;
  archive?: string;
  stats?: BackupStats;
  databases?: number;
  writer_block_ms?: number;
  error?: string;
  /** Archives deleted by the prune that followed, when one ran. */
  pruned?: number;
  /** Why the prune that followed was refused (max_delete, a wrong clock) and the command to run once. */
  prune_refused?: string;
}

export interface VerifyRecord {
  time: string;
  status: 'ok' | 'failed';
  archive?: string;
  error?: string;
  databases?: number;
}

export interface ProfileState {
  profile: string;
  last_attempt?: RunRecord;
  last_success?: RunRecord;
  last_verify?: VerifyRecord;
  /**
   * When the first successful backup hotsnap knows of finished (ISO): a verify schedule's first due
   * date counts from it. Written once; state from before it existed takes the last success then.
   */
  first_success?: string;
}

function stateFile(stateDir: string, profile: string): string {
  return join(stateDir, 'profiles', `${profile}.json`);
}

/** Given the state dir and a profile, returns its state (an empty one when none was written yet). */
export function readProfileState(stateDir: string, profile: string): ProfileState {
  try {
    return JSON.parse(readFileSync(stateFile(stateDir, profile), 'utf8')) as ProfileState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profile };
    throw new UserError(
      `cannot read state file ${stateFile(stateDir, profile)}: ${(error as Error).message} (delete it to start afresh)`,
    );
  }
}

/**
 * Longest error message kept in the state file: its first line says what happened;
 * megabytes would slow every status read.
 */
export const MAX_STATE_ERROR_CHARS = 4000;

/** Given a record, returns it with its error cut to MAX_STATE_ERROR_CHARS, saying how much was cut. */
function boundError<T extends { error?: string }>(record: T | undefined): T | undefined {
  if (record?.error === undefined || record.error.length <= MAX_STATE_ERROR_CHARS) return record;
  return {
    ...record,
    error: `${record.error.slice(0, MAX_STATE_ERROR_CHARS)}… (${record.error.length - MAX_STATE_ERROR_CHARS} more characters)`,
  };
}

/**
 * Given a change, merges it into the profile's state and writes it atomically; returns the new
 * state. Errors are kept to MAX_STATE_ERROR_CHARS each, so the file stays small whatever failed.
 */
export function updateProfileState(
  stateDir: string,
  profile: string,
  change: Partial<Omit<ProfileState, 'profile'>>,
): ProfileState {
  const file = stateFile(stateDir, profile);
  const current = readProfileState(stateDir, profile);
  const merged: ProfileState = { ...current, ...change, profile };
  const first = current.first_success ?? current.last_success?.finished ?? change.last_success?.finished;
  if (first !== undefined) merged.first_success = first;
  const next: ProfileState = { ...merged };
  for (const key of ['last_attempt', 'last_success', 'last_verify'] as const) {
    if (merged[key] !== undefined) Object.assign(next, { [key]: boundError(merged[key]) });
  }
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(stateDir, 'profiles'), { recursive: true, mode: 0o700 });
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch (error) {
    // A full disk leaves a half-written temp file: never leave it behind (the old state stays whole).
    rmSync(temporary, { force: true });
    throw (
      systemErrorAsUserError(error, `cannot write state file ${file} (state_dir)`) ??
      new UserError(
        `cannot write state file ${file}: ${(error as Error).message} (set state_dir to a writable directory, or run as root)`,
      )
    );
  }
  return next;
}

/** Given a finished run, returns the state change to record: always last_attempt, last_success only if it succeeded. */
export function recordRun(record: RunRecord): Partial<ProfileState> {
  return record.status === 'ok' ? { last_attempt: record, last_success: record } : { last_attempt: record };
}
