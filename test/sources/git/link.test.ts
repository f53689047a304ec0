import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Linker } from '../../../src/sources/git/link.js';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hotsnap-git-link-'));
  writeFileSync(join(scratch, 'object'), 'immutable bytes');
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('Linker', () => {
  it('hard-links on one file system: same inode', () => {
    const linker = new Linker();
    expect(linker.link(join(scratch, 'object'), join(scratch, 'staged'))).toBe('linked');
    expect(statSync(join(scratch, 'staged')).ino).toBe(statSync(join(scratch, 'object')).ino);
    expect(linker.method).toBe('hardlink');
  });

  it('reports a destination already staged, and a source that vanished, without throwing', () => {
    const linker = new Linker();
    linker.link(join(scratch, 'object'), join(scratch, 'staged'));
    expect(linker.link(join(scratch, 'object'), join(scratch, 'staged'))).toBe('exists');
    expect(linker.link(join(scratch, 'gone'), join(scratch, 'other'))).toBe('vanished');
    expect(existsSync(join(scratch, 'other'))).toBe(false);
  });

  const shm = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  it.skipIf(!shm)('steps down to a copy across file systems (tmpfs has no reflink), and stays there', () => {
    const other = mkdtempSync('/dev/shm/hotsnap-git-link-');
    try {
      const notes: string[] = [];
      const linker = new Linker((m) => notes.push(m));
      expect(linker.link(join(scratch, 'object'), join(other, 'a'))).toBe('linked');
      expect(linker.method).toBe('copy');
      expect(readFileSync(join(other, 'a'), 'utf8')).toBe('immutable bytes');
      expect(notes).toHaveLength(2); // hardlink → reflink → copy, each said once
      linker.link(join(scratch, 'object'), join(other, 'b'));
      expect(notes).toHaveLength(2);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
