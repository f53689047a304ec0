/**
 * Vitest global setup, run once in the main process before the workers are forked (they inherit
 * its environment): a private config cache for the CLIs the tests spawn (XDG_CACHE_HOME), and the
 * kit the tests that run a process as `nobody` use (test/support/nobody.ts). Both are removed
 * after the last test file, so a test run leaves nothing in the temp dir, as the product doesn't.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { announceNobodyKit, buildNobodyKit } from './nobody.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Given nothing, creates the cache dir and points XDG_CACHE_HOME at it; returns the teardown that removes it. */
export function createTestCache(): () => void {
  // mkdtemp: a fresh 0700 directory, never one another user planted under a guessable name.
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-test-cache-'));
  process.env.XDG_CACHE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

/** Given nothing, sets up the cache and the nobody kit; returns the teardown that removes both. */
export default async function setup(): Promise<() => void> {
  const removeCache = createTestCache();
  const nobody = await buildNobodyKit(ROOT);
  announceNobodyKit(nobody);
  return () => {
    nobody.remove();
    removeCache();
  };
}
