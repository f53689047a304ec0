/**
 * End-to-end harness: a private world in a temp dir (key, cache, emulator state, staging and state
 * dirs, a config) and a way to run the built CLI in it. Build first (`npm test` does, via pretest).
 *
 * Every world has its own clock, never the wall clock: each hotsnap invocation runs at the world's
 * time (HOTSNAP_TEST_NOW for hotsnap, TARSNAP_EMULATOR_NOW for the archives' creation times), and
 * the time then moves on by CLOCK_STEP_MS, so archive names and prune counts are exact however
 * loaded the machine is. A test that needs a particular time calls setNow().
 */
import { execa, type Options, type Result } from 'execa';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/hotsnap.js');
export const EMULATOR = join(ROOT, 'fixtures/tarsnap-emulator/tarsnap');
export const FIXTURES = join(ROOT, 'fixtures');
/** Where every world's clock starts (a Sunday). */
export const WORLD_START = '2026-03-01T03:00:00.000Z';
/** How far a world's clock moves on after each hotsnap invocation. */
export const CLOCK_STEP_MS = 60_000;

export interface World {
  dir: string;
  emulatorDir: string;
  stagingDir: string;
  stateDir: string;
  keyfile: string;
  cachedir: string;
  configFile: string;
  env: Record<string, string>;
  /** The time the next hotsnap invocation runs at. */
  now(): Date;
  /** Given an ISO time or a Date, makes it the time of the next invocation (the clock steps on from there). */
  setNow(time: string | Date): void;
  /** Returns the world's env plus its clock for one invocation spawned by hand, and moves the clock on a step. */
  nextEnv(): Record<string, string>;
  /** Writes the config (merged over the defaults of this world). */
  writeConfig(config: Record<string, unknown>): void;
  /** Runs `node bin/hotsnap.js ARGS --config FILE` at the world's time (then steps the clock); never rejects. */
  hotsnap(args: readonly string[], options?: Options): Promise<Result>;
  /** Runs the emulator directly (e.g. -t, -x) in this world, at the world's time (the clock stays). */
  tarsnap(args: readonly string[], options?: Options): Promise<Result>;
  /** Builds the cache directory as `tarsnap --fsck` does on a new machine (needed before -d). */
  fsck(): Promise<Result>;
  /** Emulator calls so far, from its call log. */
  calls(): { argv: string[]; mode: string; exit: number | null; signal?: string }[];
  cleanup(): void;
}

/** Given a name, returns a fresh world in a temp dir. */
export function createWorld(name = 'e2e'): World {
  const dir = mkdtempSync(join(tmpdir(), `hotsnap-${name}-`));
  const world = {
    dir,
    emulatorDir: join(dir, 'emulator'),
    stagingDir: join(dir, 'staging'),
    stateDir: join(dir, 'state'),
    keyfile: join(dir, 'tarsnap.key'),
    cachedir: join(dir, 'cache'),
    configFile: join(dir, 'hotsnap.yaml'),
  };
  for (const sub of [world.emulatorDir, world.stagingDir]) mkdirSync(sub, { recursive: true });
  writeFileSync(world.keyfile, '# START OF TARSNAP KEY FILE\nemulator-key: read,write,delete\n');
  chmodSync(world.keyfile, 0o600);
  const env = { TARSNAP_EMULATOR_DIR: world.emulatorDir, HOTSNAP_CONFIG: '' };
  let clock = Date.parse(WORLD_START);
  const clockEnv = () => ({
    HOTSNAP_TEST_NOW: new Date(clock).toISOString(),
    TARSNAP_EMULATOR_NOW: new Date(clock).toISOString(),
  });
  const nextEnv = () => {
    const timed = { ...env, ...clockEnv() };
    clock += CLOCK_STEP_MS;
    return timed;
  };
  return {
    ...world,
    env,
    now: () => new Date(clock),
    setNow(time) {
      const next = typeof time === 'string' ? Date.parse(time) : time.getTime();
      if (Number.isNaN(next)) throw new Error(`setNow: not a time: ${String(time)}`);
      clock = next;
    },
    nextEnv,
    writeConfig(config) {
      const base = {
        hostname: 'blog',
        timezone: 'UTC',
        staging_dir: world.stagingDir,
        state_dir: world.stateDir,
        tarsnap: {
          binary: EMULATOR,
          keyfile: world.keyfile,
          cachedir: world.cachedir,
          retry_delay: '10ms',
          retries: 1,
        },
      };
      writeFileSync(
        world.configFile,
        stringify({ ...base, ...config, tarsnap: { ...base.tarsnap, ...(config.tarsnap as object) } }),
      );
    },
    hotsnap(args, options = {}) {
      return execa('node', [BIN, ...args, '--config', world.configFile], {
        reject: false,
        cwd: dir,
        ...options,
        env: { ...nextEnv(), ...options.env },
      });
    },
    tarsnap(args, options = {}) {
      return execa(EMULATOR, [...args], {
        reject: false,
        cwd: dir,
        ...options,
        env: { ...env, ...clockEnv(), ...options.env },
      });
    },
    fsck() {
      return execa(EMULATOR, ['--fsck', '--keyfile', world.keyfile, '--cachedir', world.cachedir], {
        reject: false,
        cwd: dir,
        env: { ...env, ...clockEnv() },
      });
    },
    calls() {
      try {
        return readFileSync(join(world.emulatorDir, 'calls.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      } catch {
        return [];
      }
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Given a world, returns what is in its staging dir besides the private `hotsnap/` parent, plus
 * the stages inside that (as `hotsnap/NAME`); empty between runs. A profile's kept snapshot
 * (`hotsnap/kept-*`, kept by design so tarsnap's cache skips what did not change) is not a
 * leftover, but this run's scratch inside it (`.incoming`) is.
 */
export function stagingLeftovers(world: World): string[] {
  const names = readdirSync(world.stagingDir);
  const stages = names.includes('hotsnap')
    ? readdirSync(join(world.stagingDir, 'hotsnap')).flatMap((name) =>
        name.startsWith('kept-')
          ? readdirSync(join(world.stagingDir, 'hotsnap', name))
              .filter((entry) => entry === '.incoming')
              .map((entry) => `hotsnap/${name}/${entry}`)
          : [`hotsnap/${name}`],
      )
    : [];
  return [...names.filter((name) => name !== 'hotsnap'), ...stages];
}

/** Given a world, returns its kept snapshots (`hotsnap/kept-<profile>-<tag>`). */
export function keptSnapshots(world: World): string[] {
  const dir = join(world.stagingDir, 'hotsnap');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith('kept-'))
    .map((name) => `hotsnap/${name}`);
}

/**
 * Given a condition, resolves once it holds, checking every 20 ms: for waiting on what another
 * process does (a file appearing, a call logged), never on time passing. The test's timeout bounds it.
 */
export async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
