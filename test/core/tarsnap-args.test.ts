import { describe, expect, it } from 'vitest';
import {
  buildContentsArgs,
  buildCreateArgs,
  buildDeleteArgs,
  buildExtractArgs,
  buildFsckArgs,
  buildListArgs,
  buildStatsArgs,
  buildVersionArgs,
  memberOperand,
  type CreateOptions,
} from '../../src/core/tarsnap-args.js';
import { assertExtraArgs } from '../../src/core/tarsnap-extra-args.js';

const common = { keyfile: '/root/tarsnap.key', cachedir: '/var/cache/tarsnap' };
const K = ['--keyfile', '/root/tarsnap.key'];
const KC = [...K, '--cachedir', '/var/cache/tarsnap'];
const NDC = '--no-default-config';
const S = '/tmp/hotsnap-stage';
const ghost = '/var/www/ghost/content/data/ghost.db';
const ghostExcludes = [
  '--exclude',
  ghost,
  '--exclude',
  `${ghost}-wal`,
  '--exclude',
  `${ghost}-shm`,
  '--exclude',
  `${ghost}-journal`,
];
const base: CreateOptions = { name: 'web1-daily-2024-05-06_07-08-09', stageDir: S, stagedFiles: [], paths: ['/etc'] };

describe('buildCreateArgs', () => {
  it('minimal', () =>
    expect(buildCreateArgs(common, base).argv).toEqual([
      '-c',
      ...KC,
      NDC,
      '--exclude',
      S,
      '-f',
      base.name,
      '-C',
      S,
      '/etc',
    ]));
  it('the ghost.db layout from the doc', () =>
    expect(
      buildCreateArgs(common, { ...base, stagedFiles: [{ source: ghost }], paths: ['/var/www/ghost'] }).argv,
    ).toEqual([
      '-c',
      ...KC,
      NDC,
      '--exclude',
      S,
      ...ghostExcludes,
      '-f',
      base.name,
      '-C',
      S,
      'var/www/ghost/content/data/ghost.db',
      '/var/www/ghost',
    ]));
  it('stats, verbose, dry run in that order', () =>
    expect(buildCreateArgs(common, { ...base, printStats: true, verbose: true, dryRun: true }).argv).toEqual([
      '-c',
      ...KC,
      NDC,
      '--print-stats',
      '-v',
      '--dry-run',
      '--exclude',
      S,
      '-f',
      base.name,
      '-C',
      S,
      '/etc',
    ]));
  it('extra args before excludes', () =>
    expect(
      buildCreateArgs({ ...common, extraArgs: ['--checkpoint-bytes', '1G', '--one-file-system'] }, base).argv,
    ).toEqual([
      '-c',
      ...KC,
      NDC,
      '--checkpoint-bytes',
      '1G',
      '--one-file-system',
      '--exclude',
      S,
      '-f',
      base.name,
      '-C',
      S,
      '/etc',
    ]));
  it('user excludes first, unchanged', () =>
    expect(buildCreateArgs(common, { ...base, exclude: ['*.log', '/var/www/tmp', '-odd'] }).argv).toEqual([
      '-c',
      ...KC,
      NDC,
      '--exclude',
      '*.log',
      '--exclude',
      '/var/www/tmp',
      '--exclude',
      '-odd',
      '--exclude',
      S,
      '-f',
      base.name,
      '-C',
      S,
      '/etc',
    ]));
  it('staged manifest after the databases', () =>
    expect(
      buildCreateArgs(common, {
        ...base,
        stagedFiles: [{ source: '/srv/a.db' }],
        stagedExtra: ['.hotsnap'],
      }).argv.slice(-5),
    ).toEqual(['-C', S, 'srv/a.db', '.hotsnap', '/etc']));
  it('operands starting with - or @ get ./', () =>
    expect(
      buildCreateArgs(common, {
        ...base,
        stagedFiles: [{ source: '/-x/a.db' }, { source: '/@y.db' }],
        stagedExtra: ['-m'],
        paths: [],
      }).argv.slice(-5),
    ).toEqual(['-C', S, './-x/a.db', './@y.db', './-m']));
  it('glob characters in a database path are escaped in its excludes', () =>
    expect(
      buildCreateArgs(common, { ...base, stagedFiles: [{ source: '/srv/d[1]/*.db' }] })
        .argv.filter((w, i, a) => a[i - 1] === '--exclude')
        .slice(1, 3),
    ).toEqual(['/srv/d\\[1]/\\*.db', '/srv/d\\[1]/\\*.db-wal']));
  it('paths and stage are normalised', () =>
    expect(buildCreateArgs(common, { ...base, stageDir: '/tmp//st/', paths: ['/var//www/'] }).argv.slice(-3)).toEqual([
      '-C',
      '/tmp/st',
      '/var/www',
    ]));
  it('passphrase method after --no-default-config', () =>
    expect(buildCreateArgs({ ...common, passphrase: 'env:TARSNAP_PASS' }, base).argv.slice(0, 8)).toEqual([
      '-c',
      ...KC,
      NDC,
      '--passphrase',
      'env:TARSNAP_PASS',
    ]));
  it('mutates unless tarsnap itself dry-runs', () =>
    expect([buildCreateArgs(common, base).mutates, buildCreateArgs(common, { ...base, dryRun: true }).mutates]).toEqual(
      [true, false],
    ));
  it('summary', () =>
    expect(buildCreateArgs(common, base).summary).toBe('create archive web1-daily-2024-05-06_07-08-09'));

  it('puts every option before the first operand', () => {
    const { argv } = buildCreateArgs(
      { ...common, extraArgs: ['-L'] },
      {
        ...base,
        stagedFiles: [{ source: ghost }],
        stagedExtra: ['.hotsnap'],
        exclude: ['*.tmp'],
        printStats: true,
        verbose: true,
        dryRun: true,
      },
    );
    const firstOperand = argv.indexOf('-C') + 2;
    expect(argv.slice(firstOperand).some((w) => w.startsWith('-'))).toBe(false);
    expect(argv.slice(0, firstOperand).filter((w) => w === '-f')).toHaveLength(1);
  });

  it.each([
    ['a relative path (it would point into the stage after -C)', { paths: ['home/alice'] }, /absolute path/],
    ['a relative stage', { stageDir: 'stage' }, /absolute path/],
    ['a relative database', { stagedFiles: [{ source: 'x.db' }] }, /absolute path/],
    ['a database staged twice', { stagedFiles: [{ source: '/a.db' }, { source: '//a.db' }] }, /staged twice/],
    ['a staged extra outside the stage', { stagedExtra: ['../etc'] }, /inside the stage/],
    ['an absolute staged extra', { stagedExtra: ['/etc'] }, /inside the stage/],
    ['nothing to archive', { paths: [] }, /nothing to archive/],
    ['an empty name', { name: '' }, /archive name must not be empty/],
    ['an empty exclude', { exclude: [''] }, /exclude pattern must not be empty/],
    ['a NUL in a path', { paths: ['/a\0b'] }, /NUL/],
  ])('refuses %s', (_why, change, message) => {
    expect(() => buildCreateArgs(common, { ...base, ...change } as CreateOptions)).toThrow(message);
  });

  it('refuses a bad passphrase method and an empty keyfile', () => {
    expect(() => buildCreateArgs({ ...common, passphrase: 'hunter2' }, base)).toThrow(/env:VARIABLE or file:PATH/);
    expect(() => buildCreateArgs({ ...common, keyfile: '' }, base)).toThrow(/keyfile/);
  });
});

describe('assertExtraArgs', () => {
  it.each([
    [[]],
    [['--checkpoint-bytes', '1G']],
    [['--checkpoint-bytes=1G', '--maxbw-rate', '100000']],
    [['-L', '-Lh', '--one-file-system', '--snaptime', '/var/run/snap']],
    [['-X', '/etc/tarsnap.exclude', '-s', '/^x/y/']],
    [['-X/etc/ex']],
  ])('accepts %j', (args) => expect(() => assertExtraArgs(args)).not.toThrow());

  it.each([
    [['/etc'], /bare word would end option parsing/],
    [['--'], /own options into file names/],
    [['-f', 'x'], /-f is a mode, is hotsnap's/],
    [['-d'], /-d is a mode/],
    [['-cv'], /-c is a mode/],
    [['--keyfile', '/k'], /tarsnap.keyfile/],
    [['--cachedir=/c'], /tarsnap.cachedir/],
    [['--dry-run'], /hotsnap run --dry-run/],
    [['--humanize-numbers'], /byte counts/],
    [['-P'], /-P is/],
    [['--nuke'], /not a tarsnap 1.0.41 option/],
    [['--checkpoint'], /write it in full/],
    [['--checkpoint-bytes'], /needs a value/],
    [['--one-file-system=yes'], /takes no value/],
  ])('refuses %j', (args, message) => expect(() => assertExtraArgs(args)).toThrow(message));
});

describe('buildDeleteArgs', () => {
  it('names on stdin, oldest first, keep going', () =>
    expect(buildDeleteArgs(common, ['a', 'b', 'c'])).toEqual({
      argv: ['-d', ...KC, NDC, '--keep-going', '--archive-names', '-'],
      mutates: true,
      summary: 'delete 3 archives',
      stdin: 'a\nb\nc\n',
    }));
  it('print stats, no keep-going', () =>
    expect(buildDeleteArgs(common, ['a'], { keepGoing: false, printStats: true })).toEqual({
      argv: ['-d', ...KC, NDC, '--print-stats', '--archive-names', '-'],
      mutates: true,
      summary: 'delete 1 archive',
      stdin: 'a\n',
    }));
  it('names with spaces, tabs and a leading dash stay on stdin', () =>
    expect(buildDeleteArgs(common, ['-x', 'a b', 'c\td']).stdin).toBe('-x\na b\nc\td\n'));
  it('a name with a newline: every name as -f, order kept', () =>
    expect(buildDeleteArgs(common, ['a', 'b\nc', 'd'])).toEqual({
      argv: ['-d', ...KC, NDC, '--keep-going', '-f', 'a', '-f', 'b\nc', '-f', 'd'],
      mutates: true,
      summary: 'delete 3 archives',
    }));
  it('a name with a carriage return (tarsnap splits lines there too)', () =>
    expect(buildDeleteArgs(common, ['a\rb']).argv.slice(-2)).toEqual(['-f', 'a\rb']));
  it('duplicates once', () => expect(buildDeleteArgs(common, ['a', 'b', 'a']).stdin).toBe('a\nb\n'));
  it('refuses no names', () => expect(() => buildDeleteArgs(common, [])).toThrow(/no archives/));
  it('refuses an empty name', () => expect(() => buildDeleteArgs(common, ['a', ''])).toThrow(/must not be empty/));
});

describe('other modes', () => {
  it('list', () =>
    expect(buildListArgs(common, { verbose: 0 })).toEqual({
      argv: ['--list-archives', ...K, NDC, '--null-output'],
      mutates: false,
      summary: 'list archives',
    }));
  it('list -v', () =>
    expect(buildListArgs(common, { verbose: 1 }).argv).toEqual(['--list-archives', ...K, NDC, '-v', '--null-output']));
  it('list -vv with passphrase', () =>
    expect(buildListArgs({ ...common, passphrase: 'file:/root/pass' }, { verbose: 2 }).argv).toEqual([
      '--list-archives',
      ...K,
      NDC,
      '--passphrase',
      'file:/root/pass',
      '-v',
      '-v',
      '--null-output',
    ]));
  it('extract all', () =>
    expect(buildExtractArgs(common, 'n', { to: '/restore' })).toEqual({
      argv: ['-x', ...K, NDC, '-f', 'n', '-C', '/restore'],
      mutates: true,
      summary: 'extract archive n into /restore',
    }));
  it('extract members', () =>
    expect(
      buildExtractArgs(common, 'n', { to: '/r/', members: ['/var/www/ghost.db', 'etc/a*b', '-x'] }).argv.slice(-5),
    ).toEqual(['-C', '/r', 'var/www/ghost.db', 'etc/a\\*b', './-x']));
  it('extract refuses a relative target', () =>
    expect(() => buildExtractArgs(common, 'n', { to: 'r' })).toThrow(/absolute/));
  it('contents', () =>
    expect(buildContentsArgs(common, 'n')).toEqual({
      argv: ['-t', ...K, NDC, '-f', 'n'],
      mutates: false,
      summary: 'list the contents of archive n',
    }));
  it('contents -v --null-output', () =>
    expect(buildContentsArgs(common, '-n', { verbose: true, nullOutput: true }).argv).toEqual([
      '-t',
      ...K,
      NDC,
      '-v',
      '--null-output',
      '-f',
      '-n',
    ]));
  it('fsck', () =>
    expect(buildFsckArgs(common)).toEqual({
      argv: ['--fsck', ...KC, NDC],
      mutates: true,
      summary: 'rebuild the cache directory (fsck)',
    }));
  it('fsck-prune', () => expect(buildFsckArgs(common, { prune: true }).argv).toEqual(['--fsck-prune', ...KC, NDC]));
  it('version', () =>
    expect(buildVersionArgs()).toEqual({ argv: ['--version'], mutates: false, summary: 'print the tarsnap version' }));
  it('stats', () =>
    expect(buildStatsArgs(common)).toEqual({
      argv: ['--print-stats', ...KC, NDC],
      mutates: false,
      summary: 'print storage statistics',
    }));
  it('extraArgs only reach -c', () =>
    expect(buildListArgs({ ...common, extraArgs: ['-L'] }, { verbose: 0 }).argv).not.toContain('-L'));
  it('member operand', () => expect(memberOperand('//@odd[1]')).toBe('./@odd\\[1]'));
});
