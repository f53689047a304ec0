/**
 * A ping URL is a secret (the UUID or ping key in it lets anyone report for the check): logs show
 * only its scheme and host, and whatever a server answers or an error says is masked the same way.
 */

/**
 * Given a ping URL, returns it fit for logs: scheme and host only.
 * Example: maskPingUrl('https://hc-ping.com/0f4e…-abc/start') → 'https://hc-ping.com/…'.
 */
export function maskPingUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(invalid ping URL)';
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Shorter path segments and values (`ping`, `fail`, `create=1`) say nothing secret; masking them garbles the text. */
const MIN_SECRET_LENGTH = 6;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Given a ping URL, returns every form of its secret parts a server or an error may echo, longest first. */
function secretPartsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const parts = [url, parsed.href, parsed.pathname.replace(/\/+$/, ''), parsed.search];
  parts.push(...parsed.pathname.split('/'), parsed.username, parsed.password);
  for (const value of parsed.searchParams.values()) parts.push(value);
  const forms = parts.flatMap((part) => [part, safeDecode(part), encodeURIComponent(safeDecode(part))]);
  return [...new Set(forms)].filter((part) => part.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * Given text a ping produced (the server's answer, an error message) and the URLs involved, returns
 * it with every form of their secrets masked: whole URLs down to scheme and host, their paths, path
 * segments, query values and credentials (any case, encoded or not), and anything shaped like a UUID.
 * Example: maskPingText('no check /0f4e…-abc/start', ['https://hc-ping.com/0f4e…-abc']) → 'no check /…/start'.
 */
export function maskPingText(text: string, urls: readonly string[]): string {
  const known = urls.filter((url) => url.length >= MIN_SECRET_LENGTH);
  let masked = text;
  for (const url of known) masked = masked.replace(new RegExp(escapeRegExp(url), 'gi'), maskPingUrl(url));
  const parts = [...new Set(known.flatMap(secretPartsOf))].sort((a, b) => b.length - a.length);
  for (const part of parts)
    masked = masked.replace(new RegExp(escapeRegExp(part), 'gi'), part.startsWith('/') ? '/…' : '…');
  return masked.replace(UUID, '…');
}

/**
 * Given a server's answer, returns it fit for one log line: masked first (so a cut can't leave half a
 * secret), then control characters and runs of space made one space, at most 200 characters.
 */
export function describePingAnswer(answer: string, urls: readonly string[]): string {
  const line = maskPingText(answer, urls)
    .replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
