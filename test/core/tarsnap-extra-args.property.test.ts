/**
 * `extra_args` has one rule: whatever `config validate` (parseConfig) accepts, the `-c` builder that
 * `run` uses accepts too, and the reverse, so a config can no longer pass validate and then stop a
 * run after every database was copied. Checked over a table of known cases and random argv lists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { tarsnapCommon } from '../../src/config/tarsnap-common.js';
import { buildCreateArgs, type CreateOptions } from '../../src/core/tarsnap-args.js';
import { findExtraArgsProblem } from '../../src/core/tarsnap-extra-args.js';

const machine = { hostname: 'testhost', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap' };
const create: CreateOptions = {
  name: 'testhost-daily-2024-05-06_07-08-09',
  stageDir: '/tmp/stage',
  stagedFiles: [{ source: '/srv/app.db' }],
  paths: ['/etc'],
  printStats: true,
};

/** JSON is YAML: a JSON string survives as the same string, NUL and line breaks included. */
function configText(extraArgs: readonly string[]): string {
  return `tarsnap:\n  keyfile: /root/tarsnap.key\n  cachedir: /var/cache/tarsnap\n  extra_args: ${JSON.stringify(extraArgs)}\nprofiles:\n  daily:\n    paths: [/etc]\n`;
}

/** What validate says: undefined when it accepts, else the extra_args issues. */
function validate(extraArgs: readonly string[]): string[] | undefined {
  try {
    const config = parseConfig(configText(extraArgs), '/etc/hotsnap/hotsnap.yaml', machine);
    expect(config.tarsnap.extra_args).toEqual(extraArgs);
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

/** What run's builder says: true when it builds the -c call from the config run would use. */
function builds(extraArgs: readonly string[]): boolean {
  try {
    const config = parseConfig(configText([]), '/etc/hotsnap/hotsnap.yaml', machine);
    buildCreateArgs(tarsnapCommon({ ...config, tarsnap: { ...config.tarsnap, extra_args: [...extraArgs] } }), create);
    return true;
  } catch {
    return false;
  }
}

describe('extra_args: config validation and the create builder agree', () => {
  it.each([
    [[], true],
    [['--checkpoint-bytes', '1G', '--one-file-system'], true],
    [['-L', '-Lh', '-X', '/etc/tarsnap.exclude', '-X/etc/ex', '--exclude=*.tmp'], true],
    [['-v'], false],
    [['-Lv'], false],
    [['--verbose'], false],
    [['--no-print-stats'], false],
    [['--configfile', '/root/.tarsnaprc'], false],
    [['--humanize-numbers'], false],
    [['-c'], false],
    [['-d'], false],
    [['-f', 'x'], false],
    [['-C', '/'], false],
    [['/etc'], false],
    [['--'], false],
    [['--checkpoint-bytes'], false],
    [['--maxbw-rate', '5\0'], false],
    [['--one-file-system\0'], false],
  ] as const)('%j → accepted: %s', (extraArgs, accepted) => {
    const issues = validate(extraArgs);
    expect(issues === undefined).toBe(accepted);
    expect(builds(extraArgs)).toBe(accepted);
    // A refusal names the key and index of the word, so the fix is obvious.
    if (issues)
      expect(issues).toEqual([
        expect.stringMatching(/^tarsnap\.extra_args\[\d+\]: tarsnap extra argument ".*" is not allowed: /s),
      ]);
  });

  it('the -v refusal no longer advises a --verbose flag hotsnap does not have', () => {
    expect(findExtraArgsProblem(['-v'])?.reason).not.toMatch(/--verbose/);
    expect(findExtraArgsProblem(['--verbose'])?.reason).not.toMatch(/hotsnap --verbose/);
  });

  const words = fc.oneof(
    fc.constantFrom(
      '-v',
      '-L',
      '-Lh',
      '-Lv',
      '-h',
      '-X',
      '-Xfile',
      '-s',
      '-T',
      '-c',
      '-x',
      '-f',
      '-C',
      '-',
      '--',
      '',
      '--one-file-system',
      '--nodump',
      '--checkpoint-bytes',
      '--checkpoint-bytes=1G',
      '1G',
      '/etc',
      'x',
      '--verbose',
      '--no-print-stats',
      '--print-stats',
      '--configfile',
      '--keyfile',
      '--exclude',
      '--exclude=a',
      '--maxbw-rate',
      '--quiet=1',
      '--dry-run',
      '--humanize-numbers',
      '--snaptime',
      '-n',
      'a\0b',
      '--nodump\0',
    ),
    fc.string({ maxLength: 8 }),
  );

  it('for any extra_args, validate accepts exactly what the builder accepts', () => {
    fc.assert(
      fc.property(fc.array(words, { maxLength: 6 }), (extraArgs) => {
        expect(validate(extraArgs) === undefined).toBe(builds(extraArgs));
      }),
      { numRuns: 200 },
    );
  });
});
