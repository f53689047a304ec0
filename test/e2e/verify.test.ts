/**
 * `hotsnap verify` (the restore drill) end to end: the built CLI against the emulator; a good
 * archive passes, a byte flipped in storage is caught, the verdict lands in the state file, and
 * the private restore directory is gone afterwards, also after SIGTERM.
 */
import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCommand } from '../../src/commands/verify.js';
import { createContext } from '../../src/context.js';
import { BIN, createWorld, FIXTURES, stagingLeftovers, type World } from './harness.js';
import { flipByteOfDatabase } from './restore-support.js';

function lastVerify(world: World, profile: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(world.stateDir, `profiles/${profile}.json`), 'utf8')).last_verify;
}

describe('hotsnap verify', () => {
  let world: World;
  let db: string;
  let data: string;
  let archive: string;
  let profiles: Record<string, unknown>;

  beforeAll(async () => {
    world = createWorld('verify');
    data = join(world.dir, 'srv/app');
    db = join(data, 'app.db');
    mkdirSync(data, { recursive: true });
    await execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', db, '--size-mb', '2']);
    writeFileSync(join(data, 'readme.txt'), 'hello\n');
    profiles = {
      daily: { sqlite: [db], paths: [data], retention: { keep_last: 5 } },
      weekly: { paths: [data], retention: { keep_last: 5 } },
    };
    world.writeConfig({ profiles });
    const run = await world.hotsnap(['run', 'daily', '--no-prune']);
    expect(run.exitCode).toBe(0);
    archive = /archive (\S+)/.exec(String(run.stdout))![1]!;
    expect(archive).toBe('blog-daily-2026-03-01_03-00-00');
  });
  afterAll(() => world?.cleanup());

  it('passes on a good archive, records it, and leaves nothing in staging_dir', async () => {
    world.setNow('2026-03-02T04:00:00Z');
    const result = await world.hotsnap(['verify', 'daily']);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^daily: ok {2}archive ${archive} {2}1 of 1 database verified {2}1 of 1 path present {2}[\\d.]+s$`),
      ),
      `  ${db}: verified ok (SHA-256 matches the manifest, integrity_check ok)`,
    ]);
    expect(lastVerify(world, 'daily')).toEqual({
      time: '2026-03-02T04:00:00.000Z',
      status: 'ok',
      archive,
      databases: 1,
    });
    expect(stagingLeftovers(world)).toEqual([]);
    // The whole archive was extracted into a private directory under staging_dir.
    const extract = world.calls().find((call) => call.mode === '-x')!;
    expect(extract.argv[extract.argv.indexOf('-C') + 1]).toMatch(
      new RegExp(`^${world.stagingDir}/hotsnap/verify-daily-`),
    );
    expect(extract.argv.at(-1)).toBe(extract.argv[extract.argv.indexOf('-C') + 1]);
  });

  it("goes ahead without the free-space check when tarsnap cannot tell the archive's size (no cache directory)", async () => {
    world.writeConfig({ profiles, tarsnap: { cachedir: join(world.dir, 'no-cache-here') } });
    try {
      const result = await world.hotsnap(['verify', 'daily']);
      expect(result.exitCode).toBe(0);
      expect(String(result.stderr)).toContain(
        `cannot learn the size of ${archive} before restoring it (tarsnap failed to print the size of archive ${archive}`,
      );
      expect(String(result.stderr)).toContain('going ahead without a free-space check');
    } finally {
      world.writeConfig({ profiles });
    }
  });

  it('a profile without an archive fails with a clear message; the others still run', async () => {
    const result = await world.hotsnap(['verify', '--json']);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as {
      profiles: { profile: string; status: string; error?: string }[];
    };
    expect(report.profiles.map((p) => [p.profile, p.status])).toEqual([
      ['daily', 'ok'],
      ['weekly', 'failed'],
    ]);
    expect(report.profiles[1]!.error).toBe(
      'profile weekly has no complete archive yet: nothing to verify; run "hotsnap run weekly" first',
    );
    expect(lastVerify(world, 'weekly')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no complete archive yet'),
    });
  });

  it('an archive not made by hotsnap (no manifest): verify fails saying so; restore restores it and checks nothing', async () => {
    const legacy = 'blog-weekly-2030-01-01_00-00-00';
    const files = readdirSync(data).length;
    const made = await world.tarsnap([
      '-c',
      '--keyfile',
      world.keyfile,
      '--cachedir',
      world.cachedir,
      '-f',
      legacy,
      data,
    ]);
    expect(made.exitCode).toBe(0);
    const verify = await world.hotsnap(['verify', 'weekly']);
    expect(verify.exitCode).toBe(1);
    expect(String(verify.stdout)).toContain(
      `error: archive ${legacy} holds no .hotsnap/manifest.json, so its databases cannot be checked`,
    );
    expect(stagingLeftovers(world)).toEqual([]);

    const target = join(world.dir, 'legacy');
    mkdirSync(target);
    const restore = await world.hotsnap(['restore', 'latest:weekly', '--to', target]);
    expect(restore.exitCode).toBe(0);
    expect(String(restore.stdout)).toBe(
      `restored ${legacy} into ${target}: ${files} files\nmanifest: none in this archive (not made by hotsnap?), so no database was checked`,
    );
    expect(readFileSync(join(target, data, 'readme.txt'), 'utf8')).toBe('hello\n');
  });

  it('fails when the archive lacks a configured path or database (config changed since)', async () => {
    const extra = join(world.dir, 'srv/new');
    const newDb = join(world.dir, 'srv/new.db');
    world.writeConfig({
      profiles: { ...profiles, daily: { sqlite: [db, newDb], paths: [data, extra], retention: { keep_last: 5 } } },
    });
    try {
      const result = await world.hotsnap(['verify', 'daily']);
      expect(result.exitCode).toBe(1);
      const stdout = String(result.stdout);
      expect(stdout).toContain(`error: ${newDb}: not in the archive; configured path not in the archive: ${extra}`);
      expect(stdout).toContain(`  ${newDb}: NOT IN ARCHIVE: the config lists it, but this archive was made without it`);
      expect(stdout).toContain(`  ${extra}: NOT IN ARCHIVE (configured, but the archive does not hold it)`);
      expect(stdout).toContain('1 of 2 paths present');
    } finally {
      world.writeConfig({ profiles });
    }
  });

  it('cannot list archives (network down): every profile fails with the reason, recorded', async () => {
    const result = await world.hotsnap(['verify'], { env: { TARSNAP_EMULATOR_FAULT: 'network' } });
    expect(result.exitCode).toBe(1);
    const lines = String(result.stdout).split('\n');
    expect(lines).toHaveLength(2);
    for (const [i, profile] of ['daily', 'weekly'].entries()) {
      expect(lines[i]).toMatch(
        new RegExp(`^${profile}: FAILED {2}0\\.0s {2}error: cannot list archives: tarsnap failed to list archives`),
      );
      expect(lastVerify(world, profile)).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('check DNS and outbound TCP port 9279'),
      });
    }
  });

  it('a staging_dir that does not exist: the profile fails saying what to do, not a crash', async () => {
    world.writeConfig({ profiles, staging_dir: join(world.dir, 'no-staging') });
    try {
      const result = await world.hotsnap(['verify', 'daily']);
      expect(result.exitCode).toBe(1);
      expect(String(result.stderr)).not.toMatch(/internal error/);
      expect(String(result.stdout)).toContain(
        `error: cannot create a staging directory in ${join(world.dir, 'no-staging')}: it does not exist: create it or set staging_dir to an existing directory`,
      );
    } finally {
      world.writeConfig({ profiles });
    }
  });

  it('refuses to start when staging_dir has too little room for the archive', async () => {
    process.env.TARSNAP_EMULATOR_DIR = world.emulatorDir;
    const context = createContext({ config: world.configFile, logFormat: 'text', logLevel: 'silent' });
    const extractsBefore = world.calls().filter((call) => call.mode === '-x').length;
    const result = await verifyCommand(context, ['daily'], {}, { freeBytes: async () => 1000 });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^daily: FAILED {2}archive ${archive} {2}[\\d.]+s {2}error: staging_dir ${world.stagingDir} has 1.0 kB free, but restoring ${archive} needs about [\\d.]+ MB: free some space there, or set staging_dir to a larger file system\\n$`,
      ),
    );
    expect(world.calls().filter((call) => call.mode === '-x')).toHaveLength(extractsBefore);
    expect(stagingLeftovers(world)).toEqual([]);
  });

  it('catches a byte flipped in the stored archive: exit 1 naming the database and "SHA-256 mismatch"', async () => {
    await flipByteOfDatabase(world, archive, db);
    const result = await world.hotsnap(['verify', 'daily']);
    expect(result.exitCode).toBe(1);
    const stdout = String(result.stdout);
    expect(stdout).toMatch(
      new RegExp(
        `^daily: FAILED {2}archive ${archive} {2}0 of 1 database verified {2}1 of 1 path present {2}[\\d.]+s {2}error: ${db}: SHA-256 mismatch\\n`,
      ),
    );
    expect(stdout).toContain(`  ${db}: MISMATCH: SHA-256 mismatch (manifest `);
    expect(lastVerify(world, 'daily')).toMatchObject({
      status: 'failed',
      archive,
      databases: 0,
      error: `${db}: SHA-256 mismatch`,
    });
    expect(stagingLeftovers(world)).toEqual([]);
  });

  it('SIGTERM during the check of a larger database: exit 143 and the restore directory is gone', async () => {
    const big = join(world.dir, 'srv/big.db');
    await execa('node', [join(FIXTURES, 'sqlite/make-db.js'), '--out', big, '--size-mb', '16']);
    world.writeConfig({ profiles: { ...profiles, big: { sqlite: [big], retention: { keep_last: 5 } } } });
    expect((await world.hotsnap(['run', 'big', '--no-prune'])).exitCode).toBe(0);
    const verify = execa('node', [BIN, 'verify', 'big', '--config', world.configFile], {
      reject: false,
      env: world.nextEnv(),
    });
    let stage = '';
    await new Promise<void>((resolve) => {
      verify.stderr!.on('data', (chunk: Buffer) => {
        stage ||= /into=(\S+)/.exec(chunk.toString())?.[1] ?? '';
        if (chunk.toString().includes('checking the restored database')) resolve();
      });
    });
    verify.kill('SIGTERM');
    const result = await verify;
    expect(result.exitCode).toBe(143);
    expect(String(result.stderr)).toContain('stopped by SIGTERM; temporary files removed');
    expect(stage).toMatch(new RegExp(`^${world.stagingDir}/hotsnap/verify-big-`));
    expect(stagingLeftovers(world)).toEqual([]);
  });
});
