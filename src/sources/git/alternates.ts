/**
 * `objects/info/alternates`: a repository that borrows objects from others (`git clone --shared`,
 * `--reference`, forks on a Git host). We dissolve it: the borrowed objects are linked into the
 * snapshot like the repository's own and the alternates file is not staged, so the archive is a
 * complete repository that restores without the other one (which may be elsewhere, or not backed
 * up at all). Chosen over snapshotting the alternate beside it: one self-contained copy per
 * repository, and with hard links it costs no space either way.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** git's own limit on chained alternates. */
const MAX_DEPTH = 5;

function readAlternates(objects: string): string[] {
  try {
    return readFileSync(join(objects, 'info', 'alternates'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  } catch {
    return [];
  }
}

/**
 * Given a repository's live objects directory, returns it followed by every object directory it
 * borrows from, transitively (relative entries resolve against the objects dir that lists them),
 * each once. A listed directory that does not exist is reported through `log` and left out: the
 * staged copy then fails its check, as the live repository would.
 * Example: '/srv/fork.git/objects' → ['/srv/fork.git/objects', '/srv/base.git/objects'].
 */
export function objectDirectories(objects: string, log: (message: string) => void = () => {}): string[] {
  const found = [objects];
  const queue: [string, number][] = [[objects, 0]];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [dir, depth] = next;
    if (depth >= MAX_DEPTH) continue;
    for (const entry of readAlternates(dir)) {
      const path = isAbsolute(entry) ? entry : resolve(dir, entry);
      if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
        log(`${dir}/info/alternates names ${path}, which does not exist; its objects cannot be copied in`);
        continue;
      }
      const real = realpathSync(path);
      if (found.includes(real)) continue;
      found.push(real);
      queue.push([real, depth + 1]);
    }
  }
  return found;
}
