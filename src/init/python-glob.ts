/** Python's glob, as far as tarsnapper's `include-jobs` needs it: which names a pattern matches. */

/**
 * Given a path or name, returns whether Python's glob treats it as a pattern:
 * `hasGlobMagic('jobs.d/*.yml')` → true.
 */
export function hasGlobMagic(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * Given one path component of a Python glob pattern (tarsnapper's `include-jobs`), returns a RegExp
 * for the names it matches: fnmatch's `*`, `?`, `[seq]`, `[!seq]`; like glob, names starting with
 * "." match only a pattern starting with ".".
 * Example: `globComponentToRegExp('*.yml').test('web.yml')` → true; `.test('.hidden.yml')` → false.
 */
export function globComponentToRegExp(pattern: string): RegExp {
  let source = pattern.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      // fnmatch: a "]" right after "[" or "[!" belongs to the set; no closing "]" means a literal "[".
      let end = i + 1;
      if (pattern[end] === '!') end++;
      if (pattern[end] === ']') end++;
      while (end < pattern.length && pattern[end] !== ']') end++;
      if (end >= pattern.length) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end);
      const negate = set.startsWith('!');
      if (negate) set = set.slice(1);
      source += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`);
  }
  return new RegExp(`^${source}$`, 's');
}
