/** `hotsnap config validate|show|schema`. */
import { stringify } from 'yaml';
import { ExitCode } from '../errors.js';
import type { Context } from '../context.js';
import { effectiveConfigFile } from '../config/effective-file.js';
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

/**
 * Given a context and optional profile names, returns the effective config (defaults merged into
 * each profile, every default filled in) as YAML or JSON that `config validate` accepts.
 */
export async function showConfig(
  context: Context,
  profiles: string[],
  options: { json?: boolean },
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const output = effectiveConfigFile(config, selectProfiles(config, profiles));
  if (options.json) return { exitCode: ExitCode.ok, stdout: `${JSON.stringify(output, null, 2)}\n` };
  const header = `# The effective config of ${config.file}: defaults merged into each profile, every default filled in.\n`;
  return { exitCode: ExitCode.ok, stdout: header + stringify(output, { aliasDuplicateObjects: false }) };
}

/** Returns the JSON Schema of the config file. */
export function printConfigSchema(): CommandResult {
  return { exitCode: ExitCode.ok, stdout: `${JSON.stringify(configJsonSchema(), null, 2)}\n` };
}
