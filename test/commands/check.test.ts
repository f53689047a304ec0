/**
 * `hotsnap check` as a command: a healthy set-up passes, each broken part is reported in order,
 * the exit code follows problems only, and an invalid config is exit 2 (also in --json).
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand, runChecks } from '../../src/commands/check.js';
import { loadConfigFile } from '../../src/config/load.js';
import { createContext } from '../../src/context.js';
import { ConfigError } from '../../src/errors.js';
import { runTarsnapVersion } from '../../src/adapters/check-programs.js';
import { makeDb } from '../adapters/sqlite/support.js';
import { EMULATOR, makeCheckSetup, type CheckSetup } from './check-setup.js';

let setup: CheckSetup;
beforeAll(async () => {
  setup = await makeCheckSetup();
});
afterAll(() => setup.remove());

const plenty = async () => 1e12;
const context = (file: string) => createContext({ config: file, logLevel: 'silent' });
const deps = () => ({ freeBytes: plenty, tarsnapVersion: runTarsnapVersion, env: setup.env });

describe('runChecks', () => {
  it('a healthy set-up: every check ok, in a stable order', async () => {
    const config = loadConfigFile(setup.writeConfig());
    const items = await runChecks(config, config.profiles, deps());
    expect(items.map((item) => `${item.status} ${item.check}`)).toEqual([
      'ok config',
      'ok node',
      'ok sqlite_library',
      'ok tarsnap',
      'ok keyfile',
      'ok key',
      'ok cachedir',
      'ok server',
      'ok sqlite',
      'ok path',
      'ok staging_dir',
      'ok staging_space',
      'ok state_dir',
      'ok kept_snapshot',
      'ok hook',
    ]);
    expect(items[3]!.message).toBe(`${EMULATOR}: tarsnap 1.0.41`);
    expect(items[7]!.message).toBe(`tarsnap server reached with ${setup.keyfile}: 0 archives`);
    expect(items[11]!.message).toMatch(/profile daily needs about 1\d\.\d MB for its database copies/);
  });

  it('the staging need is that of the largest profile, summed over its databases', async () => {
    const second = join(setup.dir, 'second.db');
    await makeDb(second, 1, 'wal');
    const config = loadConfigFile(
      setup.writeConfig((c) => {
        c.profiles.weekly = { sqlite: [setup.db, second] };
      }),
    );
    let asked = '';
    const items = await runChecks(config, config.profiles, { ...deps(), freeBytes: async (dir) => ((asked = dir), 0) });
    expect(asked).toBe(setup.staging);
    expect(items.find((item) => item.check === 'staging_space')).toMatchObject({
      status: 'problem',
      message: expect.stringContaining('but profile weekly needs about'),
    });
    // One item per database, however many profiles list it.
    expect(items.filter((item) => item.check === 'sqlite').map((item) => item.message.split(':')[0])).toEqual([
      setup.db,
      second,
    ]);
  });
});

describe('checkCommand', () => {
  it('healthy: exit 0 and "all … checks passed"', async () => {
    const result = await checkCommand(context(setup.writeConfig()), [], {}, { freeBytes: plenty, env: setup.env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\nall 15 checks passed\n$/);
  });

  it('warnings only (rollback database, group-readable key): still exit 0', async () => {
    const rollback = join(setup.dir, 'rollback.db');
    await makeDb(rollback, 1, 'delete');
    const key = join(setup.dir, 'group.key');
    writeFileSync(key, readFileSync(setup.keyfile));
    chmodSync(key, 0o640);
    const file = setup.writeConfig((c) => {
      c.tarsnap.keyfile = key;
      c.profiles.daily.sqlite = [rollback];
    });
    const result = await checkCommand(context(file), [], { json: true }, { freeBytes: plenty, env: setup.env });
    const items = JSON.parse(result.stdout ?? '') as { check: string; status: string }[];
    expect(items.filter((item) => item.status !== 'ok')).toEqual([
      expect.objectContaining({ check: 'keyfile', status: 'warn' }),
      expect.objectContaining({ check: 'sqlite', status: 'warn' }),
    ]);
    expect(result.exitCode).toBe(0);
  });

  it('problems: exit 3, each with a fix (bad key mode, missing database, missing binary, full staging disk)', async () => {
    const key = join(setup.dir, 'open.key');
    writeFileSync(key, readFileSync(setup.keyfile));
    chmodSync(key, 0o644);
    const file = setup.writeConfig((c) => {
      c.tarsnap.keyfile = key;
      c.tarsnap.binary = 'tarsnap-not-installed';
      c.profiles.daily.sqlite = [setup.db, join(setup.dir, 'gone.db')];
    });
    const result = await checkCommand(
      context(file),
      [],
      { json: true },
      { freeBytes: async () => 1000, env: setup.env },
    );
    expect(result.exitCode).toBe(3);
    const problems = (
      JSON.parse(result.stdout ?? '') as { check: string; status: string; message: string; fix?: string }[]
    ).filter((item) => item.status === 'problem');
    expect(problems.map((item) => item.check)).toEqual(['tarsnap', 'keyfile', 'sqlite', 'staging_space']);
    expect(problems.every((item) => item.fix)).toBe(true);
    expect(problems[1]).toEqual({
      check: 'keyfile',
      status: 'problem',
      message: `keyfile ${key} is readable by others (mode 0644)`,
      fix: `run chmod 600 ${key}`,
    });
  });

  it('named profiles: only theirs are checked; an unknown name is a usage error', async () => {
    const file = setup.writeConfig((c) => {
      c.profiles.weekly = { paths: [join(setup.dir, 'not-there')] };
    });
    const daily = await checkCommand(context(file), ['daily'], {}, { freeBytes: plenty, env: setup.env });
    expect(daily.exitCode).toBe(0);
    const weekly = await checkCommand(context(file), ['weekly'], {}, { freeBytes: plenty, env: setup.env });
    expect(weekly.exitCode).toBe(3);
    expect(weekly.stdout).toContain(`PROBLEM path: ${join(setup.dir, 'not-there')} (profile weekly) does not exist`);
    await expect(checkCommand(context(file), ['monthly'], {}, { env: setup.env })).rejects.toThrow(
      /unknown profile monthly/,
    );
  });

  it('an invalid config: throws the ConfigError (exit 2); with --json, also a JSON finding and exit 2', async () => {
    const file = join(setup.dir, 'invalid.yaml');
    writeFileSync(file, 'tarsnap:\n  keyfile: relative.key\nprofiles: {}\n');
    await expect(checkCommand(context(file), [], {})).rejects.toBeInstanceOf(ConfigError);
    const result = await checkCommand(context(file), [], { json: true });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout ?? '')).toEqual([
      {
        check: 'config',
        status: 'problem',
        message: expect.stringContaining('tarsnap.keyfile: "relative.key" must be an absolute path'),
        fix: 'fix each problem listed, then run hotsnap config validate',
      },
    ]);
    rmSync(file);
  });
});
