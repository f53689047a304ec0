/** Which archive ARCHIVE names: a literal name, or `latest[:PROFILE]` resolved by one `--list-archives`. */
import type { Config } from '../config/resolve.js';
import { UsageError, UserError } from '../errors.js';
import { parseArchiveSpec, pickLatestArchive, type ArchiveSpec } from '../core/restore.js';
import type { TarsnapRunner } from '../adapters/tarsnap.js';
import { listArchives } from './list.js';

/**
 * Given the ARCHIVE argument, returns what it asks for; an empty one is a usage error (exit 2).
 * Example: `parseArchiveArgument('latest:daily')` → `{ kind: 'latest', profile: 'daily' }`.
 */
export function parseArchiveArgument(argument: string): ArchiveSpec {
  try {
    return parseArchiveSpec(argument);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Given the config, what ARCHIVE asked for and a runner, returns the archive name: a literal name
 * as given, `latest[:PROFILE]` as the newest complete archive by one `--list-archives`.
 * An unknown PROFILE is a usage error; no complete archive yet, a user error (exit 1).
 * Example: `await resolveArchiveName(config, { kind: 'latest', profile: 'daily' }, tarsnap)` →
 * `'blog-daily-2026-11-26_03-00-00'`.
 */
export async function resolveArchiveName(config: Config, spec: ArchiveSpec, tarsnap: TarsnapRunner): Promise<string> {
  if (spec.kind === 'name') return spec.name;
  if (spec.profile !== undefined && !config.profiles.some((profile) => profile.name === spec.profile)) {
    const known = config.profiles.map((profile) => profile.name).join(', ');
    throw new UsageError(`unknown profile ${spec.profile}; the config (${config.file}) has: ${known}`);
  }
  const latest = pickLatestArchive(await listArchives(config, tarsnap), spec.profile);
  if (!latest) {
    const whose = spec.profile === undefined ? 'of any profile of this config' : `of profile ${spec.profile}`;
    throw new UserError(
      `there is no complete archive ${whose} yet: run "hotsnap run${spec.profile ? ` ${spec.profile}` : ''}" first, or name an archive from "hotsnap list"`,
    );
  }
  return latest.name;
}
