/**
 * A cache of validated configs, so a scheduled `hotsnap run` need not load the YAML parser and
 * the schema validator (~160 ms of start-up on a small server) when the file has not changed.
 *
 * The effective config is a pure function of the file's text, the machine defaults and hotsnap's
 * version; the cache key is a SHA-256 of exactly those, so any edit, upgrade or host change misses.
 * The cache lives where only its owner can write ($XDG_CACHE_HOME/hotsnap when set, else
 * /var/cache/hotsnap for root and ~/.cache/hotsnap for others; mode 0700). Any problem reading or writing it is
 * ignored: the cache can only make loading faster, never different.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config, MachineDefaults } from './resolve.js';
import { VERSION } from '../package-info.js';

/** Given the environment, returns the cache directory for this user. */
export function configCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'hotsnap');
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/cache/hotsnap';
  return join(homedir(), '.cache', 'hotsnap');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Given what a config depends on, returns its cache key. */
export function configCacheKey(file: string, text: string, machine: MachineDefaults): string {
  return sha256(JSON.stringify([VERSION, resolve(file), machine, text]));
}

function entryPath(dir: string, file: string): string {
  return join(dir, `config-${sha256(resolve(file)).slice(0, 16)}.json`);
}

/**
 * Whether a cache dir or entry can be trusted: a real directory or file (no symlink) of this user,
 * writable by no one else. The key is no secret (anyone can compute it from the config's text), so
 * an entry another user could write would let them skip validation and name hooks run as root.
 */
function ownedByUs(path: string, uid: number): boolean {
  const stats = lstatSync(path);
  return !stats.isSymbolicLink() && stats.uid === uid && (stats.mode & 0o022) === 0;
}

/**
 * Given the cache dir, file and key, returns the cached config, or undefined on any miss
 * (or an entry that is not ours alone).
 */
export function readCachedConfig(dir: string, file: string, key: string): Config | undefined {
  try {
    const uid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
    if (uid !== undefined && !(ownedByUs(dir, uid) && ownedByUs(entryPath(dir, file), uid))) return undefined;
    const entry = JSON.parse(readFileSync(entryPath(dir, file), 'utf8')) as { key?: string; config?: Config };
    return entry.key === key && entry.config ? entry.config : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a validated config under its key (atomically); silently does nothing when it can't. */
export function writeCachedConfig(dir: string, file: string, key: string, config: Config): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = entryPath(dir, file);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ key, config }), { mode: 0o600 });
    renameSync(temporary, path);
  } catch {
    // A read-only home or cache dir only costs start-up time.
  }
}
