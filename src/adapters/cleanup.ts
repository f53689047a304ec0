/**
 * One place that undoes what a run left on disk when the process is told to stop.
 *
 * Staging directories, temp copies and locks register an undo step here; on SIGINT, SIGTERM or
 * SIGHUP every registered step runs (newest first), then the process exits with 128 + signal
 * number, as a shell reports a killed command. Normal code paths unregister and clean up
 * themselves in `finally` blocks; this only covers the signal case, where `finally` never runs.
 */
import { rmSync } from 'node:fs';

type Step = () => void;

const steps = new Map<number, Step>();
let nextId = 1;
let installed = false;

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

function runAll(): void {
  const pending = [...steps.entries()].reverse();
  steps.clear();
  for (const [, step] of pending) {
    try {
      step();
    } catch {
      // Keep going: one failed undo must not leave the others behind.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.on(signal, () => {
      runAll();
      process.stderr.write(`hotsnap: stopped by ${signal}; temporary files removed\n`);
      process.exit(128 + number);
    });
  }
}

/**
 * Given an undo step (synchronous: it runs inside a signal handler), registers it and returns a
 * function that unregisters it. Example: `const done = onInterrupt(() => rmSync(dir, {recursive:true}))`.
 */
export function onInterrupt(step: Step): () => void {
  install();
  const id = nextId++;
  steps.set(id, step);
  return () => {
    steps.delete(id);
  };
}

/** Given a path, registers its recursive removal on interrupt; returns the unregister function. */
export function removeOnInterrupt(path: string): () => void {
  return onInterrupt(() => rmSync(path, { recursive: true, force: true }));
}

/** For tests: runs and clears every registered step, as a signal would. */
export function runInterruptStepsForTest(): void {
  runAll();
}
