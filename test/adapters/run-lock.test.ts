import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../src/adapters/run-lock.js';
import { LockedError } from '../../src/errors.js';

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'hotsnap-lock-test-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

function recorder() {
  const lines: Array<{ level: string; fields: unknown; message: string }> = [];
  const log = (level: string) => (fields: unknown, message: string) => lines.push({ level, fields, message });
  return { lines, logger: { info: log('info'), warn: log('warn') } as never };
}

const base = { keyfile: '/root/tarsnap.key', command: 'run daily', pollMs: 20 };

/** Starts a child that takes the lock and prints "locked"; resolves once it holds it. */
async function holdInChild(keyfile = base.keyfile) {
  const script = `
    import { acquireRunLock } from ${JSON.stringify(join(process.cwd(), 'src/adapters/run-lock.ts'))};
    await acquireRunLock({ stateDir: ${JSON.stringify(stateDir)}, keyfile: ${JSON.stringify(keyfile)}, waitMs: 0, command: 'run weekly' });
    console.log('locked');
    setInterval(() => {}, 1000);
  `;
  const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  // Wrapped: returning the subprocess itself would make the caller await its exit (it is a thenable).
  return { child };
}

describe('acquireRunLock', () => {
  it('fails with the holder named when another process holds the lock and no wait is allowed', async () => {
    const { child } = await holdInChild();
    try {
      const error = await acquireRunLock({ ...base, stateDir, waitMs: 0 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LockedError);
      expect((error as LockedError).exitCode).toBe(75);
      expect((error as Error).message).toMatch(
        new RegExp(
          `holds the lock for key /root/tarsnap.key: PID ${child.pid} \\("hotsnap run weekly", started \\d{4}-\\d\\d-\\d\\dT.*\\); waited 0ms`,
        ),
      );
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });

  it('waits for the holder to finish, then takes the lock', async () => {
    const { child } = await holdInChild();
    const { lines, logger } = recorder();
    const waiting = acquireRunLock({ ...base, stateDir, waitMs: 30_000, logger });
    setTimeout(() => child.kill('SIGTERM'), 300);
    const lock = await waiting;
    expect(lines[0]?.message).toMatch(`waiting for PID ${child.pid}`);
    lock.release();
    await child;
  });

  it('takes over after a holder was killed with SIGKILL, and says so', async () => {
    const { child } = await holdInChild();
    child.kill('SIGKILL');
    await child;
    const { lines, logger } = recorder();
    const lock = await acquireRunLock({ ...base, stateDir, waitMs: 0, logger });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'taking over the run lock from a hotsnap run that is no longer running',
        fields: expect.objectContaining({ pid: child.pid }),
      }),
    ]);
    lock.release();
    lock.release();
  });

  it('keeps separate keys independent and serialises one key within a process', async () => {
    const first = await acquireRunLock({ ...base, stateDir, waitMs: 0 });
    const other = await acquireRunLock({ ...base, keyfile: '/root/other.key', stateDir, waitMs: 0 });
    await expect(acquireRunLock({ ...base, stateDir, waitMs: 50 })).rejects.toBeInstanceOf(LockedError);
    first.release();
    const again = await acquireRunLock({ ...base, stateDir, waitMs: 0 });
    again.release();
    other.release();
  });
});
