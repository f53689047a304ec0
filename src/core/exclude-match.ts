/**
 * tarsnap's `--exclude` matching, closely enough to estimate what `-c` will read (1.0.41
 * `tar/matching.c` with glibc fnmatch and FNM_LEADING_DIR): `*` and `?` also match `/`, `[...]`
 * classes (`!` negates), `\` quotes; a match may stop at a `/` ("dir" drops "dir/x"); unanchored
 * (tried after every `/`) unless the pattern starts with `/` or `*`. `[:class:]` is not supported:
 * such a pattern never matches here, so the estimate only errs towards more bytes.
 */

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Given a bracket expression's body (after `[`), returns its regex class and its length, or undefined. */
function bracket(pattern: string, start: number): { regex: string; end: number } | undefined {
  let index = start;
  let body = '';
  if (pattern[index] === '!' || pattern[index] === '^') {
    body += '^';
    index++;
  }
  for (let first = true; index < pattern.length; first = false) {
    const character = pattern[index]!;
    if (character === ']' && !first) return { regex: `[${body}]`, end: index + 1 };
    if (character === '[' && pattern[index + 1] === ':') return undefined;
    if (character === '\\') index++;
    if (index >= pattern.length) return undefined;
    body += pattern[index] === '-' && !first && pattern[index + 1] !== ']' ? '-' : escapeRegExp(pattern[index]!);
    index++;
  }
  return undefined;
}

/**
 * Given a tarsnap exclude pattern, returns a predicate on walked paths (absolute, or relative to -C).
 * Example: `excludeMatcher('*.tmp')('/srv/a.tmp')` → true; `excludeMatcher('cache')('/var/cache/x')` → true.
 */
export function excludeMatcher(pattern: string): (path: string) => boolean {
  let source = '';
  for (let index = 0; index < pattern.length;) {
    const character = pattern[index]!;
    if (character === '*') source += '.*';
    else if (character === '?') source += '.';
    else if (character === '\\' && index + 1 < pattern.length) {
      index++;
      source += escapeRegExp(pattern[index]!);
    } else if (character === '[') {
      const parsed = bracket(pattern, index + 1);
      if (parsed === undefined && pattern.includes('[:', index)) return () => false;
      if (parsed !== undefined) {
        source += parsed.regex;
        index = parsed.end;
        continue;
      }
      source += '\\[';
    } else source += escapeRegExp(character);
    index++;
  }
  const anchored = pattern.startsWith('/') || pattern.startsWith('*');
  const regex = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${source}(?:/.*)?$`, 's');
  return (path) => regex.test(path);
}
