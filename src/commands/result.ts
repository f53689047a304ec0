import type { ExitCodeValue } from '../errors.js';

/**
 * What every command returns to src/cli.ts: the exit code it earned and the text for stdout
 * (tables, JSON). Logs go to stderr through the logger, never here.
 */
export interface CommandResult {
  exitCode: ExitCodeValue;
  stdout?: string;
}
