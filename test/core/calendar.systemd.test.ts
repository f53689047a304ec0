/**
 * The calendar evaluator against the real thing: `systemd-analyze calendar --base-time` parses,
 * normalises and steps through the same expressions (the table, and random ones from fast-check).
 * Skipped with a visible reason where systemd-analyze is absent.
 */
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCalendar, parseCalendar } from '../../src/core/calendar.js';
import { nextElapse } from '../../src/core/calendar-elapse.js';
import { BASE, INVALID, VALID } from './calendar-cases.js';

const available = (await execa('sh', ['-c', 'command -v systemd-analyze'], { reject: false })).exitCode === 0;
if (!available)
  console.warn(
    'test/core/calendar.systemd.test.ts: skipped — systemd-analyze is not installed here, so there is no systemd to compare with',
  );

interface SystemdAnswer {
  normalised?: string;
  elapses: string[];
  error?: string;
  unanswered?: string;
}

/** Given expressions and a base, returns systemd's reading of each (elapses as ISO, UTC). */
async function askSystemd(texts: readonly string[], base: string, iterations: number): Promise<SystemdAnswer[]> {
  const baseTime = `${base.slice(0, 10)} ${base.slice(11, 19)} UTC`;
  const result = await execa(
    'systemd-analyze',
    ['calendar', `--base-time=${baseTime}`, `--iterations=${iterations}`, ...texts],
    {
      env: { TZ: 'UTC', LC_ALL: 'C', SYSTEMD_COLORS: '0' },
      reject: false,
    },
  );
  // stdout holds a block per parsed expression, starting with "Original form" (left out when it
  // equals the normalised form); stderr a "Failed to parse" line per refused one.
  const answers = new Map<string, SystemdAnswer>();
  for (const line of result.stderr.split('\n')) {
    const failed = /^Failed to parse calendar specification '(.*)': (.*)$/.exec(line);
    if (failed) answers.set(failed[1]!, { elapses: [], error: failed[2]! });
    // systemd 252 sometimes gives up near a DST change ("Resource deadlock avoided"): no answer.
    const gaveUp = /^Failed to determine next elapse for '(.*)': (.*)$/.exec(line);
    if (gaveUp) answers.set(gaveUp[1]!, { elapses: [], unanswered: gaveUp[2]! });
  }
  let original: string | undefined;
  let current: SystemdAnswer | undefined;
  for (const line of result.stdout.split('\n')) {
    const originalForm = /^\s*Original form: (.*)$/.exec(line);
    if (originalForm) original = originalForm[1]!;
    const normalised = /^\s*Normalized form: (.*)$/.exec(line);
    if (normalised) {
      answers.set(original ?? normalised[1]!, (current = { normalised: normalised[1]!, elapses: [] }));
      original = undefined;
    }
    const elapse = /^\s*(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$/.exec(line);
    if (elapse && current) current.elapses.push(new Date(`${elapse[1]!.replace(' ', 'T')}Z`).toISOString());
  }
  return texts.map((text) => answers.get(text) ?? { elapses: [], error: `no answer for "${text}"` });
}

function ours(text: string, base: string, iterations: number): { normalised: string; elapses: string[] } {
  const spec = parseCalendar(text);
  const elapses: string[] = [];
  let after = Date.parse(base);
  for (let index = 0; index < iterations; index++) {
    const next = nextElapse(spec, after, 'UTC');
    if (next === undefined) break;
    elapses.push(new Date(next).toISOString());
    after = next;
  }
  return { normalised: formatCalendar(spec), elapses };
}

// HOTSNAP_STRESS=1 compares 2000 random expressions per base instead of 60.
const RUNS = process.env.HOTSNAP_STRESS ? 2000 : 60;

describe.skipIf(!available)('calendar agrees with systemd-analyze calendar', () => {
  it('on every table expression: same normalised form, same first elapses', async () => {
    const answers = await askSystemd(
      VALID.map((entry) => entry.text),
      BASE,
      3,
    );
    VALID.forEach((entry, index) => {
      expect({ text: entry.text, ...answers[index] }).toEqual({ text: entry.text, ...ours(entry.text, BASE, 3) });
    });
  });

  it('refuses what systemd refuses, and parses what only hotsnap refuses', async () => {
    const answers = await askSystemd(
      INVALID.filter((entry) => entry.text.trim() !== '').map((entry) => entry.text),
      BASE,
      1,
    );
    INVALID.filter((entry) => entry.text.trim() !== '').forEach((entry, index) => {
      expect({ text: entry.text, refusedBySystemd: answers[index]!.error !== undefined }).toEqual({
        text: entry.text,
        refusedBySystemd: !entry.hotsnapOnly,
      });
    });
  });

  it(
    'on random expressions, in UTC and in zones with daylight saving, from random bases',
    { timeout: Math.max(30_000, RUNS * 100) },
    async () => {
      const list = (item: fc.Arbitrary<string>) =>
        fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
      const numeric = (min: number, max: number) =>
        fc.oneof(
          fc.integer({ min, max }).map(String),
          fc
            .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
            .map(([a, b]) => `${Math.min(a, b)}..${Math.max(a, b)}`),
          fc
            .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }))
            .map(([a, step]) => `${a}/${step}`),
        );
      const field = (min: number, max: number) =>
        fc.oneof({ weight: 1, arbitrary: fc.constant('*') }, { weight: 3, arbitrary: list(numeric(min, max)) });
      const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
      const weekdays = fc.subarray(days, { minLength: 1 }).map((chosen) => chosen.join(','));
      const expression = fc
        .tuple(
          fc.option(weekdays, { nil: undefined }),
          field(1, 12),
          field(1, 31),
          field(0, 23),
          field(0, 59),
          fc.option(field(0, 59), { nil: undefined }),
          // Not Australia/Lord_Howe (30-minute DST): there systemd 252 contradicts itself, e.g.
          // "*-*-1/13,21..26 *:*:16" and "*-*-1,14,21..26 *:*:16" (the same days) elapse 30
          // minutes apart after 2024-03-30T22:17Z.
          fc.constantFrom('', ' UTC', ' Europe/Berlin', ' America/New_York', ' Asia/Kolkata', ' Europe/London'),
        )
        .map(
          ([week, month, day, hour, minute, second, zone]) =>
            `${week ? `${week} ` : ''}*-${month}-${day} ${hour}:${minute}${second ? `:${second}` : ''}${zone}`,
        );
      // Bases a little before the 2024 daylight-saving changes of those zones, and one ordinary day.
      const bases = [
        '2024-03-30T22:17:00Z',
        '2024-10-26T23:05:00Z',
        '2024-11-03T04:10:00Z',
        '2024-04-06T14:00:00Z',
        '2024-06-15T09:41:13Z',
      ];
      for (const base of bases) {
        const texts = [...new Set(fc.sample(expression, { numRuns: RUNS, seed: Date.parse(base) % 100_000 }))];
        const answers = await askSystemd(texts, base, 4);
        const unanswered = answers.filter((answer) => answer.unanswered !== undefined).length;
        expect(unanswered).toBeLessThan(texts.length / 20);
        texts.forEach((text, index) => {
          // Both refuse it, or both read it the same way.
          const answer = answers[index]!;
          if (answer.unanswered !== undefined) return;
          let mine: object;
          try {
            mine = { refused: false, ...ours(text, base, 4) };
          } catch {
            mine = { refused: true };
          }
          const theirs =
            answer.error === undefined
              ? { refused: false, normalised: answer.normalised, elapses: answer.elapses }
              : { refused: true };
          expect({ text, base, ...theirs }).toEqual({ text, base, ...mine });
        });
      }
    },
  );
});
