/**
 * `hotsnap check` probes of programs: the tarsnap binary (found, and what `tarsnap --version`
 * says) and every hook command (resolvable the way execa will run it: no shell).
 */
import { realpathSync, statSync } from 'node:fs';
import type { CheckItem } from '../core/check-report.js';
import { controlledByOthers } from '../core/permissions.js';
import { shellQuote } from '../core/shell-quote.js';
import { buildVersionArgs } from '../core/tarsnap-args.js';
import { findProgram, type ProgramLookup } from './executable.js';
import { createTarsnapRunner } from './tarsnap.js';

/** tarsnap's exit codes and messages that hotsnap relies on are those of this release. */
export const TESTED_TARSNAP = [1, 0, 41] as const;

export interface VersionResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `BINARY --version`; resolves to how it ended. Injected in tests. */
export type VersionProbe = (binaryPath: string, env: NodeJS.ProcessEnv) => Promise<VersionResult>;

/** Given the binary's path, runs `--version` through hotsnap's tarsnap runner (no shell, stdin closed, no retries). */
export const runTarsnapVersion: VersionProbe = async (binaryPath, env) => {
  const runner = createTarsnapRunner(
    { binary: binaryPath, keyfile: '', cachedir: '', extraArgs: [], retries: 0, retryDelayMs: 0, autoFsck: false },
    { env },
  );
  try {
    return await runner.run(buildVersionArgs(), { retry: false });
  } catch (error) {
    const tail = (error as { stderrTail?: string }).stderrTail;
    const code = (error as { code?: number | null }).code;
    return { exitCode: typeof code === 'number' ? code : 1, stdout: '', stderr: tail ?? (error as Error).message };
  }
};

function notFound(lookup: Extract<ProgramLookup, { found: false }>, program: string): string {
  const at = program.includes('/') ? '' : ` (found ${lookup.path})`;
  if (lookup.reason === 'not-executable') return `is not executable${at}`;
  if (lookup.reason === 'not-a-file') return `is not a file${at}`;
  return program.includes('/')
    ? 'does not exist'
    : `is not found on PATH (${lookup.searched.join(':') || 'PATH is empty'})`;
}

/**
 * Given a program's resolved path, returns why another user could change it (the real file, after
 * symlinks), or undefined: hotsnap runs it as its own user, root mostly.
 */
function foreignControl(path: string): string | undefined {
  if (typeof process.geteuid !== 'function') return undefined;
  try {
    const real = realpathSync(path);
    const stats = statSync(real);
    const problem = controlledByOthers({ uid: stats.uid, mode: stats.mode, directory: false }, process.geteuid());
    return problem && `${real === path ? '' : `(${real}) `}${problem}`;
  } catch {
    return undefined;
  }
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Given tarsnap.binary, checks it resolves and runs `--version`.
 * Example: 'tarsnap' on PATH printing "tarsnap 1.0.41" → ok "/usr/local/bin/tarsnap: tarsnap 1.0.41".
 */
export async function checkTarsnapBinary(
  binary: string,
  probe: VersionProbe,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CheckItem> {
  const lookup = findProgram(binary, env);
  if (!lookup.found) {
    const fix =
      lookup.reason === 'not-executable'
        ? `run chmod +x ${shellQuote(lookup.path ?? binary)}`
        : 'install tarsnap (https://www.tarsnap.com/download.html), or set tarsnap.binary to its absolute path';
    return {
      check: 'tarsnap',
      status: 'problem',
      message: `tarsnap binary ${binary} ${notFound(lookup, binary)}`,
      fix,
    };
  }
  const foreign = foreignControl(lookup.path);
  if (foreign) {
    return {
      check: 'tarsnap',
      status: 'problem',
      message: `tarsnap binary ${lookup.path} ${foreign}: whoever can change it runs as you, with your key`,
      fix: `run chown root ${shellQuote(lookup.path)} && chmod go-w ${shellQuote(lookup.path)}`,
    };
  }
  const result = await probe(lookup.path, env);
  const output = `${result.stdout}\n${result.stderr}`.trim();
  const lastLine = output.split('\n').pop() ?? '';
  if (result.exitCode !== 0) {
    return {
      check: 'tarsnap',
      status: 'problem',
      message: `${lookup.path} --version failed (exit ${result.exitCode})${lastLine ? `: ${lastLine}` : ''}`,
      fix: 'reinstall tarsnap, or set tarsnap.binary to a working tarsnap',
    };
  }
  const match = /^tarsnap (\d+)\.(\d+)\.(\d+)/m.exec(result.stdout);
  if (!match) {
    return {
      check: 'tarsnap',
      status: 'warn',
      message: `${lookup.path} --version printed "${lastLine}", not "tarsnap X.Y.Z"`,
      fix: 'check that tarsnap.binary is tarsnap',
    };
  }
  const version = match.slice(1, 4).map(Number);
  const shown = `tarsnap ${version.join('.')}`;
  if (compareVersions(version, TESTED_TARSNAP) < 0) {
    return {
      check: 'tarsnap',
      status: 'warn',
      message: `${lookup.path}: ${shown} is older than ${TESTED_TARSNAP.join('.')}, the release whose exit codes and messages hotsnap relies on (e.g. exit 2 when the server was modified)`,
      fix: 'upgrade tarsnap',
    };
  }
  return { check: 'tarsnap', status: 'ok', message: `${lookup.path}: ${shown}` };
}

/**
 * Given where a hook is configured (e.g. "profiles.daily.hooks.before") and its argv, checks its
 * program resolves. Example: (…, ['systemctl','reload','ghost']) → ok "… systemctl → /usr/bin/systemctl".
 */
export function checkHook(
  where: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): CheckItem {
  const program = argv[0] ?? '';
  const lookup = findProgram(program, env, cwd);
  if (!lookup.found) {
    const fix =
      lookup.reason === 'not-executable'
        ? `run chmod +x ${shellQuote(lookup.path ?? program)}`
        : program.includes('/')
          ? 'correct the path, or install the program there'
          : 'use an absolute path, or install the program / fix PATH';
    return { check: 'hook', status: 'problem', message: `${where}: ${program} ${notFound(lookup, program)}`, fix };
  }
  if (lookup.relative) {
    return {
      check: 'hook',
      status: 'warn',
      message: `${where}: ${program} is relative to the current directory (${lookup.path} now); cron and systemd start hotsnap elsewhere`,
      fix: `write it as ${lookup.path}`,
    };
  }
  const foreign = foreignControl(lookup.path);
  if (foreign) {
    return {
      check: 'hook',
      status: 'problem',
      message: `${where}: ${lookup.path} ${foreign}: whoever can change it runs commands as you`,
      fix: `run chown root ${shellQuote(lookup.path)} && chmod go-w ${shellQuote(lookup.path)}`,
    };
  }
  return { check: 'hook', status: 'ok', message: `${where}: ${program} → ${lookup.path}` };
}
