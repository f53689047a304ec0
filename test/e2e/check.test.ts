/**
 * End to end: the built CLI (`node bin/hotsnap.js check`, built by `npm test`'s pretest) against
 * a real set-up in a temp dir with the tarsnap emulator: exit 0 / 3 / 2, text and --json, and
 * the permission problems made real by running check as nobody when the tests run as root.
 */
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDb, ROOT } from '../adapters/sqlite/support.js';
import { makeCheckSetup, type CheckSetup } from '../commands/check-setup.js';
import { nobodyKit, nobodySkipReason } from '../support/nobody.js';

const BIN = process.env.HOTSNAP_E2E_BIN ?? join(ROOT, 'bin/hotsnap.js');
// As nobody: the global setup's copy of the CLI and emulator (the checkout may be out of nobody's reach).
const kit = nobodyKit();
const noNobody = process.getuid?.() !== 0 ? 'not running as root' : nobodySkipReason();
if (noNobody) console.warn(`test/e2e/check.test.ts: the nobody cases are skipped: ${noNobody}`);

interface Item {
  check: string;
  status: 'ok' | 'warn' | 'problem';
  message: string;
  fix?: string;
}

let setup: CheckSetup;
beforeAll(async () => {
  setup = await makeCheckSetup();
});
afterAll(() => setup?.remove());

function hotsnap(args: string[], options: { asNobody?: boolean } = {}) {
  const asNobody = options.asNobody ? kit! : undefined;
  return execa('node', [asNobody ? (process.env.HOTSNAP_E2E_BIN ?? asNobody.bin) : BIN, ...args], {
    cwd: asNobody ? asNobody.dir : ROOT,
    reject: false,
    stripFinalNewline: false,
    env: { ...setup.env, HOTSNAP_CONFIG: '/nonexistent/hotsnap.yaml', HOTSNAP_TEST_NOW: '2026-03-01T03:00:00Z' },
    ...(asNobody ? { uid: asNobody.uid, gid: asNobody.gid } : {}),
  });
}

describe('hotsnap check (built CLI)', () => {
  it('a healthy set-up: exit 0, one ok line per check, nothing on stderr', async () => {
    const result = await hotsnap(['check', '--config', setup.writeConfig()]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).every((line) => line.startsWith('ok '))).toBe(true);
    expect(lines).toContain(
      `ok      key: tarsnap emulator key (the test emulator's format, not a real tarsnap key): ${setup.keyfile} holds the keys for reading, writing, and deleting: backups and pruning can run here`,
    );
    expect(lines).toContain(`ok      server: tarsnap server reached with ${setup.keyfile}: 0 archives`);
    expect(lines.at(-1)).toBe('all 15 checks passed');
  });

  it('--json: a list of {check, status, message, fix?}', async () => {
    const result = await hotsnap(['check', '--json', '--config', setup.writeConfig()]);
    expect(result.exitCode).toBe(0);
    const items = JSON.parse(result.stdout) as Item[];
    expect(items.map((item) => item.check)).toEqual([
      'config',
      'node',
      'sqlite_library',
      'tarsnap',
      'keyfile',
      'key',
      'cachedir',
      'server',
      'sqlite',
      'path',
      'staging_dir',
      'staging_space',
      'state_dir',
      'kept_snapshot',
      'hook',
    ]);
    for (const item of items)
      expect(Object.keys(item).sort()).toEqual(
        item.fix ? ['check', 'fix', 'message', 'status'] : ['check', 'message', 'status'],
      );
  });

  it('problems: exit 3 naming each with its fix; warnings alongside do not change the code', async () => {
    const rollback = join(setup.dir, 'rollback.db');
    await makeDb(rollback, 2, 'delete');
    const key = join(setup.dir, 'open.key');
    writeFileSync(key, '');
    const { writeKey } = await import('../../fixtures/tarsnap-emulator/lib/keys.js');
    writeKey(key, ['write']);
    chmodSync(key, 0o644);
    const file = setup.writeConfig((c) => {
      c.tarsnap.binary = join(setup.dir, 'no-tarsnap-here');
      c.tarsnap.keyfile = key;
      c.tarsnap.cachedir = join(setup.dir, 'fresh-cache');
      c.profiles.daily.sqlite = [rollback, join(setup.dir, 'missing.db')];
      c.profiles.daily.paths = [setup.site, join(setup.dir, 'missing-dir')];
      c.profiles.daily.hooks = { after: ['no-such-hook-program', '--now'] };
    });
    const result = await hotsnap(['check', '--config', file]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `PROBLEM tarsnap: tarsnap binary ${join(setup.dir, 'no-tarsnap-here')} does not exist; install tarsnap (https://www.tarsnap.com/download.html), or set tarsnap.binary to its absolute path`,
        `PROBLEM keyfile: keyfile ${key} is readable by others (mode 0644); run chmod 600 ${key}`,
        `PROBLEM sqlite: database ${join(setup.dir, 'missing.db')} (profile daily) does not exist; correct or remove it in the sqlite list of profile daily`,
        `PROBLEM path: ${join(setup.dir, 'missing-dir')} (profile daily) does not exist; correct or remove it in the paths of profile daily`,
        expect.stringMatching(
          /^PROBLEM hook: profiles\.daily\.hooks\.after: no-such-hook-program is not found on PATH/,
        ),
        expect.stringMatching(
          /^warn {4}key: .*holds the keys for writing \(write-only\): this host cannot list or prune archives/,
        ),
        expect.stringMatching(/^warn {4}cachedir: cachedir .*fresh-cache does not exist yet \(tarsnap creates it\)/),
        expect.stringMatching(
          /^warn {4}sqlite: .*rollback\.db: rollback journal \(delete\), [\d.]+ MB: writers will pause for about \d+ ms per backup/,
        ),
      ]),
    );
    expect(lines.at(-1)).toBe(
      '5 problems, 3 warnings: hotsnap run will fail or the key is exposed until the problems are fixed',
    );
    // check creates nothing: no cache directory, no staging or state files.
    expect(existsSync(join(setup.dir, 'fresh-cache'))).toBe(false);
    expect(readdirSync(setup.staging)).toEqual([]);
    expect(readdirSync(setup.state)).toEqual([]);
  });

  it('an invalid config: exit 2 with every problem on stderr; --json prints it as a finding, still exit 2', async () => {
    const file = join(setup.dir, 'broken.yaml');
    writeFileSync(
      file,
      'tarsnap:\n  keyfile: /k\n  cachedir: /c\nprofiles:\n  daily:\n    paths: [relative/path]\n    retension: {}\n',
    );
    const text = await hotsnap(['check', '--config', file]);
    expect(text.exitCode).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(
      /^hotsnap: invalid config .*broken\.yaml \(2 problems\):\n.*profiles\.daily\.paths\[0\]: "relative\/path" must be an absolute path.*\n.*profiles\.daily\.retension/,
    );
    const json = await hotsnap(['check', '--json', '--config', file]);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ check: 'config', status: 'problem' })]);
  });

  it('--help documents the exit codes', async () => {
    const result = await hotsnap(['check', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'Exit 0 when there are no problems (warnings are printed but pass), 3 when a problem would make',
    );
  });

  describe.skipIf(noNobody)('as an unprivileged user (nobody)', () => {
    it('unreadable key, path, state_dir, staging_dir, a rollback database it cannot lock, a WAL one it cannot open: each a problem naming who to run as', async () => {
      const rollback = join(setup.dir, 'locked-rollback.db');
      await makeDb(rollback, 1, 'delete');
      chmodSync(rollback, 0o644);
      const secret = join(setup.dir, 'secret');
      mkdirSync(secret, { mode: 0o700 });
      const dbDir = join(setup.dir, 'app-data');
      mkdirSync(dbDir, { mode: 0o755 });
      const idleWal = join(dbDir, 'idle.db');
      await makeDb(idleWal, 1, 'wal');
      chmodSync(idleWal, 0o644);
      const stagingRo = join(setup.dir, 'staging-ro');
      mkdirSync(stagingRo, { mode: 0o755 });
      const file = setup.writeConfig((c) => {
        c.tarsnap.binary = kit!.emulator;
        c.staging_dir = stagingRo;
        c.state_dir = join(setup.dir, 'state');
        c.profiles.daily.sqlite = [rollback, idleWal];
        c.profiles.daily.paths = [secret];
      });
      expect(statSync(setup.keyfile).mode & 0o777).toBe(0o600);
      const result = await hotsnap(['check', '--json', '--config', file], { asNobody: true });
      expect(result.exitCode).toBe(3);
      const problems = (JSON.parse(result.stdout) as Item[]).filter((item) => item.status === 'problem');
      expect(problems).toEqual(
        expect.arrayContaining([
          {
            check: 'keyfile',
            status: 'problem',
            message: `user nobody cannot read keyfile ${setup.keyfile} (EACCES; owner root, mode 0600)`,
            fix: 'run hotsnap as root',
          },
          {
            check: 'cachedir',
            status: 'problem',
            message: `user nobody cannot write cachedir ${setup.cachedir} (owner root, mode 0700); tarsnap keeps its lock and chunk directory there`,
            fix: 'run hotsnap as root',
          },
          expect.objectContaining({
            check: 'sqlite',
            message: expect.stringContaining(`${rollback}: rollback journal (delete) and user nobody cannot write it`),
          }),
          {
            check: 'sqlite',
            status: 'problem',
            message: `${idleWal}: WAL mode, and user nobody cannot create its -shm file (${dbDir} is not writable): reading a WAL database needs write access to ${idleWal}-shm or to its directory`,
            fix: 'run hotsnap as root',
          },
          {
            check: 'path',
            status: 'problem',
            message: `user nobody cannot read ${secret} (owner root, mode 0700)`,
            fix: 'run hotsnap as root',
          },
          expect.objectContaining({
            check: 'staging_dir',
            message: `user nobody cannot write staging_dir ${stagingRo} (owner root, mode 0755)`,
          }),
          expect.objectContaining({
            check: 'state_dir',
            message: `user nobody cannot write state_dir ${setup.state} (owner root, mode 0700)`,
          }),
        ]),
      );
    });
  });
});

describe('hotsnap check on Git repositories (built CLI)', () => {
  const gitIn = (cwd: string, ...args: string[]) =>
    execa('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: { ...setup.env, GIT_CONFIG_NOSYSTEM: '1' } });

  it('a git: path that is not a repository and holds none: exit 3 naming it; git present: ok', async () => {
    const bare = join(setup.dir, 'e2e-repos', 'app.git');
    const empty = join(setup.dir, 'e2e-empty');
    mkdirSync(empty, { recursive: true });
    await gitIn(setup.dir, 'init', '-q', '--bare', bare);
    const result = await hotsnap([
      'check',
      '--config',
      setup.writeConfig((c) => (c.profiles.daily.git = [bare, empty])),
    ]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(3);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^ok {6}git_program: \/.*git: git version \d.* \(hotsnap verifies each captured repository with git fsck\)$/,
        ),
        `ok      git: ${bare} is a bare repository (profile daily)`,
        `PROBLEM git: ${empty}: is not a Git repository and holds none (expected a bare repository, a work tree with .git, or a directory containing them); fix the git: entry (profile daily); correct or remove ${empty} in the git: list of profile daily`,
      ]),
    );
    expect(lines.at(-1)).toMatch(/^1 problem, 0 warnings/);
  });

  it('staging_dir on /dev/shm, the repository under the temp dir: a warning, exit 0', async (context) => {
    const shm = statSync('/dev/shm', { throwIfNoEntry: false });
    const bare = join(setup.dir, 'e2e-repos', 'fs.git');
    await gitIn(setup.dir, 'init', '-q', '--bare', bare);
    if (!shm?.isDirectory()) return context.skip('no /dev/shm here');
    if (shm.dev === statSync(bare).dev) return context.skip('/dev/shm is on the same device as the temp dir');
    const staging = mkdtempSync('/dev/shm/hotsnap-e2e-check-');
    try {
      chmodSync(staging, 0o700);
      const file = setup.writeConfig((c) => {
        c.staging_dir = staging;
        c.profiles.daily.git = [bare];
      });
      const result = await hotsnap(['check', '--config', file]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(
        `warn    git: staging_dir ${staging} is on another file system than 1 repository (${bare}; profile daily), so their objects cannot be hard-linked`,
      );
      expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^no problems, 1 warning /);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
});
