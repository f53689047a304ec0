/**
 * What every command gets from the global options: a logger and the config, loaded lazily so
 * `--help` and `copy-db` never need a config file.
 */
import type { Config } from './config/resolve.js';
import { createLogger, type LogFormat, type Logger } from './log.js';
import { UsageError } from './errors.js';
import { createLogTail, type LogTail } from './adapters/log-tail.js';
import { openLogFile, type LogFile } from './adapters/log-file.js';

export interface GlobalOptions {
  config?: string;
  logFormat?: string;
  logLevel?: string;
  quiet?: boolean;
  /** --retries: network retries of each tarsnap call, whatever the command's own policy. */
  retries?: string;
  /** Append every log line and the result here (stderr then shows warnings and errors only). */
  logFile?: string;
}

export interface Context {
  logger: Logger;
  /** Loads and validates the config (throws ConfigError listing every problem); `cache: false` always re-validates. */
  loadConfig(options?: { cache?: boolean }): Promise<Config>;
  /** The --config flag as given (for messages and generated schedules). */
  configFlag: string | undefined;
  /** The last lines logged (info and above), for the body of a failure ping. */
  logTail: LogTail;
  /** --retries as a number; undefined when not given (each command's kind then decides). */
  retries?: number;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Given --retries as typed, returns it as a count; a usage error unless a whole number. */
function parseRetries(retries: string | undefined): number | undefined {
  if (retries === undefined) return undefined;
  if (!/^\d{1,3}$/.test(retries))
    throw new UsageError(`--retries must be a whole number of retries from 0 to 999, like 0 or 3, not "${retries}"`);
  return Number(retries);
}

/** Given the global options, returns the command context; e.g. `createContext({logFormat:'json'})`. */
export function createContext(options: GlobalOptions): Context {
  const format = (options.logFormat ?? 'text') as LogFormat;
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--log-format must be "text" or "json", not "${options.logFormat}"`);
  const level = options.quiet ? 'warn' : (options.logLevel ?? 'info');
  if (!(LEVELS as readonly string[]).includes(level))
    throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}`);
  const retries = parseRetries(options.retries);
  const logTail = createLogTail();
  let file: LogFile | undefined;
  let unopened: string | undefined;
  try {
    file = options.logFile === undefined ? undefined : openLogFile(options.logFile);
  } catch (error) {
    unopened = (error as Error).message;
  }
  const logger = createLogger({
    format,
    level: level as (typeof LEVELS)[number],
    tee: logTail.stream,
    ...(file ? { file: file.stream } : {}),
  });
  // The run goes on, logging to stderr (cron mails it all): a log file is no reason to skip a backup.
  if (unopened) logger.warn(`${unopened}; logging to stderr instead`);
  return {
    logger,
    logTail,
    ...(retries === undefined ? {} : { retries }),
    configFlag: options.config,
    async loadConfig(loadOptions = {}) {
      const { locateConfig, loadConfig } = await import('./config/read.js');
      return loadConfig(locateConfig(options.config), loadOptions);
    },
  };
}
