/**
 * What the tarsnap runner's adapter tests share: the emulator's path, a key it accepts with every
 * capability, runner settings pointing at them, and a logger that records "level message" lines.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TarsnapSettingsForRunner } from '../../src/adapters/tarsnap.js';

export const EMULATOR = resolve(import.meta.dirname, '../../fixtures/tarsnap-emulator/tarsnap');

/**
 * Given a temp dir, writes DIR/key (0600) and makes DIR/emulator; returns runner settings using
 * them (cachedir DIR/cache, retries as given, 5 ms retry delay) and the emulator's environment.
 */
export function emulatorRunnerSetup(
  dir: string,
  retries: number,
): { settings: TarsnapSettingsForRunner; env: Record<string, string> } {
  mkdirSync(join(dir, 'emulator'), { recursive: true });
  writeFileSync(join(dir, 'key'), '# START OF TARSNAP KEY FILE\nemulator-key: read,write,delete\n');
  chmodSync(join(dir, 'key'), 0o600);
  return {
    settings: {
      binary: EMULATOR,
      keyfile: join(dir, 'key'),
      cachedir: join(dir, 'cache'),
      retries,
      retryDelayMs: 5,
      autoFsck: false,
    },
    env: { TARSNAP_EMULATOR_DIR: join(dir, 'emulator') },
  };
}

/** Returns a logger (as never, for the runner's options) and the "level message" lines it recorded. */
export function recorder() {
  const lines: string[] = [];
  const log = (level: string) => (a: unknown, b?: unknown) =>
    lines.push(`${level} ${typeof a === 'string' ? a : String(b)}`);
  return { lines, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as never };
}
