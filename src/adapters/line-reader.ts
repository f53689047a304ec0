/**
 * Turns a stream's chunks into whole lines: the part after the last newline waits for the next
 * chunk (or for `end()`). Hooks' output, tarsnap's stderr and the log tail all read lines this way.
 */

export interface LineReaderOptions {
  /** Drop one `\r` before each newline (and at the end), for output written with CRLF. */
  stripCarriageReturn?: boolean;
  /** A line longer than this (no newline in sight) is passed on in pieces rather than held in memory. */
  maxLineLength?: number;
}

export interface LineReader {
  /** Takes one chunk; calls onLine for each line it completes. */
  push(chunk: Buffer | string): void;
  /** Passes on what is left after the last newline, if anything. */
  end(): void;
}

/**
 * Given a callback and options, returns a reader that calls it once per line (without the newline).
 * Example: `const r = createLineReader(log); r.push('a\nb'); r.end()` → log('a'), log('b').
 */
export function createLineReader(onLine: (line: string) => void, options: LineReaderOptions = {}): LineReader {
  const strip = options.stripCarriageReturn ? (line: string) => line.replace(/\r$/, '') : (line: string) => line;
  const maxLength = options.maxLineLength ?? Infinity;
  let pending = '';
  return {
    push(chunk) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(strip(line));
      while (pending.length > maxLength) {
        onLine(pending.slice(0, maxLength));
        pending = pending.slice(maxLength);
      }
    },
    end() {
      if (pending) onLine(strip(pending));
      pending = '';
    },
  };
}
