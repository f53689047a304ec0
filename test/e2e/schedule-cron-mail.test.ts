/**
 * The cron lines of `hotsnap schedule cron`, run the way cron runs them (/bin/sh -c, a minimal
 * environment) against the emulator: cron mails whatever a job prints, so a good run must print
 * nothing, a failed one its errors and summary, while the log file gets every line of both.
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCronLine } from '../core/cron-validator.js';
import { createWorld, type World } from './harness.js';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}(INFO|WARN|ERROR) /;

describe('schedule cron: the log gets everything, cron mail only what needs a look', () => {
  let world: World;

  beforeAll(async () => {
    world = createWorld('cron-mail');
    world.writeConfig({ profiles: { site: { paths: [world.dir + '/site'], schedule: 'daily' } } });
    await execa('mkdir', ['-p', join(world.dir, 'site')]);
    await execa('sh', ['-c', `echo hello > ${join(world.dir, 'site/index.html')}`]);
    expect((await world.fsck()).exitCode).toBe(0);
  });
  afterAll(() => world.cleanup());

  /** Renders the cron line for `run site` with this --log, and returns a runner of it as cron would. */
  async function cronJob(log: string) {
    const rendered = await world.hotsnap(['schedule', 'cron', '--log', log]);
    expect(rendered.exitCode).toBe(0);
    const line = String(rendered.stdout)
      .split('\n')
      .find((entry) => / run site$/.test(entry))!;
    const { command } = parseCronLine(line);
    return async (extra: Record<string, string> = {}) => {
      const { HOTSNAP_TEST_NOW, TARSNAP_EMULATOR_NOW } = world.nextEnv();
      // cron: \% becomes %, then /bin/sh -c with a minimal environment; the output is the mail.
      return execa('/bin/sh', ['-c', command.replace(/\\%/g, '%')], {
        reject: false,
        extendEnv: false,
        env: {
          PATH: '/usr/bin:/bin',
          HOME: world.dir,
          TARSNAP_EMULATOR_DIR: world.emulatorDir,
          HOTSNAP_TEST_NOW,
          TARSNAP_EMULATOR_NOW,
          ...extra,
        },
      });
    };
  }

  it('a good run prints nothing (no mail); a failed one prints its errors and summary; the log holds both', async () => {
    const log = join(world.dir, 'hotsnap.log');
    const run = await cronJob(log);

    const good = await run();
    expect(good.exitCode).toBe(0);
    expect([good.stdout, good.stderr]).toEqual(['', '']);
    const afterGood = readFileSync(log, 'utf8');
    expect(afterGood).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}INFO {3}backing up {2}profile=site$/m);
    expect(afterGood).toMatch(/^site: ok {2}archive blog-site-/m);

    const failed = await run({ TARSNAP_EMULATOR_FAULT: 'network' });
    expect(failed.exitCode).toBe(1);
    const mail = `${failed.stdout}\n${failed.stderr}`;
    expect(failed.stdout).toMatch(/^site: FAILED/m);
    expect(failed.stderr).toMatch(/Temporary failure in name resolution/);
    // Only warnings and errors reach the mail: every log line in it is WARN or ERROR.
    const logged = mail.split('\n').filter((entry) => LINE.test(entry));
    expect(logged.length).toBeGreaterThan(0);
    for (const entry of logged) expect(entry).toMatch(/Z {2}(WARN|ERROR) /);

    const all = readFileSync(log, 'utf8');
    expect(all.startsWith(afterGood)).toBe(true);
    const added = all.slice(afterGood.length);
    expect(added).toMatch(/Z {2}INFO {3}backing up {2}profile=site$/m);
    expect(added).toMatch(/Temporary failure in name resolution/);
    expect(added).toMatch(/^site: FAILED/m);
    // Every error line mailed is in the log too.
    for (const entry of failed.stderr.split('\n').filter((e) => LINE.test(e))) expect(added).toContain(entry);
  });

  it('an error that ends the command (a config error, the lock) is in the log file too, not only in the mail', async () => {
    const log = join(world.dir, 'errors.log');
    const result = await world.hotsnap(['--log-file', log, 'run', 'no-such-profile']);
    expect(result.exitCode).toBe(2);
    const message = String(result.stderr).trim();
    expect(message).toMatch(/^hotsnap: .*no-such-profile/);
    expect(readFileSync(log, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}ERROR {2}hotsnap: /m);
    expect(readFileSync(log, 'utf8')).toContain(`ERROR  ${message}\n`);
  });

  it('a log file that cannot be opened: the backup still runs, and everything goes to the mail with the reason', async () => {
    // Below a file, so not even its directory can be made.
    const log = join(world.configFile, 'hotsnap.log');
    const run = await cronJob(log);
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`Z {2}WARN {3}cannot append to the log file "${log}": EEXIST.*; logging to stderr instead\\n`),
    );
    expect(result.stderr).toMatch(/Z {2}INFO {3}backing up {2}profile=site$/m);
    expect(result.stdout).toMatch(/^site: ok /m);
  });
});
