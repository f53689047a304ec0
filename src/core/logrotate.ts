/**
 * The logrotate snippet for the log file the cron lines append to (`hotsnap schedule cron
 * --logrotate`). Plain rotation (rename, no copytruncate) is safe because every hotsnap run opens
 * the log anew, in append mode: a run in progress goes on writing into the renamed file, which
 * delaycompress leaves uncompressed until the next rotation, and the next run creates a new log.
 * copytruncate would instead lose what a run writes between the copy and the truncate.
 */
import { UsageError } from '../errors.js';

/** What renderLogrotate needs. */
export interface LogrotateOptions {
  /** Absolute path of the log file. */
  logFile: string;
  /** True when the log is root's (/etc/logrotate.d); false for a user's own log. */
  root: boolean;
  /** For a user's log: where that user's logrotate keeps its state (-s). */
  stateFile: string;
}

/** Given a path, returns it as a logrotate file name: double-quoted when it holds a blank. */
function logrotatePath(path: string): string {
  if (/["\\]/.test(path) || /[*?[]/.test(path)) {
    throw new UsageError(
      `--log ${JSON.stringify(path)} contains a quote, backslash or glob character that logrotate would misread; choose another log file`,
    );
  }
  return /\s/.test(path) ? `"${path}"` : path;
}

/**
 * Given the log file and whose it is, returns a logrotate config: weekly, 8 old logs kept,
 * compressed from the second rotation on. Example: renderLogrotate({logFile: '/var/log/hotsnap.log',
 * root: true, stateFile: '…'}) → text for /etc/logrotate.d/hotsnap.
 */
export function renderLogrotate(options: LogrotateOptions): string {
  const path = logrotatePath(options.logFile);
  const install = options.root
    ? [
        '# Install (as root): hotsnap schedule cron --logrotate > /etc/logrotate.d/hotsnap',
        '# Check with: logrotate --debug /etc/logrotate.d/hotsnap',
      ]
    : [
        '# Your own log: run logrotate as yourself, e.g. save this as ~/.config/hotsnap/logrotate.conf',
        '# and add to your crontab:',
        `#   0 5 * * * /usr/sbin/logrotate -s ${logrotatePath(options.stateFile)} ~/.config/hotsnap/logrotate.conf`,
      ];
  return [
    `# Rotates hotsnap's log, written by "hotsnap schedule cron --logrotate".`,
    ...install,
    '# Rotation renames the log: each hotsnap run opens it anew and appends, so a run in progress',
    '# finishes in the renamed file (left uncompressed by delaycompress) and the next run starts a new',
    '# one (mode 0640). No copytruncate: it loses what a run writes between the copy and the truncate.',
    `${path} {`,
    '    weekly',
    '    rotate 8',
    '    missingok',
    '    notifempty',
    '    nocreate',
    '    compress',
    '    delaycompress',
    '}',
    '',
  ].join('\n');
}
