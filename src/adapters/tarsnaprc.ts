/**
 * Reading tarsnap's own config files for `hotsnap init`: `~/.tarsnaprc` first, then the system
 * file, the order in which tarsnap takes its options (the first value of an option wins, so the
 * user's file overrides the system's). hotsnap itself runs tarsnap with --no-default-config, which
 * is why init copies what matters (keyfile, cachedir, other options) into hotsnap.yaml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectedTarsnap } from '../init/tarsnap-section.js';

/** Where tarsnap builds look for the system file: the default prefix, then distribution packages. */
export const SYSTEM_TARSNAP_CONF = ['/usr/local/etc/tarsnap.conf', '/etc/tarsnap.conf'] as const;

/** One option line of a tarsnap config file. */
export interface TarsnapConfLine {
  name: string;
  /** null for a flag such as `print-stats`. */
  value: string | null;
  file: string;
  line: number;
}

/** Given a home directory, returns the files tarsnap reads, in its order. */
export function tarsnapConfFiles(home: string): string[] {
  return [join(home, '.tarsnaprc'), ...SYSTEM_TARSNAP_CONF];
}

/**
 * Given the text of a tarsnap config file, returns its option lines the way tarsnap reads them:
 * blank lines and `#` comments skipped, the name up to the first space or tab, the rest the value,
 * a leading `~` in the value replaced by the home directory.
 * Example: `parseTarsnapConf('keyfile ~/tarsnap.key\nprint-stats\n', 'rc', '/home/a')`
 * → `[{ name: 'keyfile', value: '/home/a/tarsnap.key', … }, { name: 'print-stats', value: null, … }]`.
 */
export function parseTarsnapConf(text: string, file: string, home: string): TarsnapConfLine[] {
  const lines: TarsnapConfLine[] = [];
  text.split('\n').forEach((raw, index) => {
    // tarsnap keeps trailing whitespace (with a warning); a path ending in a space is never meant.
    const line = raw.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
    if (line === '' || line.startsWith('#')) return;
    const split = line.search(/[ \t]/);
    const name = split === -1 ? line : line.slice(0, split);
    let value: string | null = split === -1 ? null : line.slice(split + 1).replace(/^[ \t]+/, '');
    if (value === '') value = null;
    if (value !== null && value.startsWith('~')) value = home + value.slice(1);
    lines.push({ name, value, file, line: index + 1 });
  });
  return lines;
}

/**
 * Given the files to read (see tarsnapConfFiles) and the home directory, returns keyfile and
 * cachedir (the first of each, as tarsnap takes them), every other option, and a warning for each
 * file that exists but cannot be read. Missing files are skipped.
 * Example: `detectTarsnapConf(tarsnapConfFiles('/root'), '/root').detected.keyfile` →
 * `{ value: '/root/tarsnap.key', file: '/root/.tarsnaprc' }`.
 */
export function detectTarsnapConf(
  files: readonly string[],
  home: string,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): { detected: DetectedTarsnap; warnings: string[] } {
  const warnings: string[] = [];
  const options: DetectedTarsnap['options'][number][] = [];
  let keyfile: DetectedTarsnap['keyfile'];
  let cachedir: DetectedTarsnap['cachedir'];
  for (const file of files) {
    let text: string;
    try {
      text = read(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        warnings.push(
          `cannot read ${file} (${code ?? (error as Error).message}); its tarsnap settings are not carried over`,
        );
      continue;
    }
    for (const option of parseTarsnapConf(text, file, home)) {
      if (option.name === 'keyfile' || option.name === 'cachedir') {
        if (option.value === null) continue;
        if (option.name === 'keyfile') keyfile ??= { value: option.value, file };
        else cachedir ??= { value: option.value, file };
        continue;
      }
      options.push({ name: option.name, value: option.value, file });
    }
  }
  return {
    detected: { files, ...(keyfile ? { keyfile } : {}), ...(cachedir ? { cachedir } : {}), options },
    warnings,
  };
}
