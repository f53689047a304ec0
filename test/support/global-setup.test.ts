/** The global setup's cache dir and nobody kit: the workers see them, and the teardown leaves nothing behind. */
import { execa } from 'execa';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { createTestCache } from './global-setup.js';
import { nobodyKit, nobodySkipReason } from './nobody.js';

it('this worker inherited XDG_CACHE_HOME: a private hotsnap-test-cache-XXXXXX dir in the temp dir', () => {
  const dir = process.env.XDG_CACHE_HOME!;
  expect(dirname(dir)).toBe(tmpdir());
  expect(dir).toMatch(/\/hotsnap-test-cache-[A-Za-z0-9]{6}$/);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
});

it('createTestCache makes the dir and points XDG_CACHE_HOME at it; its teardown removes it with what the CLIs wrote', () => {
  const saved = process.env.XDG_CACHE_HOME;
  try {
    const teardown = createTestCache();
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

it('as root with a user nobody, the kit is there and nobody can run the CLI and the hot-copy runner from it; else the reason is printed', async () => {
  const kit = nobodyKit();
  if (!kit) {
    console.warn(`test/support: no nobody kit here: ${nobodySkipReason()}`);
    expect(nobodySkipReason()).not.toMatch(/did not run/);
    return;
  }
  expect(statSync(kit.dir).mode & 0o777).toBe(0o755);
  const version = await execa('node', [kit.bin, '--version'], {
    cwd: kit.dir,
    uid: kit.uid,
    gid: kit.gid,
    reject: false,
  });
  expect(version.stderr).toBe('');
  expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  const runner = await execa(
    'node',
    [kit.runHotCopy, JSON.stringify({ source: '/nonexistent/ghost.db', dest: join(kit.dir, 'never.db') })],
    { cwd: kit.dir, uid: kit.uid, gid: kit.gid, reject: false },
  );
  expect(JSON.parse(runner.stdout.trim())).toMatchObject({ ok: false });
  const state = mkdtempSync(join(tmpdir(), 'hotsnap-kit-test-'));
  try {
    chownSync(state, kit.uid, kit.gid);
    const emulator = await execa(kit.emulator, ['--version'], {
      cwd: kit.dir,
      uid: kit.uid,
      gid: kit.gid,
      reject: false,
      env: { TARSNAP_EMULATOR_DIR: state },
    });
    expect(emulator.stdout).toBe('tarsnap 1.0.41');
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
