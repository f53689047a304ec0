/** A command line as one bounded, masked, shell-quoted line for logs, errors and the state file. */
import { maskSecrets } from './mask-secrets.js';
import { shellQuote } from './shell-quote.js';

/** Most characters of a command line shown in a log line, an error or the state file; the rest is counted. */
export const MAX_COMMAND_DISPLAY_CHARS = 2000;

/**
 * Given a binary and its argv, returns a one-line, shell-quoted display string with secrets masked
 * (for logs only; commands are never run through a shell), at most `maxChars` long plus a count of
 * the arguments left out (a 200 000-pattern exclude list must not become a 10 MB log line).
 * Example: `formatCommandForLog('tarsnap', ['-f', 'a b'])` → `"tarsnap -f 'a b'"`;
 * with 400 000 arguments → `"tarsnap -c --keyfile K … --exclude /a … (399731 more arguments)"`.
 */
export function formatCommandForLog(
  binary: string,
  argv: readonly string[],
  maxChars = MAX_COMMAND_DISPLAY_CHARS,
): string {
  // Each shown word takes at least two characters: mask only the words that can be shown.
  const words = [binary, ...maskSecrets(argv.slice(0, maxChars))];
  const total = argv.length + 1;
  let shown = '';
  for (let i = 0; i < words.length; i++) {
    const quoted = shellQuote(words[i]!);
    const next = i === 0 ? quoted : `${shown} ${quoted}`;
    if (next.length > maxChars) {
      if (i === 0) shown = `${quoted.slice(0, maxChars)}…`;
      const rest = total - i;
      return `${shown} … (${rest} more argument${rest === 1 ? '' : 's'})`;
    }
    shown = next;
  }
  if (total > words.length) return `${shown} … (${total - words.length} more arguments)`;
  return shown;
}
