/**
 * Logging through pino. JSON lines with `--log-format json`; otherwise one readable line per
 * record ("2026-12-06T03:00:01Z  INFO  copied ghost.db  db=/var/… ms=120": date and zone, since a
 * log file is read days later), whether or not stderr is a terminal, so cron mail stays readable
 * unless JSON is asked for.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { Writable } from 'node:stream';

export type { Logger } from 'pino';
export type LogFormat = 'text' | 'json';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** Given one pino JSON record, returns its readable line: `2026-12-06T03:00:01Z  INFO   copied  db=/a.db`. */
export function formatLogLine(record: Record<string, unknown>): string {
  // UTC to the second, with its Z: the zone the log was written in is then never a guess.
  const time = typeof record.time === 'number' ? `${new Date(record.time).toISOString().slice(0, 19)}Z` : '';
  const level = (LEVEL_NAMES[record.level as number] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !SKIP.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value && typeof value === 'object')
        return `error=${formatValue((value as { message?: string }).message)}`;
      return `${key}=${formatValue(value)}`;
    });
  return [time, level, String(record.msg ?? ''), ...fields]
    .filter((part) => part !== '')
    .join('  ')
    .replace(/\s+$/, '');
}

function textStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          out.write(`${formatLogLine(JSON.parse(line) as Record<string, unknown>)}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      callback();
    },
  });
}

export interface LoggerOptions {
  format?: LogFormat;
  level?: LevelWithSilent;
  /** Where lines go; default process.stderr (stdout is for results: tables, --json). */
  destination?: NodeJS.WritableStream;
  /** A second destination for info and above, as pino JSON lines (the log tail for failure pings). */
  tee?: NodeJS.WritableStream;
  /** A log file: gets every line at `level`; `destination` then gets warnings and errors only. */
  file?: NodeJS.WritableStream;
}

/** Given options, returns a pino logger; e.g. `createLogger({format:'json'}).info({db}, 'copied')`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const level = options.level ?? 'info';
  const json = options.format === 'json';
  const main = json ? destination : textStream(destination);
  const streams: { level: LevelWithSilent; stream: NodeJS.WritableStream }[] = [
    // With a log file, stderr is what cron mails: only what needs a look.
    { level: options.file ? 'warn' : 'trace', stream: main },
    ...(options.file ? [{ level: 'trace' as const, stream: json ? options.file : textStream(options.file) }] : []),
    ...(options.tee ? [{ level: 'info' as const, stream: options.tee }] : []),
  ];
  const stream = streams.length > 1 ? pino.multistream(streams as never) : main;
  return pino(
    { level, base: undefined, ...(json ? { timestamp: pino.stdTimeFunctions.isoTime } : {}) },
    stream as never,
  );
}

/** A logger that drops everything: the default for library calls and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
