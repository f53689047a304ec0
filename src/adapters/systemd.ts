/**
 * Placing unit files and telling systemd about them: atomic writes (temp file + rename, so a
 * daemon-reload never reads half a unit) and `systemctl` through execa (argv, no shell).
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { UnitFile } from '../core/systemd-units.js';
import { findProgram } from './executable.js';

/** TEST ONLY: "absent" or "present" stands in for the machine's answer to systemdAbsence. */
export const TEST_SYSTEMD_VARIABLE = 'HOTSNAP_TEST_SYSTEMD';

/**
 * Given whether user units are meant, the uid and the environment, returns why systemd cannot
 * take units here, or undefined when it can: no /run/systemd/system (not booted with systemd, as
 * sd_booted(3) checks), no systemctl on PATH, or (--user) no user manager for this uid.
 */
export function systemdAbsence(user: boolean, uid: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const forced = env[TEST_SYSTEMD_VARIABLE];
  if (forced === 'present') return undefined;
  if (forced === 'absent' || !existsSync('/run/systemd/system'))
    return 'this machine does not run systemd (no /run/systemd/system)';
  if (!findProgram('systemctl', env).found) return 'systemctl is not on PATH';
  const runtime = env.XDG_RUNTIME_DIR || `/run/user/${uid}`;
  if (user && !existsSync(`${runtime}/systemd`))
    return `no systemd user manager runs for uid ${uid} (no ${runtime}/systemd): log in as that user, or run "loginctl enable-linger"`;
  return undefined;
}

/** Runs `systemctl` with these arguments; rejects with a UserError when it fails. */
export type Systemctl = (args: readonly string[]) => Promise<void>;

/** Given the directory and the unit files, writes each atomically (mode 0644); returns their paths. */
export function writeUnitFiles(dir: string, files: readonly UnitFile[]): string[] {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    return files.map((file) => {
      const path = join(dir, file.name);
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, file.text, { mode: 0o644 });
      renameSync(temporary, path);
      return path;
    });
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `cannot write unit files into ${dir}: ${(error as Error).message} (run as root for /etc/systemd/system, or use --user or --dir DIR)`,
    );
  }
}

/** Given a directory, returns the hotsnap-*.timer files in it (to spot units of removed profiles). */
export function existingTimers(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.startsWith('hotsnap-') && name.endsWith('.timer'))
      .sort();
  } catch {
    return [];
  }
}

/**
 * The real systemctl: given ['--user', 'daemon-reload'], runs it and resolves, or rejects with
 * its exit code and last stderr lines.
 */
export const runSystemctl: Systemctl = async (args) => {
  const result = await execa('systemctl', [...args], { reject: false, stdin: 'ignore' });
  if (result.failed) {
    const why =
      result.exitCode === undefined
        ? result.code === 'ENOENT'
          ? 'systemctl not found on PATH'
          : result.shortMessage
        : `exit ${result.exitCode}`;
    const tail = `${result.stderr ?? ''}`.trim().split('\n').slice(-3).join('\n  ');
    throw new UserError(`systemctl ${args.join(' ')} failed (${why})${tail ? `:\n  ${tail}` : ''}`);
  }
};
