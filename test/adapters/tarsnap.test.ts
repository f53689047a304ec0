/** The tarsnap runner against the real emulator process: retries, lock waits, fsck, dry run. */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTarsnapRunner, TarsnapError } from '../../src/adapters/tarsnap.js';
import { buildCreateArgs, buildListArgs } from '../../src/core/tarsnap-args.js';
import { UserError } from '../../src/errors.js';
import { EMULATOR, emulatorRunnerSetup, recorder } from '../support/emulator-runner.js';

let dir: string;
let settings: Parameters<typeof createTarsnapRunner>[0];
let env: Record<string, string>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-runner-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data/a.txt'), 'a\n');
  ({ settings, env } = emulatorRunnerSetup(dir, 2));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const create = (name: string, dryRun = false) =>
  buildCreateArgs(settings, {
    name,
    stageDir: join(dir, 'data'),
    stagedFiles: [],
    paths: [join(dir, 'data')],
    dryRun,
    printStats: true,
  });

describe('createTarsnapRunner', () => {
  it('runs an invocation and returns stdout/stderr (list in TZ=UTC)', async () => {
    const runner = createTarsnapRunner(settings, { env });
    await runner.run(create('a'));
    const listed = await runner.run(buildListArgs(settings, { verbose: 1 }));
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(/^a\0\0\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\0$/);
  });

  it('retries network failures with doubling delays, then gives up with a hint', async () => {
    const sleeps: number[] = [];
    const { lines, logger } = recorder();
    const runner = createTarsnapRunner(settings, {
      env: { ...env, TARSNAP_EMULATOR_FAULT: 'network' },
      logger,
      sleep: async (ms) => sleeps.push(ms),
    });
    const error = await runner.run(buildListArgs(settings, { verbose: 0 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TarsnapError);
    expect((error as TarsnapError).failure.kind).toBe('network');
    expect((error as Error).message).toMatch(/what to do: cannot reach the tarsnap server/);
    expect(sleeps).toEqual([5, 10]);
    expect(lines.filter((line) => line.startsWith('warn'))).toHaveLength(2);
  });

  it('waits out each network retry with waitToRetry (a countdown on a terminal), told the attempt', async () => {
    const waits: number[][] = [];
    const runner = createTarsnapRunner(settings, {
      env: { ...env, TARSNAP_EMULATOR_FAULT: 'network' },
      waitToRetry: async (ms, attempt, of) => waits.push([ms, attempt, of]),
    });
    await expect(runner.run(buildListArgs(settings, { verbose: 0 }))).rejects.toBeInstanceOf(TarsnapError);
    expect(waits).toEqual([
      [5, 1, 2],
      [10, 2, 2],
    ]);
  });

  it("feeds stderr lines to the call's progress and stops it when the call ends, failed or not", async () => {
    const seen: string[] = [];
    let stopped = 0;
    const progress = { line: (line: string) => (seen.push(line), false), stop: () => void stopped++ };
    const runner = createTarsnapRunner(
      { ...settings, retries: 0 },
      { env: { ...env, TARSNAP_EMULATOR_FAULT: 'network' } },
    );
    await expect(runner.run(buildListArgs(settings, { verbose: 0 }), { progress })).rejects.toBeInstanceOf(
      TarsnapError,
    );
    expect(seen).toContain('tarsnap: Error listing archives');
    expect(stopped).toBe(1);
    await createTarsnapRunner(settings, { env }).run(create('a'), { progress });
    expect(stopped).toBe(2);
  });

  it('does not retry when told not to', async () => {
    const sleeps: number[] = [];
    const runner = createTarsnapRunner(settings, {
      env: { ...env, TARSNAP_EMULATOR_FAULT: 'network' },
      sleep: async (ms) => sleeps.push(ms),
    });
    await expect(runner.run(buildListArgs(settings, { verbose: 0 }), { retry: false })).rejects.toBeInstanceOf(
      TarsnapError,
    );
    expect(sleeps).toEqual([]);
  });

  it('waits while another tarsnap holds the cache lock, then succeeds', async () => {
    const runner = createTarsnapRunner(settings, { env });
    await runner.run(create('first'));
    const busy = execa(EMULATOR, [...create('slow').argv], {
      env: { ...env, TARSNAP_EMULATOR_DELAY_MS: '1500' },
      reject: false,
    });
    await new Promise((r) => setTimeout(r, 400));
    const { lines, logger } = recorder();
    const waiting = createTarsnapRunner(settings, {
      env,
      logger,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms / 25)),
    });
    const result = await waiting.run(create('second'));
    expect(result.exitCode).toBe(0);
    expect(lines.some((line) => /another tarsnap transaction is in progress/.test(line))).toBe(true);
    expect((await busy).exitCode).toBe(0);
  });

  it('cache out of sync: names the fsck command; with auto_fsck runs it once and retries', async () => {
    const faulty = { ...env, TARSNAP_EMULATOR_FAULT: 'fsck' };
    const plain = createTarsnapRunner(settings, { env: faulty });
    const error = await plain.run(create('needs-fsck')).catch((caught: unknown) => caught);
    expect((error as TarsnapError).failure.kind).toBe('needs-fsck');
    expect((error as Error).message).toContain(
      `run: tarsnap --fsck --keyfile ${settings.keyfile} --cachedir ${settings.cachedir}`,
    );
    const auto = createTarsnapRunner({ ...settings, autoFsck: true }, { env: faulty });
    expect((await auto.run(create('after-fsck'))).exitCode).toBe(0);
  });

  it('dry run: a mutating call is logged and skipped; tarsnap -c --dry-run still runs', async () => {
    const { lines, logger } = recorder();
    const runner = createTarsnapRunner(settings, { env, logger, dryRun: true });
    const skipped = await runner.run(create('x'));
    expect(skipped.skipped).toBe(true);
    expect(lines.some((line) => line.startsWith(`info [dry run] would run: ${EMULATOR} -c --keyfile`))).toBe(true);
    const simulated = await runner.run(create('y', true));
    expect(simulated.skipped).toBe(false);
    expect(simulated.stderr).toMatch(/Total size/);
  });

  it('says how to fix a missing binary', async () => {
    const runner = createTarsnapRunner({ ...settings, binary: join(dir, 'no-tarsnap-here') }, { env });
    const error = await runner.run(buildListArgs(settings, { verbose: 0 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `tarsnap binary "${join(dir, 'no-tarsnap-here')}" not found: install tarsnap, or set tarsnap.binary to its path`,
    );
  });

  it('an argument list the system refuses (E2BIG): one short line with the fix, and a bounded log line', async () => {
    const { lines, logger } = recorder();
    const debugLines: string[] = [];
    const runner = createTarsnapRunner(settings, {
      env,
      logger: {
        ...(logger as object),
        debug: (fields: { command?: string }) => debugLines.push(fields.command ?? ''),
      } as never,
    });
    const exclude = Array.from({ length: 200_000 }, (_, i) => `/srv/data/file-${i}.tmp`);
    const invocation = buildCreateArgs(settings, {
      name: 'huge',
      stageDir: join(dir, 'data'),
      stagedFiles: [],
      paths: [join(dir, 'data')],
      exclude,
    });
    const error = await runner.run(invocation).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^200001 exclude patterns make the tarsnap command line [\d.]+ MB \(\d+ arguments\), over the system's limit for a program's arguments: use fewer, broader patterns in exclude/,
    );
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message.length).toBeLessThan(300);
    expect(debugLines[0]!.length).toBeLessThan(2100);
    expect(lines.join('\n').length).toBeLessThan(5000);
    // And the emulator never ran.
    expect(await runner.run(buildListArgs(settings, { verbose: 0 })).then((result) => result.stdout)).toBe('');
  });

  it('another start failure (not executable) says so in one line, without the command line', async () => {
    const script = join(dir, 'tarsnap-not-executable');
    writeFileSync(script, '#!/bin/sh\n', { mode: 0o644 });
    const runner = createTarsnapRunner({ ...settings, binary: script }, { env });
    const error = await runner.run(create('x')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `cannot run tarsnap (${script}): EACCES; check that tarsnap.binary is the tarsnap program and this user can run it`,
    );
  });
});
