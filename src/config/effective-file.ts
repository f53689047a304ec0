/**
 * The effective config written back in the config file's own terms, for `config show`: every
 * default filled in and merged into each profile, yet a file `config validate` accepts (time spans
 * as "10s", not the milliseconds the commands use; hook events that run nothing left out).
 */
import { formatTimeSpan, parseTimeSpan } from '../core/timespan.js';
import type { Config, HookSettings, Profile } from './resolve.js';
import type { ConfigFile, ProfileFields } from './schema.js';

/** Given milliseconds, returns a time span the config reads back to exactly those: 10_000 → "10s", 1500 → "1500ms". */
export function timeSpanText(ms: number): string {
  const text = formatTimeSpan(ms);
  return parseTimeSpan(text) === ms ? text : `${ms}ms`;
}

/** Given normalised hooks, returns the events that run something (undefined when none does). */
function hooksText(hooks: HookSettings): ProfileFields['hooks'] {
  const events = Object.entries(hooks).filter(([, commands]) => (commands as string[][]).length > 0);
  return events.length > 0 ? Object.fromEntries(events) : undefined;
}

/** Given an effective profile, returns its keys as a profile in the config file writes them. */
function profileFields(profile: Profile): ProfileFields {
  const { name: _name, hot_copy: hotCopy, hooks, ...rest } = profile;
  const fields: ProfileFields = {
    ...rest,
    hot_copy: {
      method: hotCopy.method,
      verify: hotCopy.verify,
      busy_timeout: timeSpanText(hotCopy.busy_timeout_ms),
      copy_timeout: timeSpanText(hotCopy.copy_timeout_ms),
    },
  };
  const written = hooksText(hooks);
  if (written) fields.hooks = written;
  return fields;
}

/**
 * Given an effective config and the profiles to show, returns it as a config file that validates.
 * Example: `effectiveConfigFile(config, config.profiles).tarsnap.retry_delay` → "30s".
 */
export function effectiveConfigFile(config: Config, profiles: readonly Profile[]): ConfigFile {
  const { file: _file, tarsnap, hooks, profiles: _all, ...top } = config;
  const { retry_delay_ms: retryDelay, ...tarsnapRest } = tarsnap;
  const written = hooksText(hooks);
  return {
    ...top,
    ...(written ? { hooks: written } : {}),
    tarsnap: { ...tarsnapRest, retry_delay: timeSpanText(retryDelay) },
    profiles: Object.fromEntries(profiles.map((profile) => [profile.name, profileFields(profile)])),
  };
}
