/**
 * `hotsnap check` probe of a `paths` entry: it exists and is readable (the entry itself; tarsnap
 * walks its contents at backup time), and a symbolic link is named as one.
 */
import { constants, lstatSync, realpathSync, type Stats } from 'node:fs';
import type { CheckItem } from '../core/check-report.js';
import { currentUserName, describeOwner } from './accounts.js';
import { can, ownerAdvice } from './check-fs.js';

/**
 * Given a `paths` entry and the profiles listing it, checks it exists and is readable (the entry
 * itself; tarsnap walks its contents at backup time).
 */
export function checkPath(path: string, profiles: readonly string[]): CheckItem {
  const where = `profile${profiles.length === 1 ? '' : 's'} ${profiles.join(', ')}`;
  let link: Stats | undefined;
  try {
    link = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return {
        check: 'path',
        status: 'problem',
        message: `${path} (${where}) does not exist`,
        fix: `correct or remove it in the paths of ${where}`,
      };
    return {
      check: 'path',
      status: 'problem',
      message: `user ${currentUserName()} cannot reach ${path} (${code ?? (error as Error).message})`,
      fix: 'run hotsnap as root',
    };
  }
  if (link.isSymbolicLink()) {
    let target = '(a missing target)';
    try {
      target = realpathSync(path);
    } catch {
      // Dangling: the link is still what tarsnap stores.
    }
    return {
      check: 'path',
      status: 'warn',
      message: `${path} (${where}) is a symbolic link to ${target}: tarsnap stores the link itself, not what it points to`,
      fix: `list ${target} in paths instead, if its contents are what you want backed up`,
    };
  }
  const directory = link.isDirectory();
  if (!can(path, directory ? constants.R_OK | constants.X_OK : constants.R_OK)) {
    return {
      check: 'path',
      status: 'problem',
      message: `user ${currentUserName()} cannot read ${path} (${describeOwner(link)})`,
      fix: ownerAdvice(link),
    };
  }
  return { check: 'path', status: 'ok', message: `${path} is a readable ${directory ? 'directory' : 'file'}` };
}
