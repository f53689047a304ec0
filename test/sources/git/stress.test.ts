/**
 * Stress: two pushers (branches and annotated tags created, moved, deleted; some pushes kept as
 * packs) and a housekeeping loop far more aggressive than a Git host's, while ≥ 100 snapshots are
 * taken. Each snapshot must pass `git fsck --full` (commit-graph and multi-pack-index off) and hold
 * every push that finished before its capture began. The load runs as shell scripts beside this file.
 * Slow (minutes): HOTSNAP_STRESS=1 runs it; HOTSNAP_STRESS_SNAPSHOTS sets the count (default 120).
 */
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureGitRepository } from '../../../src/sources/git/capture.js';
import { discoverGitRepositories } from '../../../src/sources/git/discover.js';
import { readRefs } from '../../../src/sources/git/refs.js';
import { git, gitAt, gitEnv, makeBareRepo } from './support.js';

const SNAPSHOTS = Number(process.env.HOTSNAP_STRESS_SNAPSHOTS ?? 120);
const skipReason = process.env.HOTSNAP_STRESS === '1' ? undefined : 'slow (minutes): set HOTSNAP_STRESS=1 to run it';
if (skipReason) console.log(`skipping the Git capture stress test: ${skipReason}`);

/**
 * A finished push as its pusher logged it: the ref's new value (null: deleted)
 * and when `git push` returned (epoch ms).
 */
interface PushEvent {
  ref: string;
  value: string | null;
  at: number;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hotsnap-git-stress-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const here = dirname(fileURLToPath(import.meta.url));

/** Starts a load script (stress-*.sh) with git's test environment; it runs until the stop file exists. */
function startLoad(script: string, ...args: string[]) {
  return execa('bash', [join(here, script), ...args], { env: gitEnv, extendEnv: false, stdin: 'ignore' });
}

/** Given the pushers' logs, returns every finished push, in the order each pusher finished them. */
function readEvents(logs: readonly string[]): PushEvent[] {
  return logs.flatMap((log) =>
    (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').flatMap((line) => {
      const match = /^(\d+) (\S+) (\S+)$/.exec(line);
      return match ? [{ at: Number(match[1]), ref: match[2]!, value: match[3] === '-' ? null : match[3]! }] : [];
    }),
  );
}

function countLines(log: string, pattern: RegExp): number {
  return (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter((line) => pattern.test(line)).length;
}

/** One snapshot: when its capture began, the refs it holds, what the capture reported, and what went wrong. */
interface Snapshot {
  startedAt: number;
  refs: ReadonlyMap<string, string>;
  attempts: number;
  durationMs: number;
  failures: string[];
}

/** Given a snapshot's refs and its capture start, returns the pushes finished before it that it lacks. */
function missingPushes(events: readonly PushEvent[], refs: ReadonlyMap<string, string>, startedAt: number): string[] {
  const missing: string[] = [];
  const lastBefore = new Map<string, PushEvent>();
  for (const event of events) if (event.at < startedAt) lastBefore.set(event.ref, event);
  for (const [ref, before] of lastBefore) {
    // Anything pushed to the same ref after the capture began may be what it read instead.
    const allowed = new Set([
      before.value,
      ...events.filter((e) => e.ref === ref && e.at >= startedAt).map((e) => e.value),
    ]);
    const value = refs.get(ref) ?? null;
    if (allowed.has(value)) continue;
    const history = events.filter((e) => e.ref === ref).map((e) => `${e.value ?? 'deleted'} at ${e.at - startedAt} ms`);
    missing.push(`${ref}: has ${value ?? 'nothing'}; its pushes relative to the capture start: ${history.join(', ')}`);
  }
  return missing;
}

describe.skipIf(skipReason)('captureGitRepository under pushes and housekeeping', () => {
  it(`takes ${SNAPSHOTS} consistent snapshots that lose no finished push`, { timeout: 30 * 60_000 }, async () => {
    const live = join(scratch, 'live.git');
    const base = await makeBareRepo(live, scratch);
    await git(live, 'config', 'receive.unpackLimit', '4'); // pushes of more objects are kept as packs
    const [repository] = await discoverGitRepositories(live);
    const stop = join(scratch, 'stop');
    const pushLogs = [1, 2].map((id) => join(scratch, `pushes-${id}.log`));
    const housekeepingLog = join(scratch, 'housekeeping.log');
    const load = [1, 2].map((id) => {
      cpSync(base, join(scratch, `pusher-${id}`), { recursive: true });
      return startLoad('stress-pusher.sh', String(id), join(scratch, `pusher-${id}`), live, pushLogs[id - 1]!, stop);
    });
    load.push(startLoad('stress-housekeeper.sh', live, housekeepingLog, stop));
    await sleep(2000);

    const results: Snapshot[] = [];
    mkdirSync(join(scratch, 'snapshots'));
    try {
      for (let i = 0; i < SNAPSHOTS; i++) {
        const startedAt = Date.now(); // the pushers stamp their log with the same wall clock (date +%s%3N)
        const staged = join(scratch, 'snapshots', `${i}.git`);
        const snapshot: Snapshot = { startedAt, refs: new Map(), attempts: 0, durationMs: 0, failures: [] };
        try {
          const capture = await captureGitRepository(repository!, staged);
          Object.assign(snapshot, {
            attempts: capture.attempts,
            durationMs: capture.durationMs,
            refs: readRefs(staged),
          });
          await gitAt(staged, 'fsck', '--full', '--no-dangling').catch((e: Error) =>
            snapshot.failures.push(`fsck --full: ${e.message}`),
          );
        } catch (error) {
          snapshot.failures.push(`capture: ${(error as Error).message}`);
        }
        results.push(snapshot);
        rmSync(staged, { recursive: true, force: true });
      }
    } finally {
      writeFileSync(stop, '');
      await Promise.all(load);
    }
    // Checked once every pusher has stopped: a push that finished during a capture may be logged only later.
    const events = readEvents(pushLogs);
    for (const snapshot of results) snapshot.failures.push(...missingPushes(events, snapshot.refs, snapshot.startedAt));

    const durations = results.map((r) => r.durationMs).sort((a, b) => a - b);
    const failed = results.filter((r) => r.failures.length > 0);
    const figures = {
      snapshots: results.length,
      failed: failed.length,
      retried: results.filter((r) => r.attempts > 1).length,
      maxAttempts: Math.max(...results.map((r) => r.attempts)),
      pushes: events.length,
      failedPushes: pushLogs.reduce((sum, log) => sum + countLines(log, /^# failed/), 0),
      refChecks: results.reduce(
        (sum, r) => sum + new Set(events.filter((e) => e.at < r.startedAt).map((e) => e.ref)).size,
        0,
      ),
      housekeepingCycles: countLines(housekeepingLog, /^cycle/),
      housekeepingFailures: countLines(housekeepingLog, /^# failed/),
      captureMs: {
        median: durations[Math.floor(durations.length / 2)],
        p95: durations[Math.floor(durations.length * 0.95)],
        max: durations.at(-1),
      },
    };
    console.log('git capture stress:', JSON.stringify(figures));
    if (failed.length > 0)
      console.log(
        failed
          .slice(0, 5)
          .map((r) => r.failures.join('\n'))
          .join('\n---\n'),
      );
    expect(failed.map((r) => r.failures)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(100);
  });
});
