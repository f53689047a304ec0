/** What every commander action does around its command: make the context, print the result, set the exit code. */
import type { Command } from 'commander';
import type { CommandResult } from '../commands/result.js';
import type { Context, GlobalOptions } from '../context.js';
import { writeResult } from '../adapters/log-file.js';

/** Given the command being run, resolves to the context its global options ask for. */
export async function contextOf(command: Command): Promise<Context> {
  const { createContext } = await import('../context.js');
  return createContext(command.optsWithGlobals() as GlobalOptions);
}

/** Given a command's result, prints its stdout (see writeResult for --log-file) and sets the exit code. */
export function finish(result: CommandResult): void {
  if (result.stdout) writeResult(result.stdout, result.exitCode);
  process.exitCode = result.exitCode;
}

/** A command that takes the context and its options. */
type OptionsCommand<Options> = (context: Context, options: Options) => Promise<CommandResult>;

/** Given a loader of a `(context, options)` command, returns the commander action that runs it (see profilesAction). */
export function optionsAction<Options>(load: () => Promise<OptionsCommand<Options>>) {
  return async (options: Options, command: Command): Promise<void> => {
    const run = await load();
    finish(await run(await contextOf(command), options));
  };
}

/** A command that takes the context, the PROFILE arguments and its options. */
type ProfilesCommand<Options> = (context: Context, profiles: string[], options: Options) => Promise<CommandResult>;

/**
 * Given a loader of a `(context, profiles, options)` command, returns the commander action that runs
 * it; e.g. `profilesAction(async () => (await import('../commands/list.js')).listCommand)`. The
 * loader keeps the command's module (and its heavy dependencies) out of `--help`.
 */
export function profilesAction<Options>(load: () => Promise<ProfilesCommand<Options>>) {
  return async (profiles: string[], options: Options, command: Command): Promise<void> => {
    const run = await load();
    finish(await run(await contextOf(command), profiles, options));
  };
}
