/** `hotsnap config validate|show|schema`. */
import { stringify } from 'yaml';
import { ExitCode } from '../errors.js';
import type { Context } from '../context.js';
import { configJsonSchema } from '../config/schema.js';
import { selectProfiles } from './select-profiles.js';
import type { CommandResult } from './result.js';

/** Given a context, validates the config; returns exit 0 with a one-line summary (errors: ConfigError → exit 2). */
export async function validateConfig(context: Context): Promise<CommandResult> {
  // Validating is the point here: never answer from the cache.
  const config = await context.loadConfig({ cache: false });
  const names = config.profiles.map((profile) => profile.name).join(', ');
  return {
    exitCode: ExitCode.ok,
    stdout: `${config.file}: valid (${config.profiles.length} profile${config.profiles.length === 1 ? '' : 's'}: ${names})\n`,
  };
}

/** Given a context and optional profile names, returns the effective (defaults-merged) config as YAML or JSON. */
export async function showConfig(
  context: Context,
  profiles: string[],
  options: { json?: boolean },
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const selected = selectProfiles(config, profiles);
  const shown = profiles.length === 0 ? { ...config, profiles: undefined } : {};
  const output = {
    ...shown,
    profiles: Object.fromEntries(selected.map(({ name, ...rest }) => [name, rest])),
  };
  return { exitCode: ExitCode.ok, stdout: options.json ? `${JSON.stringify(output, null, 2)}\n` : stringify(output) };
}

/** Returns the JSON Schema of the config file. */
export function printConfigSchema(): CommandResult {
  return { exitCode: ExitCode.ok, stdout: `${JSON.stringify(configJsonSchema(), null, 2)}\n` };
}
