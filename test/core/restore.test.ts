import { describe, expect, it } from 'vitest';
import type { ArchiveInfo } from '../../src/core/archives.js';
import {
  isSelected,
  memberForPath,
  parseArchiveSpec,
  parseContentsListing,
  pickLatestArchive,
  planRestore,
  selectedDatabases,
} from '../../src/core/restore.js';
import { MANIFEST_FILE } from '../../src/core/manifest.js';

describe('parseArchiveSpec', () => {
  it.each([
    ['latest', { kind: 'latest' }],
    ['latest:daily', { kind: 'latest', profile: 'daily' }],
    ['latest:', { kind: 'name', name: 'latest:' }],
    ['blog-daily-2026-11-26_03-00-00', { kind: 'name', name: 'blog-daily-2026-11-26_03-00-00' }],
    ['latest-ish', { kind: 'name', name: 'latest-ish' }],
  ])('%s', (spec, expected) => {
    expect(parseArchiveSpec(spec)).toEqual(expected);
  });

  it('refuses an empty name', () => {
    expect(() => parseArchiveSpec('')).toThrow(/empty/);
  });
});

describe('pickLatestArchive', () => {
  const at = (iso: string) => new Date(iso);
  const archive = (
    name: string,
    time: string,
    profile: string | null,
    partial = false,
    incomplete = false,
  ): ArchiveInfo => ({ name, time: at(time), profile, partial, incomplete, adopted: false });
  const archives = [
    archive('d1', '2026-01-01T00:00:00Z', 'daily'),
    archive('h1', '2026-01-03T00:00:00Z', 'hourly'),
    archive('d2', '2026-01-02T00:00:00Z', 'daily'),
    archive('d3.part', '2026-01-05T00:00:00Z', 'daily', true),
    archive('d4.incomplete', '2026-01-06T00:00:00Z', 'daily', false, true),
    archive('foreign', '2026-01-09T00:00:00Z', null),
  ];

  it('takes the newest complete archive of any profile, never a .part, an .incomplete or a foreign one', () => {
    expect(pickLatestArchive(archives)?.name).toBe('h1');
  });

  it('takes the newest complete archive of the profile', () => {
    expect(pickLatestArchive(archives, 'daily')?.name).toBe('d2');
  });

  it('is undefined when the profile has none', () => {
    expect(pickLatestArchive(archives, 'weekly')).toBeUndefined();
    expect(pickLatestArchive([archive('x.part', '2026-01-01T00:00:00Z', 'daily', true)], 'daily')).toBeUndefined();
  });

  it('breaks a time tie by the later name, whatever the input order', () => {
    const tied = [archive('a-1', '2026-01-01T00:00:00Z', 'daily'), archive('a', '2026-01-01T00:00:00Z', 'daily')];
    expect(pickLatestArchive(tied)?.name).toBe('a-1');
    expect(pickLatestArchive([...tied].reverse())?.name).toBe('a-1');
  });
});

describe('memberForPath', () => {
  it.each([
    ['/srv/ghost/content/data/ghost.db', 'srv/ghost/content/data/ghost.db'],
    ['srv/ghost', 'srv/ghost'],
    ['//srv//ghost/', 'srv/ghost'],
    ['/srv/./ghost', 'srv/ghost'],
    ['./home/alice', 'home/alice'],
    ['/home/alice/new\nline.txt', 'home/alice/new\nline.txt'],
  ])('%j → %j', (path, member) => {
    expect(memberForPath(path)).toBe(member);
  });

  it.each(['/', '', '.', '//'])('refuses %j: it names the whole archive', (path) => {
    expect(() => memberForPath(path)).toThrow(/leave out PATH/);
  });

  it('refuses ".." (tarsnap refuses to extract through it anyway)', () => {
    expect(() => memberForPath('/srv/../etc/passwd')).toThrow(/contains ".."/);
  });
});

describe('parseContentsListing', () => {
  it('splits at NULs, keeping newlines and trailing slashes', () => {
    expect(parseContentsListing('srv/\0srv/a b\nc.db\0')).toEqual(['srv/', 'srv/a b\nc.db']);
    // What tarsnap prints under LC_ALL=C for srv/café\n.db and srv/a\\b: escapes undone.
    expect(parseContentsListing('srv/caf\\303\\251\\n.db\0srv/a\\\\b\0')).toEqual(['srv/café\n.db', 'srv/a\\b']);
  });

  it('reads an empty archive as no members', () => {
    expect(parseContentsListing('')).toEqual([]);
  });

  it('refuses a listing cut short', () => {
    expect(() => parseContentsListing('srv/\0srv/a.d')).toThrow(/cut short/);
  });
});

describe('isSelected', () => {
  it.each([
    ['srv/ghost/a.db', [], true],
    ['srv/ghost/a.db', ['srv/ghost'], true],
    ['srv/ghost/', ['srv/ghost'], true],
    ['srv/ghost', ['srv/ghost'], true],
    ['srv/ghostly/a.db', ['srv/ghost'], false],
    ['srv/', ['srv/ghost'], false],
    ['home/a', ['srv', 'home'], true],
  ] as const)('%j under %j → %s', (member, selectors, expected) => {
    expect(isSelected(member, selectors)).toBe(expected);
  });
});

describe('planRestore', () => {
  const listing = [
    '.hotsnap/',
    MANIFEST_FILE,
    'srv/ghost/content/data/ghost.db',
    'home/alice/',
    'home/alice/a.txt',
    'home/alice/notes/',
    'home/alice/notes/b.txt',
    'srv/',
    'srv/git/HEAD',
    '-dash/',
    '-dash/x',
  ];

  it('restores everything with no operand into a directory; the manifest comes along', () => {
    expect(planRestore(listing, [], { toRoot: false, manifestMember: MANIFEST_FILE })).toEqual({
      members: null,
      manifest: 'inline',
      files: 5,
      missing: [],
    });
  });

  it('into /, names every top-level entry but .hotsnap and fetches the manifest apart', () => {
    expect(planRestore(listing, [], { toRoot: true, manifestMember: MANIFEST_FILE })).toEqual({
      members: ['srv', 'home', '-dash'],
      manifest: 'separate',
      files: 5,
      missing: [],
    });
  });

  it('restores named members, adding the manifest so databases can be checked', () => {
    const plan = planRestore(listing, ['home/alice/notes', 'srv/ghost'], {
      toRoot: false,
      manifestMember: MANIFEST_FILE,
    });
    expect(plan).toEqual({
      members: ['home/alice/notes', 'srv/ghost', MANIFEST_FILE],
      manifest: 'inline',
      files: 2,
      missing: [],
    });
  });

  it('into /, named members go alone: the manifest is fetched apart', () => {
    expect(planRestore(listing, ['srv/ghost'], { toRoot: true, manifestMember: MANIFEST_FILE })).toEqual({
      members: ['srv/ghost'],
      manifest: 'separate',
      files: 1,
      missing: [],
    });
  });

  it('reports members the archive lacks (a prefix of a name is not a member)', () => {
    expect(
      planRestore(listing, ['home/alic', 'srv/ghost', 'nowhere'], { toRoot: false, manifestMember: MANIFEST_FILE })
        .missing,
    ).toEqual(['home/alic', 'nowhere']);
  });

  it('handles an archive with no manifest (not made by hotsnap)', () => {
    const foreign = ['etc/', 'etc/hosts'];
    expect(planRestore(foreign, [], { toRoot: false, manifestMember: MANIFEST_FILE })).toEqual({
      members: null,
      manifest: 'none',
      files: 1,
      missing: [],
    });
    expect(planRestore(foreign, ['etc/hosts'], { toRoot: true, manifestMember: MANIFEST_FILE })).toEqual({
      members: ['etc/hosts'],
      manifest: 'none',
      files: 1,
      missing: [],
    });
  });

  it('into /, an archive holding only the manifest extracts nothing (never "everything")', () => {
    expect(
      planRestore(['.hotsnap/', MANIFEST_FILE], [], { toRoot: true, manifestMember: MANIFEST_FILE }).members,
    ).toEqual([]);
  });

  it('a .hotsnap deeper in the tree is user data, not the manifest', () => {
    const plan = planRestore([MANIFEST_FILE, 'home/a/.hotsnap/x'], [], { toRoot: true, manifestMember: MANIFEST_FILE });
    expect(plan).toMatchObject({ members: ['home'], files: 1 });
  });
});

describe('selectedDatabases', () => {
  const entries = [{ source: '/srv/ghost/content/data/ghost.db' }, { source: '/var/lib/app.db' }];

  it('keeps every database when everything is restored', () => {
    expect(selectedDatabases(entries, [])).toEqual(entries);
  });

  it('keeps the databases under the named members', () => {
    expect(selectedDatabases(entries, ['srv'])).toEqual([entries[0]]);
    expect(selectedDatabases(entries, ['var/lib/app.db'])).toEqual([entries[1]]);
    expect(selectedDatabases(entries, ['var/lib/app'])).toEqual([]);
  });
});
