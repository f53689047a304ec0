/**
 * `--log-file FILE`: hotsnap appends every log line and the command's result to FILE itself, so
 * cron needs no redirection and mails only what is still printed: warnings, errors and the result
 * of a command that did not succeed. The file is opened anew by every run, in append mode, and
 * written synchronously (a line is in the file before the next is logged, and before exit): a
 * rotation (rename) while a run is in progress only sends that run's last lines to the rotated file.
 */
import { closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { UserError } from '../errors.js';

/** An open log file. */
export interface LogFile {
  readonly path: string;
  /** Takes text (pino's records, or the readable lines made from them) and appends it. */
  readonly stream: Writable;
  /** Appends text as it is. */
  append(text: string): void;
  close(): void;
}

/** The log file of this process (one command per process), for the result of `finish`. */
let active: LogFile | undefined;

/**
 * Given a path, opens it for appending (created mode 0640, its directory 0700 when missing) and
 * makes it this process's log file; throws a UserError saying why it cannot.
 * Example: `openLogFile('/var/log/hotsnap.log').append('…\n')`.
 */
export function openLogFile(path: string): LogFile {
  let fd: number;
  try {
    // The default log of a user is state_dir/hotsnap.log, and the first run creates state_dir.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Never through a symlink: root appending to a link another user planted (a log in /tmp, or
    // a directory someone else can write) would append to whatever file the link names.
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o640);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ELOOP'
        ? 'it is a symbolic link (hotsnap never follows one there); name the real file'
        : (error as Error).message;
    throw new UserError(`cannot append to the log file ${JSON.stringify(path)}: ${reason}`);
  }
  let open = true;
  const append = (text: string): void => {
    if (open && text) writeSync(fd, text);
  };
  const file: LogFile = {
    path,
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        try {
          append(chunk.toString());
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
    }),
    append,
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
      if (active === file) active = undefined;
    },
  };
  active?.close();
  active = file;
  return file;
}

/**
 * Given a command's stdout and exit code, prints it; with a log file, appends it there and prints
 * it only when the command did not succeed (cron mails what a job prints). Example:
 * writeResult('daily ok …\n', 0) with --log-file → the line in the file, nothing on stdout.
 */
export function writeResult(stdout: string, exitCode: number, out: NodeJS.WritableStream = process.stdout): void {
  if (active) {
    active.append(stdout);
    if (exitCode === 0) return;
  }
  out.write(stdout);
}

/**
 * Given the message of an error that ends the command, appends it to this process's log file (if
 * one is open) as an ERROR line, so the log read days later says why a run stopped, not only the mail.
 */
export function appendErrorToLogFile(message: string): void {
  // Real time, like every log record (src/clock.ts).
  active?.append(`${new Date().toISOString().slice(0, 19)}Z  ERROR  ${message.trimEnd()}\n`);
}
