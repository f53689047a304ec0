import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStagingDir, removeLeftovers } from '../../src/adapters/staging.js';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'hotsnap-staging-test-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

describe('createStagingDir', () => {
  it('creates a private directory named after the profile and places copies at their absolute path', () => {
    const stage = createStagingDir(parent, 'daily');
    expect(stage.path).toMatch(new RegExp(`^${parent}/hotsnap-daily-[A-Za-z0-9]{6}$`));
    expect(statSync(stage.path).mode & 0o777).toBe(0o700);
    expect(stage.placeFor('/var/www/ghost/content/data/ghost.db')).toBe(`${stage.path}/var/www/ghost/content/data/ghost.db`);
    expect(() => stage.placeFor('relative.db')).toThrow(/absolute/);
    stage.remove();
    expect(existsSync(stage.path)).toBe(false);
    stage.remove();
  });

  it('says what to do when the parent is missing', () => {
    expect(() => createStagingDir(join(parent, 'nope'), 'daily')).toThrow(/does not exist: create it or set staging_dir/);
  });
});

describe('removeLeftovers', () => {
  it('removes the stage of a dead process and keeps a live one', async () => {
    const dead = await execa('node', ['-e', 'console.log(process.pid)']);
    const deadDir = join(parent, 'hotsnap-daily-dead01');
    mkdirSync(join(deadDir, 'var/db'), { recursive: true });
    writeFileSync(join(deadDir, '.owner'), JSON.stringify({ pid: Number(dead.stdout), started: '2026-01-01T00:00:00Z' }));
    writeFileSync(join(deadDir, 'var/db/app.db'), 'copy of a database');
    const live = createStagingDir(parent, 'weekly');
    const unrelated = join(parent, 'not-ours');
    mkdirSync(unrelated);

    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => warnings.push(fields) } as never;
    expect(removeLeftovers(parent, logger)).toEqual([deadDir]);
    expect(readdirSync(parent).sort()).toEqual([live.path.split('/').pop(), 'not-ours'].sort());
    expect(warnings).toEqual([{ dir: deadDir, pid: Number(dead.stdout), started: '2026-01-01T00:00:00Z' }]);
    live.remove();
  });

  it('removes an owner-less stage only after a grace period', () => {
    const orphan = join(parent, 'hotsnap-daily-orphan');
    mkdirSync(orphan);
    expect(removeLeftovers(parent)).toEqual([]);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(orphan, old, old);
    expect(removeLeftovers(parent)).toEqual([orphan]);
  });
});

describe('interrupt', () => {
  it('removes the stage when the process gets SIGTERM', async () => {
    const script = `
      import { createStagingDir } from ${JSON.stringify(join(process.cwd(), 'src/adapters/staging.ts'))};
      import { writeFileSync, mkdirSync } from 'node:fs';
      const stage = createStagingDir(${JSON.stringify(parent)}, 'daily');
      mkdirSync(stage.placeFor('/srv'), { recursive: true });
      writeFileSync(stage.placeFor('/srv/app.db'), 'x');
      console.log(stage.path);
      setInterval(() => {}, 1000);
    `;
    const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
    const path = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    expect(existsSync(join(path, 'srv/app.db'))).toBe(true);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode === 143 || result.signal === 'SIGTERM').toBe(true);
    expect(existsSync(path)).toBe(false);
  });
});
