/** The progress flags of the -c and -x builders: --progress-bytes before extra_args, -v for -x. */
import { describe, expect, it } from 'vitest';
import { buildCreateArgs, buildExtractArgs } from '../../src/core/tarsnap-args.js';

const common = { keyfile: 'K', cachedir: 'C' };
const create = { name: 'n', stageDir: '/S', stagedFiles: [], paths: ['/etc'] };

describe('progress flags', () => {
  it("-c asks for a progress line every N bytes, among hotsnap's options before extra_args", () => {
    expect(buildCreateArgs({ ...common, extraArgs: ['--lowmem'] }, { ...create, progressBytes: 50_000 }).argv).toEqual([
      '-c',
      '--keyfile',
      'K',
      '--cachedir',
      'C',
      '--no-default-config',
      '--progress-bytes',
      '50000',
      '--lowmem',
      '--exclude',
      '/S',
      '-f',
      'n',
      '-C',
      '/S',
      '/etc',
    ]);
  });

  it('-c leaves it to extra_args that set it (tarsnap refuses --progress-bytes twice)', () => {
    const argv = buildCreateArgs(
      { ...common, extraArgs: ['--progress-bytes', '1M'] },
      { ...create, progressBytes: 50_000 },
    ).argv;
    expect(argv.filter((word) => word === '--progress-bytes')).toHaveLength(1);
    expect(argv[argv.indexOf('--progress-bytes') + 1]).toBe('1M');
  });

  it('-c without it is as before', () => {
    expect(buildCreateArgs(common, create).argv).not.toContain('--progress-bytes');
  });

  it('-x -v prints an "x PATH" line per member, options before the operands', () => {
    expect(buildExtractArgs(common, 'n', { to: '/r', verbose: true, members: ['srv/a'] }).argv).toEqual([
      '-x',
      '--keyfile',
      'K',
      '--no-default-config',
      '-v',
      '-f',
      'n',
      '-C',
      '/r',
      'srv/a',
    ]);
    expect(buildExtractArgs(common, 'n', { to: '/r' }).argv).not.toContain('-v');
  });
});
