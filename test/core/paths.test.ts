import { describe, expect, it } from 'vitest';
import {
  escapeExcludePattern,
  liveDatabaseExcludes,
  normaliseAbsolutePath,
  safeOperand,
  stagedRelativePath,
} from '../../src/core/paths.js';

describe('escapeExcludePattern', () => {
  it.each([
    ['/var/www/ghost.db', '/var/www/ghost.db'],
    ['/srv/a*b', '/srv/a\\*b'],
    ['/srv/a?b', '/srv/a\\?b'],
    ['/srv/[x]', '/srv/\\[x]'],
    ['/srv/back\\slash', '/srv/back\\\\slash'],
    ['/srv/a b-c_d.e', '/srv/a b-c_d.e'],
    ['/*?[\\', '/\\*\\?\\[\\\\'],
  ])('%s → %s', (path, pattern) => {
    expect(escapeExcludePattern(path)).toBe(pattern);
  });
});

describe('normaliseAbsolutePath', () => {
  it.each([
    ['/var/www', '/var/www'],
    ['/var//www/', '/var/www'],
    ['/var/./www/../db', '/var/db'],
    ['/', '/'],
    ['//', '/'],
  ])('%s → %s', (path, normalised) => {
    expect(normaliseAbsolutePath(path)).toBe(normalised);
  });

  it.each(['', 'var/www', './x', '-x'])('refuses relative path %j', (path) => {
    expect(() => normaliseAbsolutePath(path)).toThrow(/absolute path/);
  });
});

describe('stagedRelativePath', () => {
  it.each([
    ['/var/www/ghost/content/data/ghost.db', 'var/www/ghost/content/data/ghost.db'],
    ['/srv//app/./db.sqlite', 'srv/app/db.sqlite'],
    ['/-weird/db', '-weird/db'],
    ['/data/a b.db', 'data/a b.db'],
  ])('%s → %s', (source, relative) => {
    expect(stagedRelativePath(source)).toBe(relative);
  });

  it('refuses a relative source and the root', () => {
    expect(() => stagedRelativePath('var/db')).toThrow(/absolute/);
    expect(() => stagedRelativePath('/')).toThrow(/root/);
  });
});

describe('safeOperand', () => {
  it.each([
    ['var/www/ghost.db', 'var/www/ghost.db'],
    ['-x', './-x'],
    ['-C', './-C'],
    ['@archive', './@archive'],
    ['@@name', './@@name'],
    ['/abs/-x', '/abs/-x'],
    ['.hotsnap', '.hotsnap'],
    ['a-@b', 'a-@b'],
  ])('%s → %s', (operand, safe) => {
    expect(safeOperand(operand)).toBe(safe);
  });

  it('refuses an empty operand', () => {
    expect(() => safeOperand('')).toThrow(/empty/);
  });
});

describe('liveDatabaseExcludes', () => {
  it('anchors the database and its -wal, -shm and -journal files', () => {
    expect(liveDatabaseExcludes('/var/www/ghost/content/data/ghost.db')).toEqual([
      '/var/www/ghost/content/data/ghost.db',
      '/var/www/ghost/content/data/ghost.db-wal',
      '/var/www/ghost/content/data/ghost.db-shm',
      '/var/www/ghost/content/data/ghost.db-journal',
    ]);
  });

  it('normalises and escapes the path so each pattern matches exactly that file', () => {
    expect(liveDatabaseExcludes('/srv//weird[1]/*.db')).toEqual([
      '/srv/weird\\[1]/\\*.db',
      '/srv/weird\\[1]/\\*.db-wal',
      '/srv/weird\\[1]/\\*.db-shm',
      '/srv/weird\\[1]/\\*.db-journal',
    ]);
  });

  it('refuses a relative database path (an unanchored pattern would drop same-named files anywhere)', () => {
    expect(() => liveDatabaseExcludes('ghost.db')).toThrow(/absolute/);
  });
});
