/**
 * Progress of tarsnap -c and -x against the real emulator: its stderr lines feed the progress (a
 * bar on a fake terminal, or a log line per interval of a fake clock) and reach the log as debug only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTarsnapRunner } from '../../src/adapters/tarsnap.js';
import { createRestoreProgress, createUploadProgress } from '../../src/adapters/tarsnap-progress.js';
import { estimateTarBytes } from '../../src/adapters/tree-size.js';
import { buildCreateArgs, buildExtractArgs } from '../../src/core/tarsnap-args.js';
import { describeCreateWalk } from '../../src/core/tarsnap-progress.js';
import { emulatorRunnerSetup, recorder } from '../support/emulator-runner.js';

const FILES = 40;
const FILE_BYTES = 64 * 1024;
let dir: string;
let settings: Parameters<typeof createTarsnapRunner>[0];
let env: Record<string, string>;

/** A clock that moves on by `step` ms each time it is read. */
function steppingClock(step: number) {
  let time = 0;
  return () => (time += step);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-progress-'));
  for (const sub of ['stage', 'data', 'data/skip', 'restore']) mkdirSync(join(dir, sub));
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `data/f${i}.bin`), Buffer.alloc(FILE_BYTES, i));
  writeFileSync(join(dir, 'data/skip/big.tmp'), Buffer.alloc(4 * 1024 * 1024));
  ({ settings, env } = emulatorRunnerSetup(dir, 0));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const create = (progressBytes?: number) =>
  buildCreateArgs(settings, {
    name: 'a',
    stageDir: join(dir, 'stage'),
    stagedFiles: [],
    paths: [join(dir, 'data')],
    exclude: ['*.tmp'],
    printStats: true,
    ...(progressBytes === undefined ? {} : { progressBytes }),
  });

const estimate = () => {
  const walk = describeCreateWalk(create().argv);
  return estimateTarBytes(walk.directory, walk.operands, walk.excludes)!;
};

const processedBytes = (stderr: string) =>
  [...stderr.matchAll(/^Processed \d+ entries, (\d+) bytes$/gm)].map((match) => Number(match[1]));

describe('upload progress (tarsnap -c --progress-bytes)', () => {
  it('estimates what tarsnap reads, excludes left out, within 5% of its own count', async () => {
    const total = estimate();
    const result = await createTarsnapRunner(settings, { env }).run(create(1000));
    const final = processedBytes(result.stderr).at(-1)!;
    expect(total).toBeGreaterThan(FILES * FILE_BYTES);
    expect(total).toBeLessThan(2 * FILES * FILE_BYTES); // the 4 MB *.tmp is not counted
    expect(Math.abs(final - total) / final).toBeLessThan(0.05);
  });

  it("logs a line per interval without a terminal, and tarsnap's progress lines as debug only", async () => {
    const { lines, logger } = recorder();
    const total = estimate();
    const progress = createUploadProgress({
      total,
      terminal: false,
      logger,
      now: steppingClock(60_000),
      logEveryMs: 3 * 60_000,
    });
    const result = await createTarsnapRunner(settings, { env, logger }).run(create(1000), { progress });
    const processed = processedBytes(result.stderr);
    expect(processed.length).toBeGreaterThan(FILES / 2);
    const info = lines.filter((line) => line.startsWith('info '));
    // One log line per three clock readings (one reading per Processed line).
    expect(info.length).toBe(Math.floor(processed.length / 3));
    for (const line of info) {
      expect(line).toMatch(
        /^info uploading: [\d.]+ (kB|MB) of about [\d.]+ MB \(\d+%\), [\d.]+ (B|kB)\/s(, about \d+ (s|min|h)( \d+ min)? left)?$/,
      );
    }
    expect(lines.filter((line) => /Processed|adding/.test(line)).every((line) => line.startsWith('debug '))).toBe(true);
    expect(lines.some((line) => line.startsWith('debug tarsnap: Processed'))).toBe(true);
  });

  it('draws one redrawn line on a terminal and clears it when tarsnap is done', async () => {
    const { lines, logger } = recorder();
    const writes: string[] = [];
    const progress = createUploadProgress({
      total: estimate(),
      terminal: true,
      logger,
      stream: { isTTY: true, columns: 120, write: (text: string) => writes.push(text) },
      now: steppingClock(1000),
    });
    await createTarsnapRunner(settings, { env, logger }).run(create(1000), { progress });
    const drawn = writes.filter((text) => text.length > 4);
    expect(drawn.length).toBeGreaterThan(FILES / 2);
    expect(drawn.at(-1)).toMatch(/^\r\x1b\[Kuploading \[#+\.*\] +\d+% [\d.]+ MB of about [\d.]+ MB, [\d.]+ kB\/s/);
    expect(writes.at(-1)).toBe('\r\x1b[K');
    expect(lines.filter((line) => line.startsWith('info '))).toEqual([]);
  });
});

describe('upload progress without a terminal to draw on', () => {
  it('logs instead when the stream asked to draw on is not a terminal (run under cron: --no-progress not given)', () => {
    const { lines, logger } = recorder();
    const writes: string[] = [];
    const progress = createUploadProgress({
      total: 10_000,
      terminal: true,
      logger,
      stream: { isTTY: false, write: (text: string) => writes.push(text) },
      now: steppingClock(1000),
      logEveryMs: 0,
    });
    expect(progress.line('Processed 3 entries, 5000 bytes')).toBe(true);
    expect(progress.line('adding srv/x (0 / 10 bytes)')).toBe(true);
    expect(progress.line("tarsnap: Removing leading '/' from member names")).toBe(false);
    progress.stop();
    expect(lines).toEqual(['info uploading: 5.0 kB of about 10.0 kB (50%), 5.0 kB/s, about 1 s left']);
    expect(writes).toEqual([]);
  });
});

describe('restore progress (tarsnap -x -v)', () => {
  it('counts each extracted member against the total and logs it per interval', async () => {
    const runner = createTarsnapRunner(settings, { env });
    await runner.run(create());
    const { lines, logger } = recorder();
    const target = join(dir, 'restore');
    const total = estimate();
    const progress = createRestoreProgress(target, {
      total,
      terminal: false,
      logger,
      now: steppingClock(60_000),
      logEveryMs: 60_000,
    });
    const result = await createTarsnapRunner(settings, { env, logger }).run(
      buildExtractArgs(settings, 'a', { to: target, verbose: true }),
      { progress },
    );
    const extracted = result.stderr.split('\n').filter((line) => line.startsWith('x '));
    expect(extracted.length).toBeGreaterThan(FILES);
    const info = lines.filter((line) => line.startsWith('info restoring: '));
    expect(info).toHaveLength(extracted.length);
    expect(info.at(-1)).toMatch(/^info restoring: 2\.\d MB of about 2\.\d MB \(9\d%\), /);
    expect(lines.filter((line) => line.startsWith('debug tarsnap: x '))).toHaveLength(extracted.length);
  });

  it('takes an "x PATH: error" line (a member that failed) for news, not progress', () => {
    const { logger } = recorder();
    const progress = createRestoreProgress(join(dir, 'restore'), { terminal: false, logger });
    expect(progress.line("x ../evil: Path contains '..'")).toBe(false);
    expect(progress.line('tarsnap: Error opening archive')).toBe(false);
  });
});
