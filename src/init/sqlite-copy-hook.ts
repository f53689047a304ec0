/**
 * Recognising a hook that copies SQLite databases for tarsnap to archive — `sqlite3 DB ".backup
 * COPY"` (also `.save`, `-cmd ".timeout 5000"`, `VACUUM INTO 'COPY'`), several joined by `&&` or
 * `;` — and a hook that only removes those copies afterwards (`rm -f COPY`). Anything else is not
 * recognised, so a hook that does more is never half converted.
 */
import { basename } from 'node:path';
import { readShellCommands } from './shell-words.js';

/** One database copied by a hook: the live database and the file the copy was written to. */
export interface SqliteCopy {
  database: string;
  copy: string;
}

/** sqlite3 options that take one argument (sqlite3 -help), and those that take none. */
const OPTIONS_WITH_VALUE = new Set(['cmd', 'init', 'maxsize', 'mmap', 'newline', 'nullvalue', 'separator', 'vfs']);
const FLAGS = new Set(['bail', 'batch', 'echo', 'header', 'noheader', 'nofollow', 'readonly', 'safe', 'stats']);

/** A single-quoted SQL string ('' inside is a quote), or a word without spaces or quotes. */
const PATH_TEXT = String.raw`'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([^\s'"]+)`;
const BACKUP = new RegExp(String.raw`^\.(?:backup|save)\s+(?:(?:--async|main)\s+)*(?:${PATH_TEXT})\s*$`);
const VACUUM = new RegExp(String.raw`^VACUUM\s+(?:main\s+)?INTO\s+(?:${PATH_TEXT})\s*;?\s*$`, 'i');
/** Commands that change nothing about what is copied: a lock wait, stop on error, quit. */
const HARMLESS = /^(?:\.timeout\s+\d+|\.bail\s+on|\.quit|\.exit|PRAGMA\s+busy_timeout\s*=\s*\d+\s*;?)\s*$/i;

/** Given one sqlite3 command text, returns the copy's path it writes, '' when harmless, undefined otherwise. */
function copyTarget(text: string): string | undefined {
  const trimmed = text.trim();
  if (HARMLESS.test(trimmed)) return '';
  const match = BACKUP.exec(trimmed) ?? VACUUM.exec(trimmed);
  if (!match) return undefined;
  if (match[1] !== undefined) return match[1].replaceAll("''", "'");
  if (match[2] !== undefined) return match[2].replaceAll('""', '"');
  return match[3];
}

/** Given the words of one command, returns the copies a sqlite3 call makes, or undefined when it is not one. */
function sqliteCopies(words: readonly string[]): SqliteCopy[] | undefined {
  if (basename(words[0] ?? '') !== 'sqlite3') return undefined;
  const texts: string[] = [];
  let database: string | undefined;
  for (let index = 1; index < words.length; index++) {
    const word = words[index]!;
    const option = /^--?([a-z]+)$/.exec(word)?.[1];
    if (option !== undefined && database === undefined) {
      if (FLAGS.has(option)) continue;
      if (!OPTIONS_WITH_VALUE.has(option) || index + 1 >= words.length) return undefined;
      const value = words[++index]!;
      if (option === 'cmd') texts.push(value);
      else if (option === 'init') return undefined;
      continue;
    }
    if (database === undefined) database = word;
    else texts.push(word);
  }
  if (database === undefined || !database.startsWith('/')) return undefined;
  const copies: SqliteCopy[] = [];
  for (const text of texts) {
    const copy = copyTarget(text);
    if (copy === undefined || (copy !== '' && !copy.startsWith('/'))) return undefined;
    if (copy !== '') copies.push({ database, copy });
  }
  return copies.length > 0 ? copies : undefined;
}

/**
 * Given a hook's shell line, returns the database copies it makes when that is all it does, else undefined.
 * Example: `readSqliteCopyHook('sqlite3 /srv/app.db ".backup /var/backups/app.db"')` →
 * `[{ database: '/srv/app.db', copy: '/var/backups/app.db' }]`.
 */
export function readSqliteCopyHook(line: string): SqliteCopy[] | undefined {
  const commands = readShellCommands(line);
  if (!commands) return undefined;
  const copies: SqliteCopy[] = [];
  for (const { words } of commands) {
    const found = sqliteCopies(words);
    if (!found) return undefined;
    copies.push(...found);
  }
  return copies;
}

/**
 * Given a hook's shell line and the copies, returns whether it only removes some of those copies.
 * Example: `removesOnly('rm -f /var/backups/app.db', ['/var/backups/app.db'])` → true.
 */
export function removesOnly(line: string, copies: readonly string[]): boolean {
  const commands = readShellCommands(line);
  return (
    commands !== undefined &&
    commands.every(({ words }) => {
      if (basename(words[0]!) !== 'rm') return false;
      const files = words.slice(1).filter((word) => !/^-[frv]+$/.test(word) && word !== '--');
      return files.length > 0 && files.every((file) => copies.includes(file));
    })
  );
}
