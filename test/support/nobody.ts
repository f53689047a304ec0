/**
 * What the tests that run a process as `nobody` need, where nobody can reach it. The checkout may
 * sit in a directory nobody cannot enter (root cloning into its own 0700 home), so the global setup
 * copies the built CLI, the tarsnap emulator and a bundle of the hot-copy runner into a fresh
 * world-traversable temp dir (the "kit"), checks that nobody can run node there, and tells the
 * workers through the environment where it is, or why there is none (then those tests skip and
 * print the reason).
 */
import { execa } from 'execa';
import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Not HOTSNAP_*: hooks inherit the environment, and the e2e hook tests compare every HOTSNAP_ variable.
const KIT_VARIABLE = 'TEST_NOBODY_KIT';
const SKIP_VARIABLE = 'TEST_NOBODY_SKIP';

export interface NobodyKit {
  /** The kit's directory (0755, and every directory above it is traversable by nobody). */
  dir: string;
  uid: number;
  gid: number;
  /** The built CLI's bin/hotsnap.js inside the kit (absent if dist/ was not built). */
  bin: string;
  /** The tarsnap emulator inside the kit. */
  emulator: string;
  /** test/adapters/sqlite/run-hot-copy.ts bundled into one file: `node RUN_HOT_COPY '{…}'`. */
  runHotCopy: string;
}

/** Returns nobody's uid and gid from /etc/passwd, or undefined when there is no such user. */
function nobodyIds(): { uid: number; gid: number } | undefined {
  const match = /^nobody:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'));
  return match ? { uid: Number(match[1]), gid: Number(match[2]) } : undefined;
}

/** Copies what better-sqlite3 loads at run time (not its 25 MB of sources) into `modules`. */
function copyBetterSqlite(root: string, modules: string): void {
  const require = createRequire(join(root, 'package.json'));
  const packageDir = dirname(require.resolve('better-sqlite3/package.json'));
  const target = join(modules, 'better-sqlite3');
  for (const part of ['package.json', 'lib', 'build/Release/better_sqlite3.node'])
    cpSync(join(packageDir, part), join(target, part), { recursive: true });
  const fromPackage = createRequire(join(packageDir, 'package.json'));
  const bindingsDir = dirname(fromPackage.resolve('bindings/package.json'));
  cpSync(bindingsDir, join(modules, 'bindings'), { recursive: true });
  const fromBindings = createRequire(join(bindingsDir, 'package.json'));
  cpSync(dirname(fromBindings.resolve('file-uri-to-path/package.json')), join(modules, 'file-uri-to-path'), {
    recursive: true,
  });
}

/**
 * Given the checkout, builds the kit in a fresh temp dir and checks nobody can use it; returns
 * the kit, or why there is none, and a remove() for the global teardown.
 * Example: `const { kit, reason, remove } = await buildNobodyKit(ROOT)`.
 */
export async function buildNobodyKit(root: string): Promise<{ kit?: NobodyKit; reason?: string; remove(): void }> {
  const ids = nobodyIds();
  if (process.getuid?.() !== 0)
    return { reason: 'not running as root, so nothing can run as another user', remove: () => undefined };
  if (!ids) return { reason: 'there is no user "nobody" in /etc/passwd', remove: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-nobody-kit-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  chmodSync(dir, 0o755);
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  if (existsSync(join(root, 'dist/cli.js'))) {
    cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true, filter: (source) => !source.endsWith('.map') });
  }
  cpSync(join(root, 'fixtures/tarsnap-emulator'), join(dir, 'fixtures/tarsnap-emulator'), { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  copyBetterSqlite(root, join(dir, 'node_modules'));
  const runHotCopy = join(dir, 'run-hot-copy.mjs');
  await build({
    entryPoints: [join(root, 'test/adapters/sqlite/run-hot-copy.ts')],
    outfile: runHotCopy,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['better-sqlite3'],
    banner: {
      js: "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // Everything readable, directories traversable: mkdtemp and cpSync keep the sources' modes.
  await execa('chmod', ['-R', 'a+rX', dir]);
  const probe = await execa('node', ['-e', "require('better-sqlite3')(':memory:').close()"], {
    cwd: dir,
    reject: false,
    uid: ids.uid,
    gid: ids.gid,
  });
  if (probe.exitCode !== 0) {
    remove();
    const why = probe.stderr.split('\n').find((line) => line.trim() !== '') ?? probe.message;
    return {
      reason: `user nobody cannot run node in ${dir} (is every directory above it traversable, and node executable by others?): ${why}`,
      remove: () => undefined,
    };
  }
  return {
    kit: {
      dir,
      ...ids,
      bin: join(dir, 'bin/hotsnap.js'),
      emulator: join(dir, 'fixtures/tarsnap-emulator/tarsnap'),
      runHotCopy,
    },
    remove,
  };
}

/** Given what buildNobodyKit returned, tells the workers (forked after the global setup) through the environment. */
export function announceNobodyKit(result: { kit?: NobodyKit; reason?: string }): void {
  if (result.kit) process.env[KIT_VARIABLE] = JSON.stringify(result.kit);
  else process.env[SKIP_VARIABLE] = result.reason ?? 'unknown';
}

/** Returns the kit the global setup built, or undefined (nobodySkipReason() says why). */
export function nobodyKit(): NobodyKit | undefined {
  const announced = process.env[KIT_VARIABLE];
  return announced ? (JSON.parse(announced) as NobodyKit) : undefined;
}

/** Returns why nothing can run as nobody in this test run, or undefined when the kit is there. */
export function nobodySkipReason(): string | undefined {
  if (nobodyKit()) return undefined;
  return process.env[SKIP_VARIABLE] ?? 'the global setup (test/support/global-setup.ts) did not run';
}
