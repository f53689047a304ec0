import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/read.js';
import { readCachedConfig, configCacheKey } from '../../src/config/cache.js';
import { parseConfig } from '../../src/config/load.js';
import { machineDefaults } from '../../src/config/read.js';
import { ConfigError } from '../../src/errors.js';

let dir: string;
let cacheDir: string;
let file: string;
const text = (keepDaily: number) =>
  `tarsnap: {keyfile: /k, cachedir: /c}\nprofiles:\n  daily: {paths: [/srv], retention: {keep_daily: ${keepDaily}}}\n`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-config-cache-'));
  cacheDir = join(dir, 'cache');
  file = join(dir, 'hotsnap.yaml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the config cache', () => {
  it('answers an unchanged file with exactly what a fresh parse gives', async () => {
    writeFileSync(file, text(7));
    const first = await loadConfig(file, { cacheDir });
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(readCachedConfig(cacheDir, file, configCacheKey(file, text(7), machineDefaults()))).toEqual(first);
    expect(await loadConfig(file, { cacheDir })).toEqual(parseConfig(text(7), file));
  });

  it('misses after any edit, and never caches an invalid file', async () => {
    writeFileSync(file, text(7));
    await loadConfig(file, { cacheDir });
    writeFileSync(file, text(3));
    expect((await loadConfig(file, { cacheDir })).profiles[0]!.retention).toEqual({ keep_daily: 3 });
    writeFileSync(file, text(3).replace('keep_daily', 'keep_daly'));
    await expect(loadConfig(file, { cacheDir })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(file, { cacheDir })).rejects.toBeInstanceOf(ConfigError);
  });

  it('ignores a damaged cache entry and an unwritable cache dir', async () => {
    writeFileSync(file, text(7));
    await loadConfig(file, { cacheDir });
    for (const entry of readdirSync(cacheDir)) writeFileSync(join(cacheDir, entry), '{ not json');
    expect((await loadConfig(file, { cacheDir })).profiles[0]!.name).toBe('daily');
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file where the cache dir should be');
    chmodSync(blocked, 0o400);
    expect((await loadConfig(file, { cacheDir: join(blocked, 'sub') })).profiles[0]!.name).toBe('daily');
  });

  it('a stale entry for the same path is not used (its key no longer matches)', async () => {
    writeFileSync(file, text(7));
    await loadConfig(file, { cacheDir });
    writeFileSync(file, text(9));
    expect(readCachedConfig(cacheDir, file, configCacheKey(file, text(9), machineDefaults()))).toBeUndefined();
  });
});
