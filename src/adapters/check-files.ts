/**
 * `hotsnap check` probes of files and directories: the key file and its passphrase file, tarsnap's
 * cache directory, the `paths` entries, staging_dir (and its free space) and state_dir. Each probe only looks (stat,
 * access, one read of the key file); nothing is created, written or changed.
 */
import { accessSync, constants, lstatSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { judgeSecretFileMode, type CheckItem } from '../core/check-report.js';
import {
  judgeKeyCapabilities,
  judgeKeyfileMode,
  MAX_KEY_FILE_BYTES,
  parseKeyFile,
  type KeyCapabilities,
} from '../core/keyfile.js';
import { formatBytes } from '../core/summary.js';
import { shellQuote } from '../core/shell-quote.js';
import { currentUserName, describeOwner, runAsAdvice, userNameOf } from './accounts.js';
import type { FreeSpaceProbe } from './sqlite/space.js';
import { inspectStaging } from './staging-safety.js';

/** Given a path and an access mode (fs.constants.R_OK…), returns whether this process has it. */
export function can(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

function statOrError(path: string): Stats | NodeJS.ErrnoException {
  try {
    return statSync(path);
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/** ENOTDIR (a parent is a file) means the same as ENOENT here: there is nothing at that path. */
function isMissing(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ENOENT' || error.code === 'ENOTDIR';
}

function ownerAdvice(stats: Stats): string {
  return runAsAdvice(userNameOf(stats.uid));
}

/** The nearest path at or above `path` that exists (where `mkdir -p` would start). */
function nearestExisting(path: string): string {
  let current = path;
  for (;;) {
    if (!(statOrError(current) instanceof Error)) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Whether `mkdir -p path` would succeed for this user: its nearest existing ancestor is a writable directory. */
function creatable(path: string): { ok: boolean; why: string } {
  const base = nearestExisting(path);
  const stats = statOrError(base);
  if (stats instanceof Error || !stats.isDirectory()) return { ok: false, why: `${base} is not a directory` };
  return can(base, constants.W_OK | constants.X_OK)
    ? { ok: true, why: base }
    : { ok: false, why: `${base} is not writable` };
}

/** What the key file holds, for the cache directory check (undefined when unknown). */
export interface KeyfileFindings {
  items: CheckItem[];
  capabilities?: KeyCapabilities;
}

/**
 * Given the key file and the profiles that prune, checks it exists, is private and readable, and
 * which keys it holds. Example: a 0644 key → a problem "keyfile K is readable by others (mode 0644)".
 */
export function checkKeyfile(keyfile: string, pruning: readonly string[], passphrase?: string): KeyfileFindings {
  const user = currentUserName();
  const stats = statOrError(keyfile);
  if (stats instanceof Error) {
    if (isMissing(stats)) {
      return {
        items: [
          {
            check: 'keyfile',
            status: 'problem',
            message: `keyfile ${keyfile} does not exist`,
            fix: 'set tarsnap.keyfile to your tarsnap key (tarsnap-keygen writes one), or copy the key there',
          },
        ],
      };
    }
    return {
      items: [
        {
          check: 'keyfile',
          status: 'problem',
          message: `user ${user} cannot reach keyfile ${keyfile} (${stats.code ?? stats.message})`,
          fix: 'run hotsnap as root, or fix the permissions of the directories above it',
        },
      ],
    };
  }
  if (!stats.isFile()) {
    return {
      items: [
        {
          check: 'keyfile',
          status: 'problem',
          message: `keyfile ${keyfile} is not a regular file`,
          fix: 'set tarsnap.keyfile to the key file itself',
        },
      ],
    };
  }
  const items: CheckItem[] = [{ check: 'keyfile', ...judgeKeyfileMode(keyfile, stats.mode) }];
  if (stats.size === 0 || stats.size > MAX_KEY_FILE_BYTES) {
    items.push({
      check: 'keyfile',
      status: 'problem',
      message: `keyfile ${keyfile} has an unreasonable size (${stats.size} bytes; tarsnap refuses it)`,
      fix: 'restore the key file from your copy of it',
    });
    return { items };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(keyfile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    items.push({
      check: 'keyfile',
      status: 'problem',
      message: `user ${user} cannot read keyfile ${keyfile} (${code}; ${describeOwner(stats)})`,
      fix: ownerAdvice(stats),
    });
    return { items };
  }
  const info = parseKeyFile(bytes);
  bytes.fill(0);
  switch (info.kind) {
    case 'invalid':
      items.push({
        check: 'key',
        status: 'problem',
        message: `keyfile ${keyfile} is not a usable tarsnap key: ${info.reason}`,
        fix: 'point tarsnap.keyfile at the key tarsnap-keygen or tarsnap-keymgmt wrote (its first line is "# START OF TARSNAP KEY FILE")',
      });
      return { items };
    case 'tarsnap-passphrase':
      items.push(
        passphrase
          ? {
              check: 'key',
              status: 'ok',
              message: `keyfile ${keyfile} is passphrase-protected; tarsnap reads the passphrase from ${passphrase} (tarsnap.passphrase), so scheduled runs won't wait at a prompt (which keys it holds cannot be seen without the passphrase)`,
            }
          : {
              check: 'key',
              status: 'warn',
              message: `keyfile ${keyfile} is passphrase-protected: which keys it holds cannot be seen without the passphrase, and tarsnap asks for it on a terminal, which scheduled runs (cron, systemd) do not have`,
              fix: `set tarsnap.passphrase to env:VARIABLE or file:/root/tarsnap.pass, or make an unprotected key for this host: tarsnap-keymgmt --outkeyfile NEW.key -w -d ${shellQuote(keyfile)} (or -w alone for a write-only key)`,
            },
      );
      return { items };
    case 'emulator': {
      const verdict = judgeKeyCapabilities(keyfile, info.capabilities, pruning);
      const label = `tarsnap emulator key (the test emulator's format, not a real tarsnap key${info.passphrase ? '; passphrase-protected' : ''}): `;
      items.push({ check: 'key', ...verdict, message: label + verdict.message });
      return { items, capabilities: info.capabilities };
    }
    case 'tarsnap':
      items.push({ check: 'key', ...judgeKeyCapabilities(keyfile, info.capabilities, pruning) });
      return { items, capabilities: info.capabilities };
  }
}

/**
 * Given `tarsnap.passphrase`, checks a `file:PATH` passphrase: it exists, is a non-empty regular
 * file this user can read, and is private (it unlocks the key). Returns undefined for `env:VAR`.
 * Only looks: the passphrase itself is never read. Example: a 0644 file → a problem "… run chmod 600 PATH".
 */
export function checkPassphraseFile(passphrase: string | undefined): CheckItem | undefined {
  if (!passphrase?.startsWith('file:')) return undefined;
  const file = passphrase.slice('file:'.length);
  const check = 'passphrase';
  const stats = statOrError(file);
  if (stats instanceof Error) {
    if (isMissing(stats)) {
      return {
        check,
        status: 'problem',
        message: `passphrase file ${file} (tarsnap.passphrase) does not exist`,
        fix: `write the key's passphrase there (install -m 600 /dev/null ${shellQuote(file)}, then edit it), or correct tarsnap.passphrase`,
      };
    }
    return {
      check,
      status: 'problem',
      message: `user ${currentUserName()} cannot reach passphrase file ${file} (${stats.code ?? stats.message})`,
      fix: 'run hotsnap as root, or fix the permissions of the directories above it',
    };
  }
  if (!stats.isFile())
    return {
      check,
      status: 'problem',
      message: `passphrase file ${file} (tarsnap.passphrase) is not a regular file`,
      fix: 'set tarsnap.passphrase to file: and the file holding the passphrase',
    };
  const exposure = judgeSecretFileMode('passphrase file', file, stats.mode);
  if (exposure.status === 'problem') return { check, ...exposure };
  if (!can(file, constants.R_OK)) {
    return {
      check,
      status: 'problem',
      message: `user ${currentUserName()} cannot read passphrase file ${file} (${describeOwner(stats)}), so tarsnap cannot unlock the key`,
      fix: ownerAdvice(stats),
    };
  }
  if (stats.size === 0)
    return {
      check,
      status: 'problem',
      message: `passphrase file ${file} is empty, so tarsnap cannot unlock the key`,
      fix: "write the key's passphrase in it, on one line",
    };
  return { check, ...exposure };
}

/**
 * Given the cache directory, checks tarsnap can use (or create) it and whether it holds a chunk
 * directory. Whether the cache matches the server ("Sequence number mismatch: Run --fsck") can
 * only be learned by contacting the server, which check does not do.
 */
export function checkCachedir(
  cachedir: string,
  keyfile: string,
  options: { autoFsck: boolean; capabilities?: KeyCapabilities },
): CheckItem {
  const user = currentUserName();
  const stats = statOrError(cachedir);
  if (!(stats instanceof Error) && !stats.isDirectory()) {
    return {
      check: 'cachedir',
      status: 'problem',
      message: `cachedir ${cachedir} is not a directory`,
      fix: 'set tarsnap.cachedir to a directory (tarsnap creates it when missing)',
    };
  }
  if (stats instanceof Error && !isMissing(stats)) {
    return {
      check: 'cachedir',
      status: 'problem',
      message: `user ${user} cannot reach cachedir ${cachedir} (${stats.code ?? stats.message})`,
      fix: 'run hotsnap as root, or fix the permissions of the directories above it',
    };
  }
  const exists = !(stats instanceof Error);
  if (exists && !can(cachedir, constants.W_OK | constants.X_OK)) {
    return {
      check: 'cachedir',
      status: 'problem',
      message: `user ${user} cannot write cachedir ${cachedir} (${describeOwner(stats)}); tarsnap keeps its lock and chunk directory there`,
      fix: ownerAdvice(stats),
    };
  }
  if (!exists) {
    const { ok, why } = creatable(cachedir);
    if (!ok) {
      return {
        check: 'cachedir',
        status: 'problem',
        message: `cachedir ${cachedir} does not exist and user ${user} cannot create it (${why})`,
        fix: `create it: mkdir -p -m 700 ${shellQuote(cachedir)} (as root), or set tarsnap.cachedir elsewhere`,
      };
    }
  }
  if (exists && !(statOrError(join(cachedir, 'directory')) instanceof Error)) {
    return {
      check: 'cachedir',
      status: 'ok',
      message: `cachedir ${cachedir} holds tarsnap's chunk directory (whether it matches the server shows only when tarsnap contacts it)`,
    };
  }
  const what = exists
    ? `cachedir ${cachedir} has no chunk directory yet`
    : `cachedir ${cachedir} does not exist yet (tarsnap creates it)`;
  const consequence =
    'tarsnap -d (prune) refuses to run until one exists; the first backup builds it, but if this key already stored archives from another cache (a moved host, a lost cache) tarsnap asks for --fsck first';
  if (options.autoFsck)
    return {
      check: 'cachedir',
      status: 'ok',
      message: `${what}: ${consequence}; tarsnap.auto_fsck is on, so hotsnap runs it when asked`,
    };
  const fsck = `tarsnap --fsck --keyfile ${shellQuote(keyfile)} --cachedir ${shellQuote(cachedir)}`;
  const fsckNote =
    options.capabilities && !options.capabilities.read ? ' with a key that has the read keys (this one has not)' : '';
  return {
    check: 'cachedir',
    status: 'warn',
    message: `${what}: ${consequence}`,
    fix: `if this key has archives already, run ${fsck} once${fsckNote}, or set tarsnap.auto_fsck: true`,
  };
}

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

/**
 * Given staging_dir, the bytes the largest profile's copies need (and which profile), checks the
 * directory exists, is writable, is not controlled by another user (nor is its private
 * `hotsnap/` inside) and has room. The free-space probe is injected so tests can
 * simulate a full disk.
 */
export async function checkStaging(
  stagingDir: string,
  need: { bytes: number; profile?: string },
  freeBytes: FreeSpaceProbe,
): Promise<CheckItem[]> {
  const stats = statOrError(stagingDir);
  if (stats instanceof Error) {
    const missing = isMissing(stats);
    return [
      {
        check: 'staging_dir',
        status: 'problem',
        message: missing
          ? `staging_dir ${stagingDir} does not exist`
          : `user ${currentUserName()} cannot reach staging_dir ${stagingDir} (${stats.code ?? stats.message})`,
        fix: missing
          ? `create it: mkdir -p -m 700 ${shellQuote(stagingDir)}, or set staging_dir to an existing directory`
          : 'run hotsnap as root',
      },
    ];
  }
  if (!stats.isDirectory())
    return [
      {
        check: 'staging_dir',
        status: 'problem',
        message: `staging_dir ${stagingDir} is not a directory`,
        fix: 'set staging_dir to a directory',
      },
    ];
  if (!can(stagingDir, constants.W_OK | constants.X_OK)) {
    return [
      {
        check: 'staging_dir',
        status: 'problem',
        message: `user ${currentUserName()} cannot write staging_dir ${stagingDir} (${describeOwner(stats)})`,
        fix: `${ownerAdvice(stats)}, or set staging_dir to a writable directory`,
      },
    ];
  }
  // What `run` would refuse: a staging_dir another user controls, or a planted staging_dir/hotsnap.
  const unsafe = inspectStaging(stagingDir);
  if (unsafe) return [{ check: 'staging_dir', status: 'problem', message: unsafe.message, fix: unsafe.fix }];
  const items: CheckItem[] = [{ check: 'staging_dir', status: 'ok', message: `staging_dir ${stagingDir} is writable` }];
  if (need.bytes === 0 || need.profile === undefined) return items;
  let free: number;
  try {
    free = await freeBytes(stagingDir);
  } catch (error) {
    items.push({
      check: 'staging_space',
      status: 'warn',
      message: `cannot measure the free space of ${stagingDir}: ${(error as Error).message}`,
    });
    return items;
  }
  const detail = `profile ${need.profile} needs about ${formatBytes(need.bytes)} for its database copies (databases + WAL + 10%, at least 16 MB)`;
  if (free < need.bytes) {
    items.push({
      check: 'staging_space',
      status: 'problem',
      message: `staging_dir ${stagingDir} has ${formatBytes(free)} free, but ${detail}`,
      fix: 'free some space there, or set staging_dir to a file system with room',
    });
  } else {
    items.push({
      check: 'staging_space',
      status: 'ok',
      message: `staging_dir ${stagingDir} has ${formatBytes(free)} free; ${detail}`,
    });
  }
  return items;
}

/** Given state_dir, checks hotsnap can write it (or create it: runs make it with mkdir -p). */
export function checkStateDir(stateDir: string): CheckItem {
  const stats = statOrError(stateDir);
  const user = currentUserName();
  if (!(stats instanceof Error)) {
    if (!stats.isDirectory())
      return {
        check: 'state_dir',
        status: 'problem',
        message: `state_dir ${stateDir} is not a directory`,
        fix: 'set state_dir to a directory',
      };
    if (!can(stateDir, constants.W_OK | constants.X_OK)) {
      return {
        check: 'state_dir',
        status: 'problem',
        message: `user ${user} cannot write state_dir ${stateDir} (${describeOwner(stats)})`,
        fix: `${ownerAdvice(stats)}, or set state_dir to a writable directory`,
      };
    }
    return { check: 'state_dir', status: 'ok', message: `state_dir ${stateDir} is writable` };
  }
  if (!isMissing(stats)) {
    return {
      check: 'state_dir',
      status: 'problem',
      message: `user ${user} cannot reach state_dir ${stateDir} (${stats.code ?? stats.message})`,
      fix: 'run hotsnap as root, or set state_dir elsewhere',
    };
  }
  const { ok, why } = creatable(stateDir);
  if (!ok) {
    return {
      check: 'state_dir',
      status: 'problem',
      message: `state_dir ${stateDir} does not exist and user ${user} cannot create it (${why})`,
      fix: `create it: mkdir -p -m 700 ${shellQuote(stateDir)} (as root), or set state_dir elsewhere`,
    };
  }
  return {
    check: 'state_dir',
    status: 'ok',
    message: `state_dir ${stateDir} does not exist yet; the first run creates it in ${why}`,
  };
}
