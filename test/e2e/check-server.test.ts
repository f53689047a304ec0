/**
 * End to end: the built CLI's `check` names the Node.js and SQLite it runs with, tries the key
 * against the (emulated) server once, and `--offline` leaves the server alone.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../adapters/sqlite/support.js';
import { makeCheckSetup, type CheckSetup } from '../commands/check-setup.js';

const BIN = process.env.HOTSNAP_E2E_BIN ?? join(ROOT, 'bin/hotsnap.js');

interface Item {
  check: string;
  status: string;
  message: string;
  fix?: string;
}

let setup: CheckSetup;
beforeAll(async () => {
  setup = await makeCheckSetup();
});
afterAll(() => setup?.remove());

/** Runs `hotsnap check ARGS --json` in a fresh emulator state; returns the items and the server's calls. */
async function check(args: string[], env: NodeJS.ProcessEnv = {}) {
  const state = mkdtempSync(join(setup.dir, 'emulator-'));
  const result = await execa('node', [BIN, 'check', '--json', '--config', setup.writeConfig(), ...args], {
    cwd: ROOT,
    reject: false,
    env: { ...setup.env, TARSNAP_EMULATOR_DIR: state, HOTSNAP_TEST_NOW: '2026-03-01T03:00:00Z', ...env },
  });
  const log = join(state, 'calls.jsonl');
  const modes = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { argv: string[] }).argv[0])
    : [];
  return { exitCode: result.exitCode, stderr: result.stderr, items: JSON.parse(result.stdout) as Item[], modes };
}

describe('hotsnap check meets the server (built CLI)', () => {
  it('reports Node.js and SQLite versions and one --list-archives reaching the server', async () => {
    const { exitCode, stderr, items, modes } = await check([]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(items.slice(1, 3)).toEqual([
      { check: 'node', status: 'ok', message: `Node.js ${process.versions.node} (${process.execPath})` },
      {
        check: 'sqlite_library',
        status: 'ok',
        message: expect.stringMatching(/^SQLite 3\.\d+\.\d+ \(better-sqlite3 12\./),
      },
    ]);
    expect(items.find((item) => item.check === 'server')).toEqual({
      check: 'server',
      status: 'ok',
      message: `tarsnap server reached with ${setup.keyfile}: 0 archives`,
    });
    expect(modes).toEqual(['--version', '--list-archives']);
  });

  it('server unreachable: exit 3 with the fix, after one retry; --offline: exit 0, no server call', async () => {
    const down = await check([], { TARSNAP_EMULATOR_FAULT: 'network' });
    expect(down.exitCode).toBe(3);
    expect(down.items.filter((item) => item.status !== 'ok')).toEqual([
      expect.objectContaining({
        check: 'server',
        status: 'problem',
        fix: 'cannot reach the tarsnap server; check DNS and outbound TCP port 9279, then retry later',
      }),
    ]);
    expect(down.modes).toEqual(['--version', '--list-archives', '--list-archives']);
    const offline = await check(['--offline'], { TARSNAP_EMULATOR_FAULT: 'network' });
    expect(offline.exitCode).toBe(0);
    expect(offline.items.find((item) => item.check === 'server')?.message).toBe(
      'not contacted: asked not to (--offline)',
    );
    expect(offline.modes).toEqual(['--version']);
  });
});
