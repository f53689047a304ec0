/** Python strftime formats (tarsnapper's `dateformat`) as date-fns formats, for hotsnap's `date_format`. */

/** strftime directive → date-fns pattern (C locale, as tarsnapper runs from cron). */
const DIRECTIVES: Record<string, string> = {
  Y: 'yyyy',
  y: 'yy',
  m: 'MM',
  d: 'dd',
  H: 'HH',
  I: 'hh',
  M: 'mm',
  S: 'ss',
  p: 'a',
  b: 'MMM',
  h: 'MMM',
  B: 'MMMM',
  a: 'EEE',
  A: 'EEEE',
  u: 'i',
  G: 'RRRR',
  V: 'II',
  F: 'yyyy-MM-dd',
  T: 'HH:mm:ss',
  R: 'HH:mm',
  D: 'MM/dd/yy',
};
/** glibc's `%-d` (no padding) → date-fns' unpadded tokens. */
const UNPADDED: Record<string, string> = { d: 'd', m: 'M', H: 'H', I: 'h', M: 'm', S: 's' };
/** Why a directive has no counterpart, in words a user can act on. */
const UNSUPPORTED: Record<string, string> = {
  j: 'day of the year: hotsnap refuses day-of-year tokens, use %m%d',
  U: 'week of the year: date-fns has no Sunday-based week number',
  W: 'week of the year: date-fns has no Monday-based week number outside ISO weeks (%G-%V)',
  w: 'weekday number with Sunday = 0: date-fns has none (use %u, Monday = 1)',
  e: 'space-padded day: date-fns cannot pad with spaces (use %d)',
  k: 'space-padded hour: date-fns cannot pad with spaces (use %H)',
  l: 'space-padded hour: date-fns cannot pad with spaces (use %I)',
  f: 'microseconds: tarsnapper wrote real microseconds, and hotsnap names keep at most milliseconds',
  z: 'UTC offset: tarsnapper formats a zone-less UTC time, so it wrote nothing here',
  Z: 'zone name: tarsnapper formats a zone-less UTC time, so it wrote nothing here',
  c: "the locale's date and time: spell it out, e.g. %Y%m%d-%H%M%S",
  x: "the locale's date: spell it out, e.g. %Y%m%d",
  X: "the locale's time: spell it out, e.g. %H%M%S",
  s: "seconds since the epoch: Python took tarsnapper's UTC time for local time, so it is off by the host's UTC offset",
  C: 'century: date-fns has no century token',
  g: 'two-digit ISO year: date-fns has no such token that parses back',
  n: 'newline: archive names must not contain control characters',
  t: 'tab: archive names must not contain control characters',
};

/** Given literal text, returns it as date-fns reads it: letters and quotes inside '…'. */
function quoteLiteral(text: string): string {
  return /[A-Za-z']/.test(text) ? `'${text.replace(/'/g, "''")}'` : text;
}

/**
 * Given a Python strftime format, returns the date-fns format that writes the same text, or
 * throws an Error naming the directive and why it has no equivalent.
 * Example: `strftimeToDateFns('%Y%m%d-%H%M%S')` → `'yyyyMMdd-HHmmss'`; `strftimeToDateFns('%j')` throws.
 */
export function strftimeToDateFns(format: string): string {
  let out = '';
  let literal = '';
  const flush = (): void => {
    out += quoteLiteral(literal);
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      literal += char;
      continue;
    }
    const next = format[i + 1];
    if (next === undefined)
      throw new Error(`dateformat "${format}" ends with a lone "%" (write "%%" for a percent sign)`);
    i++;
    if (next === '%') {
      literal += '%';
      continue;
    }
    if (next === '-') {
      const directive = format[i + 1];
      const token = directive === undefined ? undefined : UNPADDED[directive];
      if (token === undefined)
        throw new Error(
          `dateformat "${format}": "%-${directive ?? ''}" is not supported (only %-d, %-m, %-H, %-I, %-M and %-S)`,
        );
      i++;
      flush();
      out += token;
      continue;
    }
    const token = DIRECTIVES[next];
    if (token === undefined) {
      const why =
        UNSUPPORTED[next] ??
        (/[_0^#1-9]/.test(next) ? 'padding and width flags are not supported' : 'not a strftime directive');
      throw new Error(`dateformat "${format}": %${next} has no date-fns equivalent (${why})`);
    }
    flush();
    out += token;
  }
  flush();
  return out;
}
