/**
 * The "awkward file names" tree the end-to-end and emulator tests back up and restore: names that
 * break naive shell quoting, line splitting or option parsing. One copy, so every test covers the same cases.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Relative path → contents: a space, a newline, a tab, unicode, a leading dash and a leading at sign. */
export const AWKWARD_FILES: Readonly<Record<string, string>> = {
  'notes/with space.txt': 'spaces survive\n',
  'notes/new\nline.txt': 'newlines survive\n',
  'notes/ünïcödé.txt': 'unicode survives\n',
  'tab\tname.txt': 'tabs survive\n',
  '-dash.txt': 'leading dashes survive\n',
  '@at.txt': 'leading at signs survive\n',
};

/** Given a directory, writes AWKWARD_FILES below it (parents created). */
export function writeAwkwardFiles(dir: string): void {
  for (const [name, contents] of Object.entries(AWKWARD_FILES)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), contents);
  }
}

/** Given a directory prefix like `data/`, returns AWKWARD_FILES keyed by `prefix + name` (for a sandbox's `write`). */
export function awkwardFilesUnder(prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(AWKWARD_FILES).map(([name, contents]) => [prefix + name, contents]));
}
