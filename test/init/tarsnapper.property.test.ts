import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { MachineDefaults } from '../../src/config/resolve.js';
import { renderStarterConfig } from '../../src/init/starter-config.js';
import { planTarsnapSection, type DetectedTarsnap } from '../../src/init/tarsnap-section.js';
import { convertTarsnapper } from '../../src/init/tarsnapper-convert.js';
import { TarsnapperConfigError } from '../../src/init/tarsnapper-jobs.js';
import { renderTarsnapperConfig } from '../../src/init/tarsnapper-render.js';

const MACHINE: MachineDefaults = { hostname: 'web1', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap' };

const piece = (...options: string[]) => fc.constantFrom(...options);
const text = (parts: fc.Arbitrary<string>, max = 6) => fc.array(parts, { maxLength: max }).map((list) => list.join(''));
const name = fc.oneof(
  piece('etc', 'www', 'db', 'my photos', '_x', 'a.b', 'ü', '-', 'x{y}', 'a\nb', '$name', "it's"),
  fc.string({ maxLength: 6 }),
);
const targetPart = text(
  piece('$name', '${name}', '-', '/', 'host', '{', '}', '$$', '$', '$NAME', '.part', ' ', 'ä', "'"),
  3,
);
// Mostly targets tarsnapper accepts (with $date), so the conversion itself is what gets exercised.
const target = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(targetPart, piece('$date', '${date}'), targetPart).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: text(piece('$name', '$date', '{', '-'), 4) },
);
const globalTarget = fc.option(fc.oneof(piece('$name-$date', 'h/${name}/$date'), target), { nil: undefined });
const dateformat = fc.option(
  text(
    piece(
      '%Y',
      '%m',
      '%d',
      '%H',
      '%M',
      '%S',
      '%y',
      '%j',
      '%b',
      '%p',
      '%I',
      '%F',
      '%T',
      '%%',
      '-',
      '_',
      'T',
      "'",
      ':',
      '%-d',
      '%f',
      ' ',
    ),
  ),
  { nil: undefined },
);
const deltaWord = piece('1d', '7d', '30d', '360d', '6h', '1h', '30s', '0d', '1w', '24h', 'x');
const deltas = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: piece('1d 7d 30d', '6h 1d', '30d 1d 7d', '1d 24h 7d', '0d 1d', '1d 1d') },
    { weight: 1, arbitrary: fc.array(deltaWord, { maxLength: 4 }).map((words) => words.join(' ')) },
  ),
  { nil: undefined },
);
const path = fc.oneof(
  { weight: 6, arbitrary: piece('/etc', '/srv/app.db', '/home/a b', '/ü/x', '/a{b}', '/x: [y]') },
  { weight: 1, arbitrary: fc.oneof(piece('relative', ''), fc.constant(5), fc.constant(null)) },
);
const hook = fc.option(
  fc.oneof(piece('systemctl stop x', 'echo "a, b" | logger', "it's: [x]", '', '#!'), fc.constant(['a'])),
  { nil: undefined },
);

const job = fc.record(
  {
    sources: fc.array(path, { minLength: 1, maxLength: 3 }),
    excludes: fc.array(fc.oneof(piece('*.tmp', '/x', ''), fc.constant(1)), { maxLength: 2 }),
    target,
    dateformat,
    deltas,
    aliases: fc.array(name, { maxLength: 2 }),
    exec_before: hook,
    exec_after: hook,
    force: fc.option(fc.boolean(), { nil: undefined }),
  },
  { requiredKeys: [] },
);
const tarsnapper = fc.record(
  {
    target: globalTarget,
    dateformat,
    deltas,
    jobs: fc.dictionary(name, fc.option(job, { nil: null, freq: 8 }), { minKeys: 1, maxKeys: 4 }),
  },
  { requiredKeys: ['jobs'] },
);
const detected: fc.Arbitrary<DetectedTarsnap> = fc
  .record({
    files: fc.constant(['/root/.tarsnaprc']),
    keyfile: fc.option(
      fc.record({ value: piece('/root/k', 'rel/k', '/a b/k'), file: fc.constant('/root/.tarsnaprc') }),
      { nil: undefined },
    ),
    cachedir: fc.option(fc.record({ value: piece('/c', 'c'), file: fc.constant('/root/.tarsnaprc') }), {
      nil: undefined,
    }),
    options: fc.array(
      fc.record({
        name: piece('exclude', 'print-stats', 'nodump', 'checkpoint-bytes', 'bogus', 'maxbw-rate'),
        value: fc.option(piece('1G', '*.core', 'x y'), { nil: null }),
        file: fc.constant('/root/.tarsnaprc'),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ keyfile, cachedir, ...rest }) => ({
    ...rest,
    ...(keyfile ? { keyfile } : {}),
    ...(cachedir ? { cachedir } : {}),
  }));

describe('whatever the input, init writes a config hotsnap accepts', () => {
  it('a tarsnapper config converts to YAML that passes parseConfig, or is refused with TarsnapperConfigError', () => {
    let converted = 0;
    fc.assert(
      fc.property(tarsnapper, detected, (config, conf) => {
        const section = planTarsnapSection(conf);
        let conversion;
        try {
          conversion = convertTarsnapper({ config }, section);
        } catch (error) {
          expect(error).toBeInstanceOf(TarsnapperConfigError);
          expect((error as TarsnapperConfigError).problems.length).toBeGreaterThan(0);
          return;
        }
        converted++;
        const parsed = parseConfig(
          renderTarsnapperConfig(conversion, '/etc/tarsnapper.yml', section),
          'hotsnap.yaml',
          MACHINE,
        );
        expect(parsed.profiles.map((profile) => conversion.origins[profile.name])).toEqual(
          Object.keys(conversion.origins).map((key) => conversion.origins[key]),
        );
      }),
      { numRuns: process.env.HOTSNAP_STRESS ? 5000 : 300 },
    );
    // The generator must reach the interesting branch, not only refusals.
    expect(converted).toBeGreaterThan(30);
  });

  it('the starter config passes parseConfig for any tarsnap.conf', () => {
    fc.assert(
      fc.property(detected, (conf) => {
        const config = parseConfig(
          renderStarterConfig({ ...MACHINE, tarsnap: planTarsnapSection(conf) }),
          'hotsnap.yaml',
          MACHINE,
        );
        expect(config.profiles).toHaveLength(2);
      }),
      { numRuns: 100 },
    );
  });
});
