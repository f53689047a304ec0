/**
 * The one rule for a profile's `extra_args` to `tarsnap -c`: the config loader reports what it
 * refuses (exit 2, before anything is copied) and the create builder refuses the same, so the two
 * can't drift. The words sit between hotsnap's options and its `--exclude … -f NAME -C STAGE`, so a
 * bare word there would end option parsing (turning everything after it into file names), and a
 * mode, `-f`, `-C`, key or cache option would fight hotsnap's own; options that change what tarsnap
 * prints would break the statistics and errors hotsnap reads. Option names and arities are tarsnap
 * 1.0.41's (`tar/cmdline.c`).
 */

/** Long options of tarsnap 1.0.41 that take a value (the next word, or `--opt=value`). */
const LONG_WITH_VALUE = new Set([
  'checkpoint-bytes',
  'creationtime',
  'csv-file',
  'disk-pause',
  'exclude',
  'exclude-from',
  'files-from',
  'include',
  'maxbw',
  'maxbw-rate',
  'maxbw-rate-down',
  'maxbw-rate-up',
  'newer',
  'newer-ctime',
  'newer-ctime-than',
  'newer-mtime',
  'newer-mtime-than',
  'newer-than',
  'progress-bytes',
  'snaptime',
]);

/** Long flags (no value) that make sense with `-c` and leave hotsnap's parsing intact. */
const LONG_FLAGS = new Set([
  'aggressive-networking',
  'check-links',
  'dereference',
  'force-resources',
  'insane-filesystems',
  'lowmem',
  'noatime',
  'nodump',
  'noisy-warnings',
  'norecurse',
  'no-recursion',
  'normalmem',
  'no-aggressive-networking',
  'no-config-exclude',
  'no-config-include',
  'no-disk-pause',
  'no-force-resources',
  'no-humanize-numbers',
  'no-insane-filesystems',
  'no-maxbw',
  'no-maxbw-rate-down',
  'no-maxbw-rate-up',
  'no-noatime',
  'no-nodump',
  'no-progress-bytes',
  'no-quiet',
  'no-retry-forever',
  'no-snaptime',
  'no-store-atime',
  'no-totals',
  'one-file-system',
  'quiet',
  'retry-forever',
  'store-atime',
  'totals',
  'null',
  'null-input',
]);

const VERBOSE =
  "it lists every file on stderr, where hotsnap reads tarsnap's errors and statistics (hotsnap --log-level debug shows each tarsnap call)";

/** Why hotsnap refuses an option it controls or that breaks the run. */
const REFUSED: Record<string, string> = {
  keyfile: 'set tarsnap.keyfile instead',
  cachedir: 'set tarsnap.cachedir instead',
  passphrase: 'set tarsnap.passphrase instead',
  configfile:
    'a tarsnap config file could change the key, the cache or what tarsnap prints; list its options in extra_args instead',
  file: 'hotsnap names the archive',
  cd: 'hotsnap sets -C to its staging directory',
  directory: 'hotsnap sets -C to its staging directory',
  'dry-run': 'use hotsnap run --dry-run',
  'dry-run-metadata': 'use hotsnap run --dry-run',
  'print-stats': 'hotsnap adds it when it needs the numbers',
  'no-print-stats': 'hotsnap reads the statistics --print-stats prints',
  verbose: VERBOSE,
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
/** Short letters refused for a reason more specific than "a mode, hotsnap's or not a -c option". */
const SHORT_REFUSED: Record<string, string> = { v: `-v: ${VERBOSE}` };

/** The first word of `extra_args` that hotsnap refuses: its index, the word and why. */
export interface ExtraArgsProblem {
  index: number;
  word: string;
  reason: string;
}

/**
 * Given `extra_args`, returns the first word tarsnap would misread or hotsnap must control, or
 * undefined when every word is a known `-c` option or the value of one.
 * Example: `findExtraArgsProblem(['--checkpoint-bytes', '1G'])` → undefined;
 * `findExtraArgsProblem(['-v'])` → `{index: 0, word: '-v', reason: 'it lists every file on stderr, …'}`.
 */
export function findExtraArgsProblem(extraArgs: readonly string[]): ExtraArgsProblem | undefined {
  for (let i = 0; i < extraArgs.length; i++) {
    const index = i;
    const word = extraArgs[i] ?? '';
    const refuse = (reason: string): ExtraArgsProblem => ({ index, word, reason });
    // A value may hold anything but NUL: no program argument can carry one.
    const nul = (candidate: string | undefined) => candidate !== undefined && candidate.includes('\0');
    if (nul(word)) return refuse('a program argument cannot contain a NUL byte');
    const takeValue = (): ExtraArgsProblem | undefined => {
      if (i + 1 >= extraArgs.length) return refuse('it needs a value');
      i++;
      return nul(extraArgs[i])
        ? { index: i, word: extraArgs[i]!, reason: 'a program argument cannot contain a NUL byte' }
        : undefined;
    };
    if (word === '--') return refuse("it would turn hotsnap's own options into file names");
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      const why = REFUSED[name];
      if (why !== undefined) return refuse(why);
      if (LONG_WITH_VALUE.has(name)) {
        if (eq === -1) {
          const problem = takeValue();
          if (problem) return problem;
        }
      } else if (LONG_FLAGS.has(name)) {
        if (eq !== -1) return refuse('this option takes no value');
      } else return refuse("not a tarsnap 1.0.41 option for -c (write it in full; modes and -f/-C are hotsnap's)");
    } else if (word.startsWith('-') && word.length > 1) {
      // Bundled short flags like -Lh; a value-taking letter takes the rest of the word or the next one.
      for (let j = 1; j < word.length; j++) {
        const letter = word[j] ?? '';
        if (SHORT_WITH_VALUE.has(letter)) {
          if (j === word.length - 1) {
            const problem = takeValue();
            if (problem) return problem;
          }
          break;
        }
        if (!SHORT_FLAGS.has(letter))
          return refuse(SHORT_REFUSED[letter] ?? `-${letter} is a mode, is hotsnap's, or is not a -c option`);
      }
    } else return refuse("a bare word would end option parsing; put paths in the profile's paths");
  }
  return undefined;
}

/** Given a problem, returns one line for people; e.g. `tarsnap extra argument "-v" is not allowed: -v: it lists …`. */
export function describeExtraArgsProblem(problem: ExtraArgsProblem): string {
  return `tarsnap extra argument ${JSON.stringify(problem.word)} is not allowed: ${problem.reason}`;
}

/**
 * Given `extra_args`, throws an Error describing the first word refused by findExtraArgsProblem;
 * returns normally when there is none (the create builder's guard; config loading reports the same).
 * Example: `assertExtraArgs(['--checkpoint-bytes', '1G', '--one-file-system'])` returns;
 * `assertExtraArgs(['/etc'])` throws.
 */
export function assertExtraArgs(extraArgs: readonly string[]): void {
  const problem = findExtraArgsProblem(extraArgs);
  if (problem) throw new Error(describeExtraArgsProblem(problem));
}
