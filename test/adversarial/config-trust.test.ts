/**
 * The hostile local user and the config (beyond issue 8's list): the config names commands that
 * hotsnap runs as its user — root, mostly — so a config, a config directory or a cached config
 * that another user can write must never be acted on.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../e2e/harness.js';

const nobody = /^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))?.[1];
const isRoot = process.geteuid?.() === 0;

describe('a config another user can change is refused', () => {
  let world: World;
  let pwned: string;
  beforeAll(() => {
    world = createWorld('trust');
    mkdirSync(join(world.dir, 'data'));
    writeFileSync(join(world.dir, 'data/file.txt'), 'x\n');
    pwned = join(world.dir, 'pwned');
    world.writeConfig({
      hooks: { before: ['touch', pwned] },
      profiles: { daily: { paths: [join(world.dir, 'data')] } },
    });
  });
  afterAll(() => world.cleanup());

  it('a config file writable by everyone: exit 2 naming the fix, no hook runs', async () => {
    chmodSync(world.configFile, 0o666);
    try {
      for (const args of [['run'], ['config', 'validate']]) {
        const result = await world.hotsnap(args);
        expect(result.exitCode).toBe(2);
        expect(result.stderr).toMatch(
          /config file .*hotsnap\.yaml is writable by everyone \(mode 0666\): whoever can change it runs commands as you .*chmod go-w/,
        );
      }
      expect(existsSync(pwned)).toBe(false);
    } finally {
      chmodSync(world.configFile, 0o644);
    }
  });

  it('a config file owned by another user, when running as root: exit 2', async (context) => {
    if (!isRoot || nobody === undefined) {
      console.log('skipped: needs root and a user "nobody" to own the config');
      return context.skip();
    }
    chownSync(world.configFile, Number(nobody), Number(nobody));
    try {
      const result = await world.hotsnap(['run']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`is owned by uid ${nobody}, not by you \\(uid 0\\) or root`));
      expect(existsSync(pwned)).toBe(false);
    } finally {
      chownSync(world.configFile, 0, 0);
    }
  });

  it('a config in a directory everyone can write (no sticky bit): exit 2', async () => {
    chmodSync(world.dir, 0o777);
    try {
      const result = await world.hotsnap(['run']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        /the directory of config file .* is writable by everyone .*another user could replace the config/,
      );
      expect(existsSync(pwned)).toBe(false);
    } finally {
      chmodSync(world.dir, 0o700);
    }
  });

  it('the config itself, as it should be, still runs', async () => {
    const result = await world.hotsnap(['run']);
    expect(result.exitCode).toBe(0);
    expect(existsSync(pwned)).toBe(true);
  });
});

describe('a cached config another user could write is never used', () => {
  let world: World;
  let cacheHome: string;
  let marker: string;
  beforeAll(async () => {
    world = createWorld('cache-trust');
    await world.fsck();
    cacheHome = join(world.dir, 'cache-home');
    mkdirSync(join(world.dir, 'data'));
    writeFileSync(join(world.dir, 'data/file.txt'), 'x\n');
    marker = join(world.dir, 'pwned');
    world.writeConfig({ profiles: { daily: { paths: [join(world.dir, 'data')] } } });
  });
  afterAll(() => world.cleanup());

  it('an entry with the right key but a planted hook is ignored unless it is ours alone', async () => {
    const env = { XDG_CACHE_HOME: cacheHome };
    expect((await world.hotsnap(['list'], { env })).exitCode).toBe(0);
    const dir = join(cacheHome, 'hotsnap');
    const [entryName] = readdirSync(dir).filter((name) => name.startsWith('config-'));
    const entryFile = join(dir, entryName!);
    // The key is computable by anyone who can read the config; only the entry's owner must count.
    const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as {
      key: string;
      config: { hooks: { before: string[][] } };
    };
    entry.config.hooks.before = [['touch', marker]];
    writeFileSync(entryFile, JSON.stringify(entry));
    chmodSync(entryFile, 0o666);
    const result = await world.hotsnap(['run'], { env });
    expect(result.stdout).toMatch(/^daily: ok /);
    expect(result.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});
