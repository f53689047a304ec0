/**
 * Config errors quote the value they refuse — `profiles.daily.paths[0]: "etc" must be an absolute
 * path` — so the reader sees what is wrong without opening the file; secrets (a passphrase written
 * in place of env:/file:, tokens in URLs) are masked as in the logs.
 */
import { maskSecrets } from '../core/mask-secrets.js';

/** A value found in the parsed YAML and the path to show for it (list items as [0]). */
export interface Located {
  found: boolean;
  value?: unknown;
  /** e.g. "profiles.daily.paths[0]". */
  display: string;
  /** The keys and indexes as found, e.g. ['profiles', 'db.example', 'paths', '0']. */
  parts: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Given parsed YAML and a path (parts, or dotted, where a key may itself hold dots), returns the
 * value there and the path as messages show it.
 * Example: `locate({ profiles: { daily: { paths: ['etc'] } } }, 'profiles.daily.paths.0')` →
 * `{ found: true, value: 'etc', display: 'profiles.daily.paths[0]', parts: ['profiles', 'daily', 'paths', '0'] }`.
 */
export function locate(data: unknown, path: string | readonly (string | number)[]): Located {
  const parts = typeof path === 'string' ? (path === '' ? [] : path.split('.')) : path.map(String);
  let value: unknown = data;
  let display = '';
  const found: string[] = [];
  for (let index = 0; index < parts.length; index++) {
    if (Array.isArray(value) && /^\d+$/.test(parts[index]!)) {
      display += `[${parts[index]}]`;
      found.push(parts[index]!);
      value = value[Number(parts[index])];
      continue;
    }
    // A profile name may hold dots ("db.example"): take the shortest run of parts that is a key.
    let end = index + 1;
    while (isRecord(value) && !(parts.slice(index, end).join('.') in value) && end < parts.length) end++;
    const key = parts.slice(index, end).join('.');
    if (!isRecord(value) || !(key in value)) {
      const rest = parts.slice(index).join('.');
      return { found: false, display: display ? `${display}.${rest}` : rest, parts: [...found, ...parts.slice(index)] };
    }
    display += display ? `.${key}` : key;
    found.push(key);
    value = value[key];
    index = end - 1;
  }
  return { found: true, value, display, parts: found };
}

/** Longest list or mapping quoted whole; a longer one is only named by its path. */
const MAX_QUOTED = 60;

/**
 * Given a path and the value there, returns the value as a message quotes it (masked when secret),
 * or undefined when there is nothing short to quote.
 * Example: `quoteValue('tarsnap.passphrase', 'hunter2')` → `"***"`; `quoteValue('x', 'etc')` → `"etc"`.
 */
export function quoteValue(path: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (/(^|\.)passphrase$/.test(path) && !/^(env|file):/.test(value)) return '"***"';
    let masked = maskSecrets([value])[0]!;
    // A ping URL without its scheme still carries its token.
    if (/(^|\.)ping$/.test(path)) masked = masked.replace(/[A-Za-z0-9_-]{16,}/g, '***');
    return JSON.stringify(masked);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const text = JSON.stringify(value);
  return text.length <= MAX_QUOTED ? text : undefined;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Given a message and the quoted value, returns the message leading with the value, unless it
 * quotes it already. Example: `withValue('must be an absolute path', '"etc"')` → `"etc" must be an absolute path`.
 */
export function withValue(message: string, quoted: string | undefined): string {
  if (quoted === undefined) return message;
  if (new RegExp(`(^|[^\\w.-])${escapeRegExp(quoted)}($|[^\\w.-])`).test(message)) return message;
  return /^(must|is|are|has|contains)\b/.test(message) ? `${quoted} ${message}` : `${quoted}: ${message}`;
}
