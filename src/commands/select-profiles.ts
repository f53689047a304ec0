/**
 * Picking the profiles a command acts on. Apart from common.ts, which loads the tarsnap runner and
 * the run lock (execa, SQLite), so that `config show`, `status` and `check` load neither for it.
 */
import type { Config, Profile } from '../config/resolve.js';
import { UsageError } from '../errors.js';

/** Given the config and names, returns the profiles to act on (all if none named); unknown names are a usage error. */
export function selectProfiles(config: Config, names: readonly string[]): Profile[] {
  const unknown = names.filter((name) => !config.profiles.some((profile) => profile.name === name));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown profile ${unknown.join(', ')}; the config (${config.file}) has: ${config.profiles.map((p) => p.name).join(', ')}`,
    );
  }
  return names.length === 0 ? config.profiles : config.profiles.filter((profile) => names.includes(profile.name));
}
