/**
 * Shared set-up for the emulator's tests: a sandbox (state directory, cache
 * directory, key, HOME) per test, and a runner that spawns the real
 * emulator script and returns its exit status and exact output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { writeKey, type KeyCapability } from '../../fixtures/tarsnap-emulator/lib/keys.js';

/** The emulator executable, as hotsnap's tests and demo run it. */
export const EMULATOR = fileURLToPath(new URL('../../fixtures/tarsnap-emulator/tarsnap', import.meta.url));

export interface RunResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
}

export interface Sandbox {
  /** A private temporary directory (removed by cleanup()). */
  dir: string;
  /** TARSNAP_EMULATOR_DIR. */
  state: string;
  /** A cache directory path (not created). */
  cache: string;
  /** A read/write/delete key. */
  key: string;
  /** Writes a key with the given capabilities and returns its path. */
  makeKey(name: string, capabilities: readonly KeyCapability[]): string;
  /** Writes files (relative path -> contents) under dir, creating folders. */
  write(files: Record<string, string | Buffer>): void;
  /** Runs the emulator to completion. */
  run(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts the emulator and returns the running process. */
  start(args: readonly string[], options?: RunOptions): ResultPromise;
  /** Common options for mutating calls: key, cache, no default config. */
  common(): string[];
  cleanup(): void;
}

/**
 * A fresh sandbox. Given nothing, returns directories under os.tmpdir()
 * with a full-capability key; HOME points into the sandbox and TZ is UTC.
 */
export function makeSandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotsnap-emulator-'));
  const state = path.join(dir, 'state');
  const cache = path.join(dir, 'cache');
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const key = path.join(dir, 'full.key');
  writeKey(key);
  const baseEnv = (options?: RunOptions) => ({
    TARSNAP_EMULATOR_DIR: state,
    HOME: home,
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    XDG_CONFIG_HOME: undefined,
    TARSNAP_EMULATOR_FAULT: undefined,
    TARSNAP_EMULATOR_DELAY_MS: undefined,
    TARSNAP_EMULATOR_NOW: undefined,
    TARSNAP_EMULATOR_SEED: undefined,
    ...options?.env,
  });
  const start = (args: readonly string[], options?: RunOptions) =>
    execa(EMULATOR, [...args], {
      env: baseEnv(options),
      extendEnv: true,
      reject: false,
      stripFinalNewline: false,
      cwd: options?.cwd ?? dir,
      ...(options?.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    });
  return {
    dir,
    state,
    cache,
    key,
    makeKey(name, capabilities) {
      const file = path.join(dir, name);
      writeKey(file, capabilities);
      return file;
    },
    write(files) {
      for (const [relative, contents] of Object.entries(files)) {
        const file = path.join(dir, relative);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, contents);
      }
    },
    start,
    async run(args, options) {
      const result = await start(args, options);
      return {
        exitCode: result.exitCode,
        signal: result.signal,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
      };
    },
    common() {
      return ['--keyfile', key, '--cachedir', cache, '--no-default-config'];
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lines of a text, without the empty string after a final newline. */
export function lines(text: string): string[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Names printed by --list-archives (plain form), sorted. */
export function sortedNames(stdout: string): string[] {
  return lines(stdout).sort();
}
