/** Quoting for display: hints and logs show commands a user can paste; hotsnap itself never runs a shell. */

/** Given one word, returns it quoted for a POSIX shell (ANSI-C `$'…'` when it holds control characters). */
export function shellQuote(word: string): string {
  if (word.length === 0) return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  if (/[\u0000-\u001f\u007f]/.test(word)) {
    const escaped = word.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => {
      const named: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\t': '\\t', '\r': '\\r' };
      return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
    return `$'${escaped}'`;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
