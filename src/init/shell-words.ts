/**
 * Reading a simple POSIX shell command line (a tarsnapper hook, run with `shell=True`) as words,
 * so a known command shape can be recognised. Only the plain forms are read: words, '…' and "…"
 * quoting, backslashes, and commands joined by `&&`, `;` or newlines. Anything the shell would
 * expand or redirect ($, `, |, <, >, (, ), a lone &, globs, ~) makes it unreadable: undefined.
 */

/** How the commands of a line are joined. */
export type ShellJoin = '&&' | ';';

/** Commands of one shell line: each a list of words, with the operator that follows it. */
export interface ShellCommand {
  words: string[];
  /** The operator after this command; undefined for the last one. */
  then?: ShellJoin;
}

const UNSUPPORTED = new Set(['$', '`', '|', '<', '>', '(', ')', '*', '?', '[', '{', '}', '#']);

/**
 * Given a shell command line, returns its commands as words, or undefined when the line uses
 * anything but plain words, quotes and `&&`/`;`.
 * Example: `readShellCommands('sqlite3 /a.db ".backup /b.db" && rm -f /c')` →
 * `[{ words: ['sqlite3', '/a.db', '.backup /b.db'], then: '&&' }, { words: ['rm', '-f', '/c'] }]`.
 */
export function readShellCommands(line: string): ShellCommand[] | undefined {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  /** Ends the command before an operator; false for `;` or `&&` with no command before it. */
  const endCommand = (then: ShellJoin, newline = false): boolean => {
    endWord();
    if (words.length === 0) return newline;
    commands.push({ words, then });
    words = [];
    return true;
  };
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (char === "'") {
      const end = line.indexOf("'", index + 1);
      if (end < 0) return undefined;
      word = (word ?? '') + line.slice(index + 1, end);
      index = end;
    } else if (char === '"') {
      let text = '';
      for (index++; index < line.length && line[index] !== '"'; index++) {
        const inner = line[index]!;
        if (inner === '$' || inner === '`') return undefined;
        if (inner === '\\' && /["\\$`\n]/.test(line[index + 1] ?? '')) text += line[++index];
        else text += inner;
      }
      if (index >= line.length) return undefined;
      word = (word ?? '') + text;
    } else if (char === '\\') {
      if (index + 1 >= line.length) return undefined;
      word = (word ?? '') + line[++index];
    } else if (char === ' ' || char === '\t') endWord();
    else if (char === ';' || char === '\n') {
      if (!endCommand(';', char === '\n')) return undefined;
    } else if (char === '&') {
      if (line[index + 1] !== '&' || !endCommand('&&')) return undefined;
      index++;
    } else if (UNSUPPORTED.has(char) || (char === '~' && word === undefined)) return undefined;
    else word = (word ?? '') + char;
  }
  endWord();
  if (words.length > 0) commands.push({ words });
  else if (commands.at(-1)?.then === '&&') return undefined;
  const last = commands.at(-1);
  if (last) delete last.then;
  return commands.length > 0 ? commands : undefined;
}
