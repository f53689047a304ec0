/**
 * Reading what tarsnap 1.0.41 prints: `--list-archives --null-output` and the `--print-stats` table
 * (and its `--csv-file` form). What a failed call's stderr means is in tarsnap-failure.ts.
 */
import { UserError } from '../errors.js';

/** tarsnap's output was not what 1.0.41 prints (cut short, or changed by a config file). */
export class TarsnapOutputError extends UserError {}

/** One archive from `--list-archives`: `created` with -v (absent if tarsnap stored none), `argv` with -vv. */
export interface ListedArchive {
  name: string;
  created?: Date;
  argv?: string[];
}

const LIST_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Given `YYYY-MM-DD HH:MM:SS` printed by tarsnap under TZ=UTC, returns that instant, or null. */
function parseListDate(text: string): Date | null {
  const m = LIST_DATE.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Reject 2024-02-30 and friends instead of rolling them over.
  const back = date.toISOString().slice(0, 19).replace('T', ' ');
  return back === text ? date : null;
}

/**
 * Given the stdout of `tarsnap --list-archives --null-output` with `verbosity` -v flags, returns the
 * archives in the order printed (tarsnap's order is arbitrary: sort yourself). Each record ends in
 * one NUL, fields are split by two, command-line words by three. Throws TarsnapOutputError on
 * output that is cut short or malformed, so a caller never prunes from a partial list.
 * Example: `parseListArchives('a\0\x002024-05-06 07:08:09\0', 1)` → `[{ name: 'a', created: 2024-05-06T07:08:09Z }]`.
 */
export function parseListArchives(stdout: string, verbosity: 0 | 1 | 2): ListedArchive[] {
  const fail = (why: string, at: number): never => {
    throw new TarsnapOutputError(
      `cannot read tarsnap --list-archives output: ${why} (at character ${at} of ${stdout.length}); refusing to act on a partial list`,
    );
  };
  if (stdout.length === 0) return [];
  if (!stdout.endsWith('\0'))
    fail('it does not end in a NUL, so it was cut short (or --null-output was not given)', stdout.length);

  let pos = 0;
  /** Reads text up to the next NUL, then the run of NULs after it. */
  const next = (): { text: string; nuls: number; at: number } => {
    if (pos >= stdout.length) fail('a record is cut short', pos);
    const at = pos;
    const end = stdout.indexOf('\0', pos);
    let after = end;
    while (after < stdout.length && stdout[after] === '\0') after++;
    pos = after;
    return { text: stdout.slice(at, end), nuls: after - end, at };
  };

  /** Reads -vv command-line words: `first` is the first word, `nuls` the run of NULs after it. */
  const readArgv = (first: string, nuls: number, at: number): string[] => {
    const words = [first];
    for (;;) {
      // n NULs after a word: 3k+1 → k empty words, then the record ends; 3k → k-1 empty words, then a word.
      if (nuls % 3 === 2) fail(`${nuls} NULs after a command-line word`, at);
      const empties = nuls % 3 === 1 ? (nuls - 1) / 3 : nuls / 3 - 1;
      words.push(...Array<string>(empties).fill(''));
      if (nuls % 3 === 1) break;
      const word = next();
      words.push(word.text);
      nuls = word.nuls;
      at = word.at;
    }
    // An archive stored without a command line prints an empty field: that is no words, not one empty word.
    return words.length === 1 && words[0] === '' ? [] : words;
  };
  /** Reads a -vv command line that starts after a field separator followed by `extra` more NULs. */
  const readArgvField = (extra: number, at: number): string[] => {
    if (extra > 0) return readArgv('', extra, at);
    const first = next();
    return readArgv(first.text, first.nuls, first.at);
  };

  const archives: ListedArchive[] = [];
  while (pos < stdout.length) {
    const { text: name, nuls, at } = next();
    if (name.length === 0) fail('an empty archive name', at);
    const archive: ListedArchive = { name };
    archives.push(archive);
    if (verbosity === 0) {
      if (nuls !== 1) fail(`${nuls} NULs after archive ${JSON.stringify(name)} (expected 1 without -v)`, at);
      continue;
    }
    if (verbosity === 1) {
      if (nuls === 1) continue; // stored without a creation time
      if (nuls !== 2) fail(`${nuls} NULs after archive ${JSON.stringify(name)} (expected 2 before its date)`, at);
      const field = next();
      const created = parseListDate(field.text);
      if (!created) return fail(`${JSON.stringify(field.text)} is not a YYYY-MM-DD HH:MM:SS date`, field.at);
      if (field.nuls !== 1) fail(`${field.nuls} NULs after the date of ${JSON.stringify(name)} (expected 1)`, field.at);
      archive.created = created;
      continue;
    }
    // -vv: the command-line field is always printed; the date only when the archive has one.
    if (nuls < 2) fail(`${nuls} NUL after archive ${JSON.stringify(name)} (expected at least 2 with -vv)`, at);
    if (nuls > 2) {
      archive.argv = readArgvField(nuls - 2, at);
      continue;
    }
    const field = next();
    const created = parseListDate(field.text);
    if (created && field.nuls >= 2) {
      archive.created = created;
      archive.argv = readArgvField(field.nuls - 2, field.at);
    } else {
      archive.argv = readArgv(field.text, field.nuls, field.at);
    }
  }
  return archives;
}

/** Sizes in bytes, as tarsnap prints them without --humanize-numbers. */
export interface SizePair {
  total: number;
  compressed: number;
}

/** One `--print-stats` table. `thisArchive` is the row named "This archive" or the archive's name. */
export interface PrintStats {
  allArchives: SizePair;
  uniqueData: SizePair;
  thisArchive?: SizePair;
  newData?: SizePair;
  deletedData?: SizePair;
}

type Row = { label: string; total: string; compressed: string };

function toStats(rows: readonly Row[], where: string): PrintStats {
  const bytes = (row: Row): SizePair => {
    if (!/^\d+$/.test(row.total) || !/^\d+$/.test(row.compressed)) {
      throw new TarsnapOutputError(
        `${where}: "${row.label.trim()}" sizes are not plain byte counts (is humanize-numbers set in a tarsnap config file?)`,
      );
    }
    return { total: Number(row.total), compressed: Number(row.compressed) };
  };
  const [all, unique, archive, change] = rows;
  if (!all || all.label.trim() !== 'All archives' || !unique || unique.label.trim() !== '(unique data)') {
    throw new TarsnapOutputError(`${where}: expected "All archives" and "(unique data)" rows`);
  }
  const stats: PrintStats = { allArchives: bytes(all), uniqueData: bytes(unique) };
  if (archive) stats.thisArchive = bytes(archive);
  if (change?.label.trim() === 'New data') stats.newData = bytes(change);
  if (change?.label.trim() === 'Deleted data') stats.deletedData = bytes(change);
  return stats;
}

const TABLE_HEADER = /^\s+Total size\s+Compressed size\s*$/;
/** A size is bytes, or with humanize-numbers `573 B`, `2.6 kB`, `12 MB`. */
const SIZE = String.raw`(\d+(?:\.\d)?(?: [kMGTPE]?B)?)`;
const TABLE_ROW = new RegExp(String.raw`^(.*?)\s+${SIZE}\s+${SIZE}\s*$`);

/**
 * Given text holding one or more `--print-stats` tables (stderr of `-c`/`-d`, with other lines
 * around them, or stdout of `--print-stats`), returns each table in order (a `-d` of several
 * archives prints one per archive).
 * Example: `parsePrintStatsTables(stderr).length` → `2` after deleting two archives.
 */
export function parsePrintStatsTables(text: string): PrintStats[] {
  const lines = text.split(/\r?\n/);
  const tables: PrintStats[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!TABLE_HEADER.test(lines[i] ?? '')) continue;
    const rows: Row[] = [];
    for (let j = i + 1; j < lines.length && rows.length < 4; j++) {
      const m = TABLE_ROW.exec(lines[j] ?? '');
      if (!m || TABLE_HEADER.test(lines[j] ?? '')) break;
      rows.push({ label: m[1] ?? '', total: m[2] ?? '', compressed: m[3] ?? '' });
    }
    tables.push(toStats(rows, 'cannot read tarsnap --print-stats table'));
    i += rows.length;
  }
  return tables;
}

/**
 * Given text holding a `--print-stats` table, returns the last one (after a multi-archive `-d`,
 * its "All archives" is the state after every deletion). Throws TarsnapOutputError when none.
 * Example: `parsePrintStats(stderr).newData?.compressed` → `1797`.
 */
export function parsePrintStats(stderrOrStdout: string): PrintStats {
  const tables = parsePrintStatsTables(stderrOrStdout);
  const last = tables[tables.length - 1];
  if (!last) throw new TarsnapOutputError('tarsnap printed no --print-stats table');
  return last;
}

/**
 * Given the file written by `--csv-file` (`Archive name,Total size,Compressed size` then one row
 * per line), returns the same numbers. The archive name column may itself hold commas.
 * Example: `parseStatsCsv('Archive name,Total size,Compressed size\nAll archives,10,5\n  (unique data),8,4\n')
 * .uniqueData.total` → `8`.
 */
export function parseStatsCsv(csv: string): PrintStats {
  const lines = csv.split(/\r?\n/).filter((line) => line.length > 0);
  const [header, ...body] = lines;
  if (!header?.startsWith('Archive name,') || !header.endsWith(',Total size,Compressed size')) {
    throw new TarsnapOutputError(
      'cannot read tarsnap --csv-file output: missing its "Archive name,Total size,Compressed size" header',
    );
  }
  const rows = body.map((line): Row => {
    const fields = line.split(',');
    // Take sizes from the right: a name may contain commas; an optional "# of chunks" column is skipped.
    const compressed = fields.pop() ?? '';
    const total = fields.pop() ?? '';
    if (header.split(',').length === 4) fields.pop();
    return { label: fields.join(','), total, compressed };
  });
  return toStats(rows, 'cannot read tarsnap --csv-file output');
}
