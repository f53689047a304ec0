/**
 * The first `hotsnap run` after adding `adopt:` finds years of old archives: its prune is refused
 * by max_delete. The backup itself was stored, so it is a success everywhere (exit, state, status,
 * metrics, pings, hooks); the refused prune is its own warning with the one command to run, exit 4.
 */
import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { seedArchives } from '../../fixtures/tarsnap-emulator/lib/seed.js';
import { createWorld, type World } from './harness.js';

let world: World;
let server: Server;
let base: string;
const hits: { path: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hits.push({ path: (request.url ?? '').split('?')[0]!, body });
      response.end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/1d5c2a7e-prune-check`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits.length = 0;
  world = createWorld('prune-refused');
  mkdirSync(join(world.dir, 'data'));
  writeFileSync(join(world.dir, 'data/file.txt'), 'x\n');
});
afterEach(() => world.cleanup());

/** Ten nightly archives of the old cron script (February 2026), named as `adopt:` describes. */
function seedLegacy(): string[] {
  const names = Array.from({ length: 10 }, (_, i) => `blog-daily-2026-02-${String(i + 1).padStart(2, '0')}`);
  seedArchives(
    world.emulatorDir,
    names.map((name, i) => ({ name, time: new Date(Date.UTC(2026, 1, i + 1, 2)) })),
  );
  return names;
}

function writeConfig(extra: Record<string, unknown> = {}): void {
  world.writeConfig({
    metrics_file: join(world.dir, 'hotsnap.prom'),
    profiles: {
      daily: {
        paths: [join(world.dir, 'data')],
        schedule: 'daily',
        retention: { keep_last: 3 },
        adopt: [{ archive_name: '{hostname}-daily-{date}', date_format: 'yyyy-MM-dd' }],
        ping: base,
        hooks: {
          after: ['sh', '-c', `echo "$HOTSNAP_STATUS" > ${join(world.dir, 'after.txt')}`],
          on_error: ['touch', join(world.dir, 'on_error.txt')],
        },
        ...extra,
      },
    },
  });
}

const listed = async () =>
  String((await world.tarsnap(['--list-archives', '--keyfile', world.keyfile])).stdout)
    .split('\n')
    .filter(Boolean);

describe('run whose prune is refused by max_delete', () => {
  it('is a successful backup (state, status, metrics, ping, after hook) with its own warning and exit 4', async () => {
    const legacy = seedLegacy();
    expect((await world.fsck()).exitCode).toBe(0);
    writeConfig();
    const result = await world.hotsnap(['run']);

    expect(result.exitCode).toBe(4);
    expect(result.stdout).toMatch(/^daily: ok {2}archive blog-daily-2026-03-01_03-00-00 .*PRUNE REFUSED/m);
    expect(result.stdout).not.toMatch(/FAILED|error:/);
    // One warning line with the exact command to run once.
    const command = `hotsnap --config ${world.configFile} prune daily --max-delete 8`;
    const warnings = String(result.stderr)
      .split('\n')
      .filter((line) => line.includes('WARN') && line.includes('prune of daily refused'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('the plan deletes 8 of 11 archives, more than max_delete allows (5)');
    expect(warnings[0]).toContain(`run once: ${command}`);
    expect(await listed()).toHaveLength(11);

    const state = JSON.parse(readFileSync(join(world.stateDir, 'profiles/daily.json'), 'utf8'));
    expect(state.last_attempt.status).toBe('ok');
    expect(state.last_success.archive).toBe('blog-daily-2026-03-01_03-00-00');
    expect(state.last_attempt.prune_refused).toContain('max_delete');

    const status = await world.hotsnap(['status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/^daily +daily +\S+ \S+ ok +2026-03-01 03:0\dZ/m);
    expect(status.stdout).toContain(
      `note: daily: the last run's prune was refused: the plan deletes 8 of 11 archives, more than max_delete allows (5); run once: ${command}\n`,
    );

    const metrics = readFileSync(join(world.dir, 'hotsnap.prom'), 'utf8');
    expect(metrics).toMatch(/^hotsnap_last_run_success\{profile="daily"\} 1$/m);
    expect(metrics).toMatch(/^hotsnap_prune_refused\{profile="daily"\} 1$/m);

    expect(hits.map((hit) => hit.path)).toEqual(['/ping/1d5c2a7e-prune-check/start', '/ping/1d5c2a7e-prune-check']);
    expect(readFileSync(join(world.dir, 'after.txt'), 'utf8')).toBe('ok\n');
    expect(() => readFileSync(join(world.dir, 'on_error.txt'))).toThrow(/ENOENT/);

    // The command it names works as written, and names what it deleted; the next run prunes normally.
    const [program, ...args] = command.split(' ');
    expect(program).toBe('hotsnap');
    const pruned = await execa('node', [join(import.meta.dirname, '../../bin/hotsnap.js'), ...args], {
      reject: false,
      env: world.nextEnv(),
    });
    expect(pruned.exitCode).toBe(0);
    expect(pruned.stderr).toMatch(
      new RegExp(`INFO +deleting 8 archives: ${legacy.slice(0, 8).join(', ')} \\(oldest first\\)`),
    );
    expect(pruned.stderr).toMatch(
      new RegExp(`INFO +deleted 8 archives: ${legacy.slice(0, 8).join(', ')} +profile=daily`),
    );
    expect((await listed()).sort()).toEqual([...legacy.slice(8), 'blog-daily-2026-03-01_03-00-00'].sort());

    const next = await world.hotsnap(['run']);
    expect(next.exitCode).toBe(0);
    expect(next.stdout).toMatch(/^daily: ok .*pruned 1$/m);
    expect(readFileSync(join(world.dir, 'hotsnap.prom'), 'utf8')).toMatch(
      /^hotsnap_prune_refused\{profile="daily"\} 0$/m,
    );
  });

  it('a prune that really fails still fails the run (exit 1, on_error)', async () => {
    seedLegacy();
    writeConfig({ max_delete: 100 });
    const result = await world.hotsnap(['run'], { env: { TARSNAP_EMULATOR_FAULT: 'delete-fail-after:2' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^daily: FAILED .*backup ok, prune failed/m);
    expect(readFileSync(join(world.dir, 'on_error.txt'), 'utf8')).toBe('');
  });
});
