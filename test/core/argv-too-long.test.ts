import { describe, expect, it } from 'vitest';
import { describeArgvTooLong } from '../../src/core/argv-too-long.js';

describe('describeArgvTooLong', () => {
  it('many exclude patterns: their number, the size and the fix', () => {
    const argv = [
      '-c',
      '--keyfile',
      'K',
      ...Array.from({ length: 200_000 }, (_, i) => ['--exclude', `/srv/data/file-${i}.tmp`]).flat(),
      '-f',
      'n',
      '/srv',
    ];
    expect(describeArgvTooLong('tarsnap', argv)).toBe(
      "200000 exclude patterns make the tarsnap command line 7.1 MB (400007 arguments), over the system's limit for a program's arguments: use fewer, broader patterns in exclude (one pattern with * can stand for many names)",
    );
  });

  it('one argument over 128 KiB: names its start', () => {
    expect(describeArgvTooLong('tarsnap', ['-c', '--exclude', `/srv/${'a'.repeat(200_000)}`])).toBe(
      `one tarsnap argument is 196 KiB (it starts "/srv/${'a'.repeat(35)}"), over the system's limit of 128 KiB for one argument: shorten that path or pattern`,
    );
  });

  it('many paths', () => {
    expect(
      describeArgvTooLong('tarsnap', ['-c', '-f', 'n', ...Array.from({ length: 100_000 }, (_, i) => `/srv/${i}`)]),
    ).toMatch(
      /^the tarsnap command line is 1\.1 MB \(100004 arguments\), over the system's limit for a program's arguments: list fewer paths and exclude patterns/,
    );
  });
});
