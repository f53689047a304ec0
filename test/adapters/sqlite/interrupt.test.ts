/**
 * A copy killed mid-way (SIGTERM/SIGINT while the pin or lock is held and the main file is
 * half-staged) leaves no temp file, no partial destination, and no lock on the source.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listDir, makeDb, makeTempDir, ROOT, RUN_HOT_COPY, startControlledWriter } from './support.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

const cases = [
  { journal: 'wal', signal: 'SIGTERM', code: 143 },
  { journal: 'delete', signal: 'SIGTERM', code: 143 },
  { journal: 'wal', signal: 'SIGINT', code: 130 },
] as const;

describe('hot copy interrupted by a signal', () => {
  for (const { journal, signal, code } of cases) {
    it(`${signal} during a ${journal === 'wal' ? 'WAL' : 'rollback'} copy: nothing left behind, source unlocked`, async () => {
      const { dir, remove } = makeTempDir();
      cleanup.push(remove);
      const source = join(dir, 'ghost.db');
      await makeDb(source, 4, journal);
      const mainBefore = sha256(source);
      const destDir = join(dir, 'out');
      mkdirSync(destDir);
      const child = execa(
        'node',
        [
          '--import',
          'tsx',
          RUN_HOT_COPY,
          JSON.stringify({ source, dest: join(destDir, 'copy.db'), pauseAfterMainCopy: true }),
        ],
        { cwd: ROOT, reject: false, buffer: { stdout: false } },
      );
      await new Promise<void>((paused, fail) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('PAUSED') && paused());
        child.then((result) => fail(new Error(`exited before pausing: ${result.stderr}`)), fail);
      });
      // Mid-copy: the private temp dir holds the copied main file.
      const staged = listDir(destDir);
      expect(staged).toHaveLength(1);
      expect(staged[0]).toMatch(/^\.copy\.db\.hotsnap-/);
      expect(listDir(join(destDir, staged[0]!))).toContain('copy.db');

      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(code);
      expect(result.stderr).toContain(`hotsnap: stopped by ${signal}; temporary files removed`);
      expect(listDir(destDir)).toEqual([]);
      expect(sha256(source)).toBe(mainBefore);
      // No lock survives the process: a writer that refuses to wait commits at once.
      const writer = await startControlledWriter(source, 5, 0);
      cleanup.push(() => writer.stop());
      expect(await writer.send('commit 1')).toBe('ok 1');
    });
  }
});
