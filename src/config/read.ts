/**
 * Finding and reading the config file, without loading the YAML parser or the schema validator
 * unless the file changed since it was last validated (see cache.ts). Precedence: --config,
 * $HOTSNAP_CONFIG, /etc/hotsnap/hotsnap.yaml, ~/.config/hotsnap/hotsnap.yaml.
 */
import { closeSync, existsSync, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { homedir, hostname as machineHostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { controlledByOthers } from '../core/permissions.js';
import { configCacheDir, configCacheKey, readCachedConfig, writeCachedConfig } from './cache.js';
import type { Config, MachineDefaults } from './resolve.js';

export const SYSTEM_CONFIG = '/etc/hotsnap/hotsnap.yaml';

/** Given the --config flag and the environment, returns the config path to use (or throws saying where it looked). */
export function locateConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (flag) {
    if (!existsSync(flag)) throw new UsageError(`config file ${flag} (from --config) does not exist`);
    return flag;
  }
  if (env.HOTSNAP_CONFIG) {
    if (!existsSync(env.HOTSNAP_CONFIG))
      throw new UsageError(`config file ${env.HOTSNAP_CONFIG} (from $HOTSNAP_CONFIG) does not exist`);
    return env.HOTSNAP_CONFIG;
  }
  const candidates = [SYSTEM_CONFIG, join(home, '.config/hotsnap/hotsnap.yaml')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new UsageError(
      `no config file found (looked at ${candidates.join(', ')}); write one with "hotsnap init", or pass --config FILE`,
    );
  }
  return found;
}

/** Returns the machine's IANA time zone (the one cron and systemd timers count in), or "UTC" when it has none. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Given the process environment, returns the machine defaults (host name, zone, temp and state dirs). */
export function machineDefaults(env: NodeJS.ProcessEnv = process.env): MachineDefaults {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const stateHome = env.XDG_STATE_HOME || join(homedir(), '.local/state');
  return {
    hostname: machineHostname().split('.')[0] || 'localhost',
    timezone: machineTimeZone(),
    tmpdir: tmpdir(),
    stateDir: isRoot ? '/var/lib/hotsnap' : join(stateHome, 'hotsnap'),
  };
}

/**
 * Given the config file and its open file's stats, throws a UsageError when another user could
 * change what hotsnap runs: the config names hook commands and the tarsnap binary, run as this
 * user (root, mostly). Like sshd's StrictModes: the file and its directory must be ours or root's
 * and writable by no one else.
 */
function assertConfigTrusted(file: string, stats: Stats): void {
  if (typeof process.geteuid !== 'function') return;
  const uid = process.geteuid();
  const fileProblem = controlledByOthers({ uid: stats.uid, mode: stats.mode, directory: false }, uid);
  if (fileProblem) {
    throw new UsageError(
      `config file ${file} ${fileProblem}: whoever can change it runs commands as you (hooks, tarsnap.binary); run chown ${uid === 0 ? 'root' : uid} ${file} && chmod go-w ${file}`,
    );
  }
  const dir = dirname(resolve(file));
  let dirStats: Stats;
  try {
    dirStats = lstatSync(dir);
  } catch {
    return;
  }
  const dirProblem = controlledByOthers(
    { uid: dirStats.uid, mode: dirStats.mode, directory: dirStats.isDirectory() },
    uid,
  );
  if (dirProblem) {
    throw new UsageError(
      `the directory of config file ${file} (${dir}) ${dirProblem}: another user could replace the config; run chmod go-w ${dir}, or keep the config in a directory only you and root can write`,
    );
  }
}

/** How readConfigText names a file and what it checks; hotsnap's own config is the default. */
export interface ReadTextOptions {
  /** What the file is, in messages: "cannot read tarsnapper config FILE: …". */
  what?: string;
  /** Refuse a file another user could change (hotsnap's config names the commands it runs). */
  checkTrust?: boolean;
  /** Why, by error code, in place of the system's message; e.g. `{ ENOENT: 'it does not exist' }`. */
  reasons?: Readonly<Record<string, string>>;
}

const CONFIG_FILE: Required<ReadTextOptions> = {
  what: 'config file',
  checkTrust: true,
  reasons: { EACCES: 'permission denied (run as the user that owns it, or as root)' },
};

/**
 * Given a path, reads the file's text, or throws a UsageError that says why it can't (or why it is
 * not to be trusted). Options name other files read as config, e.g. init's tarsnapper files:
 * `readConfigText('/etc/tarsnapper.yml', { what: 'tarsnapper config', checkTrust: false, reasons })`.
 */
export function readConfigText(file: string, options: ReadTextOptions = {}): string {
  const { what, checkTrust, reasons } = { ...CONFIG_FILE, ...options };
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (checkTrust) assertConfigTrusted(file, fstatSync(fd));
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${file}: ${reasons[code ?? ''] ?? (error as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Given a path, returns its effective config; throws ConfigError listing every problem. With
 * `cache` (the default) an unchanged file is not parsed again.
 * Example: `await loadConfig('/etc/hotsnap/hotsnap.yaml')`.
 */
export async function loadConfig(file: string, options: { cache?: boolean; cacheDir?: string } = {}): Promise<Config> {
  const text = readConfigText(file);
  const machine = machineDefaults();
  const useCache = options.cache ?? true;
  const dir = options.cacheDir ?? configCacheDir();
  const key = configCacheKey(file, text, machine);
  if (useCache) {
    const cached = readCachedConfig(dir, file, key);
    if (cached) return cached;
  }
  const { parseConfig } = await import('./load.js');
  const config = parseConfig(text, file, machine);
  if (useCache) writeCachedConfig(dir, file, key, config);
  return config;
}
