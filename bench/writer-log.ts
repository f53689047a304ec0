/**
 * Reading fixtures/sqlite/writer.js's log ("c SEQ START MS" per commit, "r START MS" per read, times
 * from performance.now()) and the latency of what overlapped a time window. Shared by the benches.
 */
import { readFileSync } from 'node:fs';

/** One logged operation: a commit (with its sequence number) or a read. */
export interface Op {
  start: number;
  ms: number;
  seq?: number;
}

export interface WindowStats {
  count: number;
  p99: number;
  max: number;
}

/** Given the log's path, returns its operations ([] while it does not exist yet). */
export function readOps(path: string): Op[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const ops: Op[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    if (parts[0] === 'c') ops.push({ seq: Number(parts[1]), start: Number(parts[2]), ms: Number(parts[3]) });
    else if (parts[0] === 'r') ops.push({ start: Number(parts[1]), ms: Number(parts[2]) });
  }
  return ops;
}

/** Given operations and a window, returns how many overlapped it and their p99 and worst duration (ms). */
export function windowStats(ops: readonly Op[], from: number, to: number): WindowStats {
  const inside = ops
    .filter((op) => op.start <= to && op.start + op.ms >= from)
    .map((op) => op.ms)
    .sort((a, b) => a - b);
  if (inside.length === 0) return { count: 0, p99: Number.NaN, max: Number.NaN };
  return {
    count: inside.length,
    p99: inside[Math.min(inside.length - 1, Math.ceil(inside.length * 0.99) - 1)]!,
    max: inside[inside.length - 1]!,
  };
}
