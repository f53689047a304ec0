/** The global setup's cache dir: the workers see it, and its teardown leaves nothing behind. */
import { existsSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import setup from './global-setup.js';

it('this worker inherited XDG_CACHE_HOME: a private hotsnap-test-cache-XXXXXX dir in the temp dir', () => {
  const dir = process.env.XDG_CACHE_HOME!;
  expect(dirname(dir)).toBe(tmpdir());
  expect(dir).toMatch(/\/hotsnap-test-cache-[A-Za-z0-9]{6}$/);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
});

it('setup creates the dir and points XDG_CACHE_HOME at it; its teardown removes it with what the CLIs wrote', () => {
  const saved = process.env.XDG_CACHE_HOME;
  try {
    const teardown = setup();
    const dir = process.env.XDG_CACHE_HOME!;
    expect(dir).not.toBe(saved);
    mkdirSync(join(dir, 'hotsnap'));
    writeFileSync(join(dir, 'hotsnap/config-cache.json'), '{}');
    teardown();
    expect(existsSync(dir)).toBe(false);
  } finally {
    process.env.XDG_CACHE_HOME = saved;
  }
});
