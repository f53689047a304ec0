/** The manifest parser: format 2 (with repositories), format 1 still read, anything else refused. */
import { describe, expect, it } from 'vitest';
import { ManifestFormatError, parseManifest } from '../../src/core/manifest.js';

const database = { source: '/srv/app.db', sha256: 'a'.repeat(64) };
const repository = { source: '/srv/git/app.git', git_dir: '/srv/git/app.git', head: null };

describe('parseManifest', () => {
  it('reads format 1 as the current format, with no repositories', () => {
    const manifest = parseManifest(JSON.stringify({ format: 1, databases: [database] }), 'm.json');
    expect(manifest).toMatchObject({
      databases: [database],
      failed_databases: [],
      repositories: [],
      failed_repositories: [],
      paths: [],
    });
  });

  it('reads format 2 with its repositories and their failures', () => {
    const text = JSON.stringify({
      format: 2,
      databases: [],
      repositories: [repository],
      failed_repositories: [{ source: '/srv/gone', error: 'no repository' }],
    });
    const manifest = parseManifest(text, 'm.json');
    expect(manifest.repositories).toEqual([repository]);
    expect(manifest.failed_repositories).toEqual([{ source: '/srv/gone', error: 'no repository' }]);
  });

  it.each([
    ['a newer format', { format: 3, databases: [] }],
    ['a relative git_dir', { format: 2, databases: [], repositories: [{ ...repository, git_dir: 'srv/x' }] }],
    ['a relative repository source', { format: 2, databases: [], repositories: [{ ...repository, source: 'x' }] }],
    ['repositories that are not a list', { format: 2, databases: [], repositories: {} }],
  ])('refuses %s, naming the file and the fix', (_name, data) => {
    expect(() => parseManifest(JSON.stringify(data), '/r/.hotsnap/manifest.json')).toThrow(ManifestFormatError);
    expect(() => parseManifest(JSON.stringify(data), '/r/.hotsnap/manifest.json')).toThrow(
      /\/r\/\.hotsnap\/manifest\.json is not a hotsnap manifest of format 1 or 2 .*upgrade hotsnap/,
    );
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseManifest('{', 'm.json')).toThrow(/cannot read the archive's manifest m\.json/);
  });
});
