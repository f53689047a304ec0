import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ARCHIVE_NAME,
  chooseArchiveName,
  formatArchiveName,
  parseArchiveName,
  validateNameTemplate,
} from '../../src/core/archive-name.js';

/** Date formats with the unit each keeps, so the expected parse result can be computed independently. */
const FORMATS = [
  { dateFormat: 'yyyy-MM-dd_HH-mm-ss', truncate: (d: Date) => Math.floor(d.getTime() / 1000) * 1000 },
  { dateFormat: "yyyyMMdd'T'HHmmss'Z'", truncate: (d: Date) => Math.floor(d.getTime() / 1000) * 1000 },
  { dateFormat: 'yyyy-MM-dd_HH-mm-ss.SSS', truncate: (d: Date) => d.getTime() },
  { dateFormat: 'yyyy.MM.dd-HH:mm', truncate: (d: Date) => Math.floor(d.getTime() / 60_000) * 60_000 },
  { dateFormat: 'yyyy-MM-dd', truncate: (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) },
  { dateFormat: 'yyyy-MM', truncate: (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) },
];
const TEMPLATES = [
  DEFAULT_ARCHIVE_NAME,
  '{profile}.{hostname}.{date}',
  '{date}_{hostname}_{profile}',
  'bk-{hostname}/{profile}@{date}.tar',
];

const nameChars = [...'abcxyzABZ0189', '-', '_', '.', ' '];
const identifier = fc.string({ unit: fc.constantFrom(...nameChars), minLength: 1, maxLength: 16 });
const owner = fc.record({ hostname: identifier, profile: identifier });
const date = fc.date({
  min: new Date('1970-01-01T00:00:00.000Z'),
  max: new Date('2200-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
const format = fc.constantFrom(...FORMATS);
const template = fc.constantFrom(...TEMPLATES);
/** A collision suffix as chooseArchiveName makes it (or none), and whether tarsnap added `.part`. */
const ending = fc.record({ suffix: fc.option(fc.integer({ min: 2, max: 500 }), { nil: null }), partial: fc.boolean() });

const withEnding = (name: string, e: { suffix: number | null; partial: boolean }): string =>
  `${name}${e.suffix === null ? '' : `.${e.suffix}`}${e.partial ? '.part' : ''}`;

describe('archive names (property)', () => {
  it('every template and format under test is valid', () => {
    for (const t of TEMPLATES) for (const f of FORMATS) expect(validateNameTemplate(t, f.dateFormat)).toEqual([]);
  });

  it("format → parse is the exact inverse, to the format's resolution", () => {
    fc.assert(
      fc.property(template, format, owner, date, ending, (t, f, who, d, e) => {
        const name = withEnding(formatArchiveName(t, { ...who, date: d }, f.dateFormat), e);
        const parsed = parseArchiveName(name, t, who, f.dateFormat);
        expect(parsed).not.toBeNull();
        expect(parsed?.time.getTime()).toBe(f.truncate(d));
        expect(parsed?.suffix).toBe(e.suffix);
        expect(parsed?.partial).toBe(e.partial);
      }),
      { numRuns: 500 },
    );
  });

  it('parse → format gives back the same name', () => {
    fc.assert(
      fc.property(template, format, owner, date, ending, (t, f, who, d, e) => {
        const name = withEnding(formatArchiveName(t, { ...who, date: d }, f.dateFormat), e);
        const parsed = parseArchiveName(name, t, who, f.dateFormat);
        if (parsed === null) throw new Error(`${name} did not parse`);
        expect(withEnding(formatArchiveName(t, { ...who, date: parsed.time }, f.dateFormat), parsed)).toBe(name);
      }),
    );
  });

  it('an archive of one host or profile is never claimed by another', () => {
    fc.assert(
      fc.property(template, format, owner, owner, date, ending, (t, f, mine, theirs, d, e) => {
        fc.pre(mine.hostname !== theirs.hostname || mine.profile !== theirs.profile);
        const name = withEnding(formatArchiveName(t, { ...theirs, date: d }, f.dateFormat), e);
        // A template can't tell host "a-b" + profile "c" from host "a" + profile "b-c": same name.
        const ambiguous =
          formatArchiveName(t, { ...mine, date: d }, f.dateFormat) ===
          formatArchiveName(t, { ...theirs, date: d }, f.dateFormat);
        fc.pre(!ambiguous);
        expect(parseArchiveName(name, t, mine, f.dateFormat)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('chooseArchiveName picks a name that is free (with its .part) and still parses to the same time', () => {
    fc.assert(
      fc.property(format, owner, date, fc.uniqueArray(ending, { maxLength: 8 }), (f, who, d, taken) => {
        const base = formatArchiveName(DEFAULT_ARCHIVE_NAME, { ...who, date: d }, f.dateFormat);
        const existing = new Set(taken.map((e) => withEnding(base, e)));
        const chosen = chooseArchiveName(base, existing);
        expect(existing.has(chosen)).toBe(false);
        expect(existing.has(`${chosen}.part`)).toBe(false);
        const parsed = parseArchiveName(chosen, DEFAULT_ARCHIVE_NAME, who, f.dateFormat);
        expect(parsed?.time.getTime()).toBe(f.truncate(d));
        expect(parsed?.partial).toBe(false);
      }),
    );
  });
});
