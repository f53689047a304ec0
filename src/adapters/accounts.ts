/**
 * Users and owners as people read them: names from /etc/passwd and /etc/group (numbers where this
 * machine has none), modes in octal, and whom to run hotsnap as when a file is out of reach.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';

/** Given a uid or gid, returns its name from /etc/passwd or /etc/group, or undefined when there is none. */
function lookUpName(kind: 'user' | 'group', id: number): string | undefined {
  try {
    for (const line of readFileSync(kind === 'user' ? '/etc/passwd' : '/etc/group', 'utf8').split('\n')) {
      const [name, , number] = line.split(':');
      if (name && number === String(id)) return name;
    }
  } catch {
    // No such file (containers): the caller falls back to the number.
  }
  return undefined;
}

/** Given a uid or gid, returns its name, or the number as text; e.g. ('group', 65534) → "nogroup". */
export function accountName(kind: 'user' | 'group', id: number): string {
  return lookUpName(kind, id) ?? String(id);
}

/** Given a uid, returns its user name (or "uid 1000" when unknown); e.g. 0 → "root". */
export function userNameOf(uid: number): string {
  return lookUpName('user', uid) ?? `uid ${uid}`;
}

/** Given nothing, returns the name this process runs as; e.g. "root". */
export function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return userNameOf(process.getuid?.() ?? -1);
  }
}

/** Given a file mode, returns it as four octal digits; e.g. 0o100640 → "0640". */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** Given a file's stats, returns its owner and mode; e.g. "owner ghost, mode 0640". */
export function describeOwner(stats: Pick<Stats, 'uid' | 'mode'>): string {
  return `owner ${userNameOf(stats.uid)}, mode ${formatMode(stats.mode)}`;
}

/** Given the owner's name, returns the advice; e.g. "ghost" → "run hotsnap as ghost (the owner) or root". */
export function runAsAdvice(owner: string): string {
  return owner === 'root' ? 'run hotsnap as root' : `run hotsnap as ${owner} (the owner) or root`;
}

/** Given a database path, returns whom to run as to reach it; e.g. "run hotsnap as ghost (the owner) or root". */
export function runAsOwnerOf(path: string): string {
  try {
    return runAsAdvice(userNameOf(statSync(path).uid));
  } catch {
    return 'run hotsnap as the owner of the database or root';
  }
}
