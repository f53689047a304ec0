/**
 * `hotsnap check` probes of the directories hotsnap and tarsnap write: tarsnap's cache directory,
 * staging_dir (and its free space) and state_dir. Each only looks; nothing is created or changed.
 */
import { constants } from 'node:fs';
import { join } from 'node:path';
import type { CheckItem } from '../core/check-report.js';
import type { KeyCapabilities } from '../core/keyfile.js';
import { formatBytes } from '../core/summary.js';
import { shellQuote } from '../core/shell-quote.js';
import { currentUserName, describeOwner } from './accounts.js';
import {
  can,
  cannotCreateDir,
  cannotReach,
  creatable,
  FIX_PARENT_PERMISSIONS,
  isMissing,
  ownerAdvice,
  statOrError,
} from './check-fs.js';
import type { FreeSpaceProbe } from './sqlite/space.js';
import { inspectStaging } from './staging-safety.js';

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
      message: cannotReach(`cachedir ${cachedir}`, stats),
      fix: FIX_PARENT_PERMISSIONS,
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
    if (!ok) return cannotCreateDir('cachedir', 'tarsnap.cachedir', cachedir, why);
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
        message: missing ? `staging_dir ${stagingDir} does not exist` : cannotReach(`staging_dir ${stagingDir}`, stats),
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
      message: cannotReach(`state_dir ${stateDir}`, stats),
      fix: 'run hotsnap as root, or set state_dir elsewhere',
    };
  }
  const { ok, why } = creatable(stateDir);
  if (!ok) return cannotCreateDir('state_dir', 'state_dir', stateDir, why);
  return {
    check: 'state_dir',
    status: 'ok',
    message: `state_dir ${stateDir} does not exist yet; the first run creates it in ${why}`,
  };
}
