import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it.skipIf(!shm)(
    'across file systems, links a content-named file from the previous snapshot instead of copying it again',
    () => {
      const other = mkdtempSync('/dev/shm/hotsnap-git-link-');
      const name = 'pack-' + 'a'.repeat(40) + '.pack';
      writeFileSync(join(scratch, name), 'pack bytes');
      writeFileSync(join(scratch, 'packed-refs'), 'not content-named');
      for (const dir of ['old', 'new']) mkdirSync(join(other, dir));
      try {
        const first = new Linker();
        first.link(join(scratch, name), join(other, 'old', name));
        const previous = { dir: join(other, 'old'), staged: join(other, 'new') };
        const linker = new Linker(() => {}, previous);
        expect(linker.link(join(scratch, name), join(other, 'new', name))).toBe('linked');
        expect(statSync(join(other, 'new', name)).ino).toBe(statSync(join(other, 'old', name)).ino);
        expect(linker.reused).toBe(1);
        // Not named by its content: copied, never taken from the previous snapshot.
        first.link(join(scratch, 'packed-refs'), join(other, 'old', 'packed-refs'));
        linker.link(join(scratch, 'packed-refs'), join(other, 'new', 'packed-refs'));
        expect(statSync(join(other, 'new', 'packed-refs')).ino).not.toBe(
          statSync(join(other, 'old', 'packed-refs')).ino,
        );
        expect(linker.reused).toBe(1);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    },
  );
});
