/**
 * Expected failures. Each carries a message that says what to do next; `src/cli.ts` is the only
 * place that turns them into exit codes. Anything that is not a `UserError` is a bug.
 */

/** Exit codes, as documented in `hotsnap --help`. */
export const ExitCode = {
  ok: 0,
  /** a profile failed (backup, prune, restore, verify) */
  failed: 1,
  /** usage or config error: nothing was attempted */
  usage: 2,
  /** `check` found problems / `status` found an overdue profile */
  problems: 3,
  /** `run`: every backup was stored, but a prune was refused (max_delete, a wrong clock); run the command it names */
  pruneRefused: 4,
  /** another run holds the lock (EX_TEMPFAIL) */
  locked: 75,
  /** anything not a UserError: a bug in hotsnap (EX_SOFTWARE) */
  internal: 70,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: printed as one clear message, no stack. */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** One problem in a config file, with its YAML path and (when known) line. */
export interface ConfigIssue {
  path: string;
  line?: number;
  message: string;
}

/**
 * Every problem in a config file at once.
 * Given ('/etc/h.yaml', [{path:'profiles', line:3, message:'…'}]) prints `h.yaml:3 profiles: …`.
 */
export class ConfigError extends UserError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];
  constructor(file: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map(
      (i) => `  ${file}${i.line ? `:${i.line}` : ''} ${i.path ? `${i.path}: ` : ''}${i.message}`,
    );
    super(
      `invalid config ${file} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      ExitCode.usage,
    );
    this.file = file;
    this.issues = issues;
  }
}

/** Wrong command-line usage (bad flag value, unknown profile). Nothing was attempted. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** A hot copy of one database failed; `db` is the source path. */
export class SnapshotError extends UserError {
  readonly db: string;
  constructor(db: string, message: string, options?: { cause?: unknown }) {
    super(`${db}: ${message}`, ExitCode.failed, options);
    this.db = db;
  }
}

/** Another hotsnap run holds the lock. */
export class LockedError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.locked);
  }
}

/** Given any thrown value, returns a short description (for logs and summaries). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What an operating-system error means to an operator, and what to do about it. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device: free space on that file system or point hotsnap elsewhere',
  EDQUOT: 'disk quota exceeded: free space or raise the quota',
  EACCES: 'permission denied: run as root or make it writable for this user',
  EPERM: 'operation not permitted: run as root',
  EROFS: 'the file system is read-only: remount it read-write or point hotsnap elsewhere',
  EIO: 'input/output error: the disk may be failing (see dmesg)',
  EMFILE: 'too many open files: raise the limit (ulimit -n)',
  ENFILE: 'the system has too many open files: try again when fewer are open',
  ENAMETOOLONG: 'a path is too long',
  ELOOP: 'too many levels of symbolic links',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
};

/**
 * Given a thrown value, returns it as a UserError when it is an operating-system error an operator
 * can fix (a full disk, a permission, a read-only file system), prefixed by what hotsnap was doing;
 * undefined for anything else (a bug). Example: an ENOSPC from writeFileSync('/var/tmp/x') with
 * 'cannot write the manifest' → "cannot write the manifest: /var/tmp/x: no space left on the device: …".
 */
export function systemErrorAsUserError(error: unknown, doing?: string): UserError | undefined {
  if (error instanceof UserError) return error;
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  const meaning = code ? SYSTEM_ERRORS[code] : undefined;
  if (!meaning || !syscall) return undefined;
  return new UserError(
    `${doing ? `${doing}: ` : ''}${path ? `${path}: ` : ''}${meaning} (${code} from ${syscall})`,
    ExitCode.failed,
    { cause: error },
  );
}
