/**
 * The last lines of the run's log, kept within a byte budget for a failure ping's body: pino's
 * records arrive on a stream and are kept as readable lines, oldest dropped first.
 */
import { Writable } from 'node:stream';
import { formatLogLine } from '../log.js';
import { createLineReader } from './line-reader.js';

/** Largest ping body, and the log tail's default budget. */
export const DEFAULT_PING_BODY_BYTES = 10_000;

/**
 * Given text and a byte limit, returns at most that many UTF-8 bytes from its end, starting at a
 * line when it has to cut, with a note saying so.
 * Example: tailText('a\nb\nc', 3) → '[… earlier lines cut]\nc' (the note doesn't count).
 */
export function tailText(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let kept = bytes.subarray(bytes.length - maxBytes).toString('utf8');
  // The cut may split a character (U+FFFD) or a line: start at the next whole line when there is one.
  const newline = kept.indexOf('\n');
  kept = newline >= 0 && newline < kept.length - 1 ? kept.slice(newline + 1) : kept.replace(/^\uFFFD+/, '');
  return `[… earlier lines cut]\n${kept}`;
}

/** The last lines of the log, kept for a failure ping's body. */
export interface LogTail {
  /** Takes pino's NDJSON records (add it to the logger with pino.multistream) and keeps them as readable lines. */
  readonly stream: Writable;
  /** Keeps one line as it is. */
  push(line: string): void;
  /** Returns a cursor: `text(cursor)` gives only lines kept after it (one profile's part of the run). */
  mark(): number;
  /** Returns the kept lines since `cursor` (default: all kept), at most `maxBytes` of them from the end. */
  text(cursor?: number): string;
}

/**
 * Given a byte budget, returns an empty log tail; lines past the budget are dropped oldest first.
 * Example: `const tail = createLogTail(); pino({}, pino.multistream([{stream: stderr}, {stream: tail.stream}]))`.
 */
export function createLogTail(options: { maxBytes?: number } = {}): LogTail {
  const maxBytes = options.maxBytes ?? DEFAULT_PING_BODY_BYTES;
  const lines: { seq: number; text: string; bytes: number }[] = [];
  let bytes = 0;
  let nextSeq = 0;
  let dropped = -1;

  function push(line: string): void {
    const text = line.replace(/\n+$/, '');
    const size = Buffer.byteLength(text, 'utf8') + 1;
    lines.push({ seq: nextSeq++, text, bytes: size });
    bytes += size;
    while (bytes > maxBytes && lines.length > 1) {
      const old = lines.shift()!;
      bytes -= old.bytes;
      dropped = old.seq;
    }
  }

  function record(line: string): void {
    if (!line.trim()) return;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      // `--log-format json` stamps ISO strings; the readable line wants epoch milliseconds.
      if (typeof parsed.time === 'string') parsed.time = Date.parse(parsed.time);
      push(formatLogLine(parsed));
    } catch {
      push(line);
    }
  }

  // pino writes whole records; a partial last line waits for its newline (the stream is never ended).
  const reader = createLineReader(record);
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      reader.push(chunk);
      callback();
    },
  });

  return {
    stream,
    push,
    mark: () => nextSeq,
    text(cursor = 0) {
      const body = lines
        .filter((line) => line.seq >= cursor)
        .map((line) => line.text)
        .join('\n');
      // Only one line longer than the whole budget can still be over it.
      if (Buffer.byteLength(body, 'utf8') > maxBytes) return tailText(body, maxBytes);
      return dropped >= cursor ? `[… earlier lines cut]\n${body}` : body;
    },
  };
}
