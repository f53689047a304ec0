/**
 * Checks a profile's `extra_args` for `tarsnap -c` before they reach argv. They sit between
 * hotsnap's options and its `--exclude … -f NAME -C STAGE`, so a bare word there would end option
 * parsing (turning everything after it into file names), and a mode, `-f`, `-C`, key or cache option
 * would fight hotsnap's own. Option names and arities are tarsnap 1.0.41's (`tar/cmdline.c`).
 */

/** Long options of tarsnap 1.0.41 that take a value (the next word, or `--opt=value`). */
const LONG_WITH_VALUE = new Set([
  'checkpoint-bytes', 'configfile', 'creationtime', 'csv-file', 'disk-pause', 'exclude', 'exclude-from',
  'files-from', 'include', 'maxbw', 'maxbw-rate', 'maxbw-rate-down', 'maxbw-rate-up', 'newer', 'newer-ctime',
  'newer-ctime-than', 'newer-mtime', 'newer-mtime-than', 'newer-than', 'progress-bytes', 'snaptime',
]);

/** Long flags (no value) that make sense with `-c` and leave hotsnap's parsing intact. */
const LONG_FLAGS = new Set([
  'aggressive-networking', 'check-links', 'dereference', 'force-resources', 'insane-filesystems', 'lowmem',
  'noatime', 'nodump', 'noisy-warnings', 'norecurse', 'no-recursion', 'normalmem', 'no-aggressive-networking',
  'no-config-exclude', 'no-config-include', 'no-disk-pause', 'no-force-resources', 'no-humanize-numbers',
  'no-insane-filesystems', 'no-maxbw', 'no-maxbw-rate-down', 'no-maxbw-rate-up', 'no-noatime', 'no-nodump',
  'no-print-stats', 'no-progress-bytes', 'no-quiet', 'no-retry-forever', 'no-snaptime', 'no-store-atime',
  'no-totals', 'one-file-system', 'quiet', 'retry-forever', 'store-atime', 'totals', 'null', 'null-input',
]);

/** Why hotsnap refuses an option it controls or that breaks the run. */
const REFUSED: Record<string, string> = {
  keyfile: 'set tarsnap.keyfile instead',
  cachedir: 'set tarsnap.cachedir instead',
  passphrase: 'set tarsnap.passphrase instead',
  file: 'hotsnap names the archive',
  cd: 'hotsnap sets -C to its staging directory',
  directory: 'hotsnap sets -C to its staging directory',
  'dry-run': 'use hotsnap --dry-run',
  'dry-run-metadata': 'use hotsnap --dry-run',
  'print-stats': 'hotsnap adds it when it needs the numbers',
  verbose: 'use hotsnap --verbose',
  'humanize-numbers': 'hotsnap parses the byte counts',
  'absolute-paths': 'member names must stay relative for restores',
  insecure: 'member names must stay relative for restores',
  interactive: 'a prompt would hang an unattended run',
  confirmation: 'a prompt would hang an unattended run',
  'dump-config': 'it changes what tarsnap prints',
};

/** Short options: `s`, `T`, `I`, `X` take a value; these flags are harmless with `-c`. */
const SHORT_WITH_VALUE = new Set(['s', 'T', 'I', 'X']);
const SHORT_FLAGS = new Set(['B', 'H', 'h', 'L', 'l', 'n']);

/**
 * Given `extra_args`, throws an Error naming the first word tarsnap would misread or hotsnap must
 * control; returns normally when every word is a known `-c` option or the value of one.
 * Example: `assertExtraArgs(['--checkpoint-bytes', '1G', '--one-file-system'])` returns; `assertExtraArgs(['/etc'])` throws.
 */
export function assertExtraArgs(extraArgs: readonly string[]): void {
  const refuse = (word: string, why: string): never => {
    throw new Error(`tarsnap extra argument ${JSON.stringify(word)} is not allowed: ${why}`);
  };
  for (let i = 0; i < extraArgs.length; i++) {
    const word = extraArgs[i] ?? '';
    const takeValue = (): void => {
      if (i + 1 >= extraArgs.length) refuse(word, 'it needs a value');
      i++;
    };
    if (word === '--') refuse(word, 'it would turn hotsnap\'s own options into file names');
    else if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      const why = REFUSED[name];
      if (why !== undefined) refuse(word, why);
      if (LONG_WITH_VALUE.has(name)) {
        if (eq === -1) takeValue();
      } else if (LONG_FLAGS.has(name)) {
        if (eq !== -1) refuse(word, 'this option takes no value');
      } else refuse(word, 'not a tarsnap 1.0.41 option for -c (write it in full; modes and -f/-C are hotsnap\'s)');
    } else if (word.startsWith('-') && word.length > 1) {
      // Bundled short flags like -Lh; a value-taking letter takes the rest of the word or the next one.
      for (let j = 1; j < word.length; j++) {
        const letter = word[j] ?? '';
        if (SHORT_WITH_VALUE.has(letter)) {
          if (j === word.length - 1) takeValue();
          break;
        }
        if (!SHORT_FLAGS.has(letter)) refuse(word, `-${letter} is a mode, is hotsnap's, or is not a -c option`);
      }
    } else refuse(word, 'a bare word would end option parsing; put paths in the profile\'s paths');
  }
}
