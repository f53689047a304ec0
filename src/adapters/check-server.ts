/**
 * `hotsnap check` meets the tarsnap server: one `tarsnap --list-archives` with the config's key (it
 * reads the archive names, changes nothing, and is the cheapest call the server answers), so the
 * first scheduled run is not the first time the key meets the server. One short retry when the
 * network fails, no more: `check` is run by a person waiting for it.
 */
import type { CheckItem } from '../core/check-report.js';
import { buildListArgs, type Invocation, type TarsnapCommon } from '../core/tarsnap-args.js';
import type { TarsnapFailure } from '../core/tarsnap-failure.js';
import { TarsnapError, type TarsnapResult } from './tarsnap.js';

/** Runs one tarsnap invocation without retries; throws TarsnapError (or UserError) when it fails. */
export type ServerCall = (invocation: Invocation) => Promise<TarsnapResult>;

export interface ServerCheckOptions {
  /** Why the server is not contacted (--offline, an unusable key), when it is not. */
  skip?: string;
  /** Pause before the one retry after a network failure. */
  retryDelayMs: number;
  sleep: (ms: number) => Promise<unknown>;
}

function failureItem(keyfile: string, failure: TarsnapFailure, fallback: string): CheckItem {
  const line = (failure.line ?? fallback).replace(/^tarsnap: /, '');
  if (failure.kind === 'write-only-key') {
    return {
      check: 'server',
      status: 'warn',
      message: `${keyfile} is a write-only key, so the server was not asked anything ("${line}"): backups will work, but list, ls, restore, verify and prune will not on this host`,
      fix: 'to list and prune here, use a key made with tarsnap-keymgmt -r -w -d; to keep this host write-only, set prune: false and run them from a machine holding the full key',
    };
  }
  const what = failure.kind === 'network' ? 'cannot reach the tarsnap server' : 'tarsnap could not list the archives';
  return {
    check: 'server',
    status: 'problem',
    message: `${what} (tarsnap --list-archives with ${keyfile}): ${line}`,
    fix: failure.hint,
  };
}

/**
 * Given the config's tarsnap options and a way to run tarsnap, lists the archives once (twice when
 * the network failed) and returns an ok line with their count, a warning for a write-only key, or
 * the classified failure with its fix. Example: a reachable server → ok "tarsnap server reached with K: 12 archives".
 */
export async function checkServer(
  common: TarsnapCommon,
  call: ServerCall,
  options: ServerCheckOptions,
): Promise<CheckItem> {
  if (options.skip) return { check: 'server', status: 'ok', message: `not contacted: ${options.skip}` };
  const invocation = buildListArgs(common, { verbose: 0 });
  let retried = false;
  for (;;) {
    try {
      const result = await call(invocation);
      const count = result.stdout.split('\0').filter((name) => name !== '').length;
      return {
        check: 'server',
        status: 'ok',
        message: `tarsnap server reached with ${common.keyfile}: ${count} archive${count === 1 ? '' : 's'}${retried ? ' (on the second try)' : ''}`,
      };
    } catch (error) {
      if (!(error instanceof TarsnapError)) {
        return {
          check: 'server',
          status: 'problem',
          message: `tarsnap --list-archives did not run: ${(error as Error).message}`,
          fix: 'fix the tarsnap binary (see the tarsnap line above)',
        };
      }
      if (error.failure.kind === 'network' && !retried) {
        retried = true;
        await options.sleep(options.retryDelayMs);
        continue;
      }
      return failureItem(common.keyfile, error.failure, error.stderrTail.split('\n').pop() ?? '');
    }
  }
}
