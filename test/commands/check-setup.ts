/**
 * A complete, healthy hotsnap set-up in a temp dir for the `check` tests: the tarsnap emulator as
 * the binary, an emulator key (0600, all keys), a built cache directory, staging and state dirs,
 * a live WAL database, a directory of files and a hook. Tests then break one thing at a time.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeKey } from '../../fixtures/tarsnap-emulator/lib/keys.js';
import { makeDb, ROOT } from '../adapters/sqlite/support.js';

export const EMULATOR = join(ROOT, 'fixtures/tarsnap-emulator/tarsnap');

export interface CheckSetup {
  dir: string;
  keyfile: string;
  cachedir: string;
  staging: string;
  state: string;
  db: string;
  site: string;
  /** The environment to run checks in (the emulator needs its state dir). */
  env: NodeJS.ProcessEnv;
  /** Writes the config (the healthy one merged with `change`) and returns its path. */
  // A loose tree on purpose: tests reach into it (`c.profiles.daily.sqlite = …`) to break one thing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  writeConfig(change?: (config: Record<string, any>) => void): string;
  remove(): void;
}

/** Given nothing, builds the healthy set-up; e.g. `(await makeCheckSetup()).writeConfig()`. */
export async function makeCheckSetup(): Promise<CheckSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-check-'));
  // Reachable by an unprivileged user, for the tests that run check as nobody.
  chmodSync(dir, 0o755);
  const keyfile = join(dir, 'tarsnap.key');
  const cachedir = join(dir, 'cache');
  const staging = join(dir, 'staging');
  const state = join(dir, 'state');
  const site = join(dir, 'site');
  const db = join(dir, 'ghost.db');
  writeKey(keyfile, ['read', 'write', 'delete']);
  mkdirSync(cachedir, { mode: 0o700 });
  // What tarsnap leaves after its first transaction (chunks_directory_exists() looks for it).
  writeFileSync(join(cachedir, 'directory'), '');
  mkdirSync(staging, { mode: 0o700 });
  mkdirSync(state, { mode: 0o700 });
  mkdirSync(site, { mode: 0o755 });
  writeFileSync(join(site, 'index.html'), '<p>hello</p>\n', { mode: 0o644 });
  await makeDb(db, 1, 'wal');
  let count = 0;
  return {
    dir,
    keyfile,
    cachedir,
    staging,
    state,
    db,
    site,
    env: { ...process.env, TARSNAP_EMULATOR_DIR: join(dir, 'emulator') },
    writeConfig(change) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const config: Record<string, any> = {
        hostname: 'blog',
        timezone: 'UTC',
        staging_dir: staging,
        state_dir: state,
        hooks: { before: ['true'] },
        tarsnap: { binary: EMULATOR, keyfile, cachedir },
        profiles: {
          daily: { sqlite: [db], paths: [site], retention: { keep_daily: 7 } },
        },
      };
      change?.(config);
      const file = join(dir, `hotsnap-${count++}.yaml`);
      writeFileSync(file, stringify(config), { mode: 0o644 });
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
