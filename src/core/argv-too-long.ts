/** Explaining why the system refused to start tarsnap with an argument list that is too long (E2BIG). */
import { formatBytes } from './summary.js';

/** Linux's limit for one argument (MAX_ARG_STRLEN, 32 pages); the whole list is limited by ARG_MAX too. */
const MAX_ONE_ARGUMENT_BYTES = 128 * 1024;

/** Given bytes, returns them in KiB: the one-argument limit is a binary 128 KiB, so its message counts in KiB. */
const inKiB = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`;

/**
 * Given a binary and the argv the system refused to start it with (E2BIG), returns one line
 * saying why and what to change.
 * Example: 200 000 `--exclude` patterns → "200002 exclude patterns make the tarsnap command line
 * 8.0 MB (400015 arguments), over the system's limit for a program's arguments: use fewer,
 * broader patterns in exclude (one pattern with * can stand for many names)".
 */
export function describeArgvTooLong(binary: string, argv: readonly string[]): string {
  const bytes = [binary, ...argv].reduce((sum, word) => sum + Buffer.byteLength(word, 'utf8') + 1, 0);
  const longest = argv.reduce((best, word) => (word.length > best.length ? word : best), '');
  if (Buffer.byteLength(longest, 'utf8') > MAX_ONE_ARGUMENT_BYTES) {
    const start = longest.slice(0, 40);
    return `one tarsnap argument is ${inKiB(Buffer.byteLength(longest, 'utf8'))} (it starts ${JSON.stringify(start)}), over the system's limit of ${inKiB(MAX_ONE_ARGUMENT_BYTES)} for one argument: shorten that path or pattern`;
  }
  const excludes = argv.filter((word) => word === '--exclude').length;
  const size = `${formatBytes(bytes)} (${argv.length + 1} arguments)`;
  if (excludes * 4 >= argv.length) {
    return `${excludes} exclude patterns make the tarsnap command line ${size}, over the system's limit for a program's arguments: use fewer, broader patterns in exclude (one pattern with * can stand for many names)`;
  }
  return `the tarsnap command line is ${size}, over the system's limit for a program's arguments: list fewer paths and exclude patterns (a parent directory stands for everything below it)`;
}
