/**
 * Masking secrets in a command line before it is logged (as borgmatic's mask_command_secrets does):
 * key paths are fine to show; passphrases and ping URLs with tokens are not.
 */

const SECRET = '***';
const URL_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*@)?([^\s/?#]*)([^\s?#]*)(\?[^\s#]*)?/gi;

function maskUrls(text: string): string {
  return text.replace(
    URL_PATTERN,
    (_match, scheme: string, userinfo: string | undefined, host: string, path: string, query: string | undefined) => {
      const user =
        userinfo === undefined
          ? ''
          : userinfo.includes(':')
            ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${SECRET}@`
            : `${SECRET}@`;
      // Ping services put the token in the path (hc-ping.com/<uuid>): hide long opaque segments.
      const maskedPath = path.replace(/[A-Za-z0-9_-]{16,}/g, SECRET);
      const maskedQuery = query === undefined ? '' : query.replace(/=([^&]*)/g, `=${SECRET}`);
      return `${scheme}${user}${host}${maskedPath}${maskedQuery}`;
    },
  );
}

/**
 * Given an argv, returns a copy fit for logs: URL credentials, query values and long path tokens
 * masked; a `--passphrase` value kept when it is a reference (`env:`, `file:`, `dev:`), else masked.
 * Example: `maskSecrets(['--passphrase', 'hunter2'])` → `['--passphrase', '***']`.
 */
export function maskSecrets(argv: readonly string[]): string[] {
  const masked: string[] = [];
  const maskPassphrase = (value: string): string => (/^(?:env|file|dev):/.test(value) ? value : SECRET);
  argv.forEach((word, i) => {
    if (argv[i - 1] === '--passphrase') masked.push(maskPassphrase(word));
    else if (word.startsWith('--passphrase='))
      masked.push(`--passphrase=${maskPassphrase(word.slice('--passphrase='.length))}`);
    else masked.push(maskUrls(word));
  });
  return masked;
}
