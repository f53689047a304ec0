/**
 * The stress harness: real databases, a SEPARATE writer process committing every 2 ms (each
 * transaction keeps the invariants of fixtures/sqlite/make-db.js) and, in WAL mode, a checkpointer
 * process (PASSIVE every 5 ms, RESTART and TRUNCATE now and then). Every copy must pass
 * integrity_check, satisfy the invariants and contain every commit the writer reported before
 * the copy began. quick_check passing proves little; the invariants are the evidence.
 *
 * `npm test` runs a quick version (~20 copies). HOTSNAP_STRESS=1 runs hundreds on a larger
 * database and also counts how often the race the WAL header check closes shows up without it.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../../fixtures/sqlite/check.js';
import { hotCopy, type HotCopyMethodOption } from '../../../src/adapters/sqlite/hot-copy.js';
import type { CopyMethod } from '../../../src/core/manifest.js';
import { makeDb, makeTempDir, startCheckpointer, startWriter, type LiveWriter } from './support.js';

const STRESS = process.env.HOTSNAP_STRESS === '1';
const SIZE_MB = STRESS ? 48 : 6;
/** vitest's 60 s default is for the quick version; hundreds of copies need longer. */
const TEST_TIMEOUT_MS = STRESS ? 30 * 60_000 : undefined;
const COUNTS = STRESS
  ? { walFast: 300, walBackup: 80, walUnchecked: 300, rollbackCp: 150, rollbackBackup: 40 }
  : { walFast: 8, walBackup: 3, walUnchecked: 0, rollbackCp: 6, rollbackBackup: 3 };

interface Tally {
  copies: number;
  inconsistent: number;
  missingCommits: number;
  problems: string[];
}

async function copyRepeatedly(
  source: string,
  dir: string,
  writer: LiveWriter,
  method: HotCopyMethodOption,
  expected: CopyMethod,
  count: number,
  unsafeSkipWalHeaderCheck = false,
): Promise<Tally> {
  const tally: Tally = { copies: 0, inconsistent: 0, missingCommits: 0, problems: [] };
  for (let i = 0; i < count; i++) {
    // Let the writer move on between copies so each one starts from a different WAL state.
    await writer.waitForCommits(1 + (i % 4));
    const committedBefore = writer.lastCommitted();
    const dest = join(dir, `copy-${method}-${i}.db`);
    const entry = await hotCopy(
      source,
      dest,
      { method, verify: unsafeSkipWalHeaderCheck ? 'none' : 'quick' },
      { unsafeSkipWalHeaderCheck },
    );
    tally.copies++;
    if (entry.method !== expected) tally.problems.push(`copy ${i}: method ${entry.method}`);
    for (const suffix of ['-wal', '-shm', '-journal'])
      if (existsSync(dest + suffix)) tally.problems.push(`copy ${i}: ${suffix} left beside the copy`);
    const check = checkDatabase(dest);
    if (!check.ok) {
      tally.inconsistent++;
      tally.problems.push(
        `copy ${i}: ${JSON.stringify({ integrity: check.integrity.slice(0, 2), invariants: check.invariants })}`,
      );
    } else if (check.seq < committedBefore) {
      tally.missingCommits++;
      tally.problems.push(
        `copy ${i}: has seq ${check.seq}, but ${committedBefore} had committed before the copy began`,
      );
    }
    rmSync(dest, { force: true });
  }
  return tally;
}

function report(label: string, tally: Tally, writer: LiveWriter): void {
  if (STRESS || tally.problems.length > 0) {
    console.log(
      `${label}: copies=${tally.copies} inconsistent=${tally.inconsistent} missing_commits=${tally.missingCommits} writer_commits=${writer.lastCommitted()} writer_busy=${writer.busy}`,
    );
    for (const problem of tally.problems.slice(0, 5)) console.log(`  ${problem}`);
  }
}

describe('hot copies under a live writer (WAL, with checkpoints)', () => {
  let dir = '';
  let source = '';
  let remove = (): void => undefined;
  let writer: LiveWriter;
  let checkpointer: Awaited<ReturnType<typeof startCheckpointer>>;

  beforeAll(async () => {
    ({ dir, remove } = makeTempDir());
    source = join(dir, 'ghost.db');
    await makeDb(source, SIZE_MB, 'wal');
    writer = await startWriter(source, 2);
    checkpointer = await startCheckpointer(source);
  });
  afterAll(async () => {
    const counts = await checkpointer?.stop();
    await writer?.stop();
    if (STRESS) console.log(`checkpointer: ${JSON.stringify(counts)}`);
    remove();
  });

  it(
    'wal-fast: every copy consistent and complete',
    async () => {
      const start = writer.lastCommitted();
      const tally = await copyRepeatedly(source, dir, writer, 'auto', 'wal-fast', COUNTS.walFast);
      report('wal-fast', tally, writer);
      expect(tally.problems).toEqual([]);
      expect(tally.copies).toBe(COUNTS.walFast);
      // The writer really ran during the copies (otherwise this proves nothing).
      expect(writer.lastCommitted() - start).toBeGreaterThan(COUNTS.walFast);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'backup-api (pinned): every copy consistent and complete',
    async () => {
      const tally = await copyRepeatedly(source, dir, writer, 'backup-api', 'backup-api', COUNTS.walBackup);
      report('backup-api wal', tally, writer);
      expect(tally.problems).toEqual([]);
      expect(tally.copies).toBe(COUNTS.walBackup);
    },
    TEST_TIMEOUT_MS,
  );

  it.runIf(STRESS)(
    'wal-fast WITHOUT the header check (measures how often the race happens)',
    async () => {
      const tally = await copyRepeatedly(source, dir, writer, 'auto', 'wal-fast', COUNTS.walUnchecked, true);
      report('wal-fast, header check skipped', tally, writer);
      expect(tally.copies).toBe(COUNTS.walUnchecked);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('hot copies under a live writer (rollback journal)', () => {
  let dir = '';
  let source = '';
  let remove = (): void => undefined;
  let writer: LiveWriter;

  beforeAll(async () => {
    ({ dir, remove } = makeTempDir());
    source = join(dir, 'ghost.db');
    await makeDb(source, SIZE_MB, 'delete');
    writer = await startWriter(source, 2);
  });
  afterAll(async () => {
    await writer?.stop();
    remove();
  });

  it(
    'rollback-cp: every copy consistent and complete',
    async () => {
      const start = writer.lastCommitted();
      const tally = await copyRepeatedly(source, dir, writer, 'auto', 'rollback-cp', COUNTS.rollbackCp);
      report('rollback-cp', tally, writer);
      expect(tally.problems).toEqual([]);
      expect(writer.lastCommitted() - start).toBeGreaterThan(COUNTS.rollbackCp);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'backup-api (pinned): every copy consistent and complete',
    async () => {
      const tally = await copyRepeatedly(source, dir, writer, 'backup-api', 'backup-api', COUNTS.rollbackBackup);
      report('backup-api rollback', tally, writer);
      expect(tally.problems).toEqual([]);
      expect(tally.copies).toBe(COUNTS.rollbackBackup);
    },
    TEST_TIMEOUT_MS,
  );
});
