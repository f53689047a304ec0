/**
 * Vitest global setup: a private config cache for the CLIs the tests spawn (XDG_CACHE_HOME),
 * created before the workers start and removed after the last test file, so a test run leaves
 * nothing in the temp dir, as the product doesn't.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Given nothing, creates the cache dir and points XDG_CACHE_HOME at it; returns the teardown that removes it. */
export default function setup(): () => void {
  // mkdtemp: a fresh 0700 directory, never one another user planted under a guessable name.
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-test-cache-'));
  // Set in the main process before the workers are forked: they, and every CLI they spawn, inherit it.
  process.env.XDG_CACHE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
