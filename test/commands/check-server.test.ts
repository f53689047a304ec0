/**
 * `hotsnap check` meets the server: one `tarsnap --list-archives` with the config's key against the
 * emulator, classified (ok with the archive count, a write-only key, the network down with one
 * short retry, a key the server refuses); --offline and an unusable key skip it. Counted in the
 * emulator's calls.jsonl, so "one call" is what the server saw.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKey } from '../../fixtures/tarsnap-emulator/lib/keys.js';
import { runChecks, type CheckOptions } from '../../src/commands/check.js';
import { loadConfigFile } from '../../src/config/load.js';
import { runTarsnapVersion } from '../../src/adapters/check-programs.js';
import { makeCheckSetup, type CheckSetup } from './check-setup.js';

let setup: CheckSetup;
beforeAll(async () => {
  setup = await makeCheckSetup();
});
afterAll(() => setup.remove());

/** Runs check in a fresh emulator state; returns the server item and the calls the server saw (not --version). */
async function serverCheck(
  options: { env?: NodeJS.ProcessEnv; change?: Parameters<CheckSetup['writeConfig']>[0] } & CheckOptions = {},
) {
  const state = mkdtempSync(join(setup.dir, 'emulator-'));
  const env = { ...setup.env, TARSNAP_EMULATOR_DIR: state, ...options.env };
  const config = loadConfigFile(setup.writeConfig(options.change));
  const items = await runChecks(
    config,
    config.profiles,
    { freeBytes: async () => 1e12, tarsnapVersion: runTarsnapVersion, env, serverRetryDelayMs: 0 },
    { offline: options.offline ?? false },
  );
  const log = join(state, 'calls.jsonl');
  const calls = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { argv: string[]; exit: number })
        .filter((call) => call.argv[0] !== '--version')
    : [];
  return { item: items.find((item) => item.check === 'server'), calls };
}

describe('check: the key meets the server', () => {
  it('one --list-archives with the key (no cachedir): ok with the archive count', async () => {
    const { item, calls } = await serverCheck();
    expect(item).toEqual({
      check: 'server',
      status: 'ok',
      message: `tarsnap server reached with ${setup.keyfile}: 0 archives`,
    });
    expect(calls.map((call) => call.argv)).toEqual([
      ['--list-archives', '--keyfile', setup.keyfile, '--no-default-config', '--null-output'],
    ]);
  });

  it('--offline: not contacted, and says so', async () => {
    const { item, calls } = await serverCheck({ offline: true });
    expect(item).toEqual({ check: 'server', status: 'ok', message: 'not contacted: asked not to (--offline)' });
    expect(calls).toEqual([]);
  });

  it('network down: a problem with the fix, after exactly one retry', async () => {
    const { item, calls } = await serverCheck({ env: { TARSNAP_EMULATOR_FAULT: 'network' } });
    expect(item).toEqual({
      check: 'server',
      status: 'problem',
      message: `cannot reach the tarsnap server (tarsnap --list-archives with ${setup.keyfile}): Error looking up v1-0-0-server.tarsnap.com: Temporary failure in name resolution`,
      fix: 'cannot reach the tarsnap server; check DNS and outbound TCP port 9279, then retry later',
    });
    expect(calls.map((call) => call.exit)).toEqual([1, 1]);
  });

  it('a network blip: the one retry reaches the server', async () => {
    const { item, calls } = await serverCheck({ env: { TARSNAP_EMULATOR_FAULT: 'network:1' } });
    expect(item).toMatchObject({ status: 'ok', message: expect.stringMatching(/: 0 archives \(on the second try\)$/) });
    expect(calls.map((call) => call.exit)).toEqual([1, 0]);
  });

  it('a write-only key: a warning that backups work but listing and pruning do not; not retried', async () => {
    const key = join(setup.dir, 'write-only.key');
    writeKey(key, ['write']);
    const { item, calls } = await serverCheck({
      change: (c) => {
        c.tarsnap.keyfile = key;
        c.profiles.daily.prune = false;
      },
    });
    expect(item).toMatchObject({
      check: 'server',
      status: 'warn',
      message: `${key} is a write-only key, so the server was not asked anything ("The read authorization key is required for --list-archives but is not available"): backups will work, but list, ls, restore, verify and prune will not on this host`,
      fix: expect.stringContaining('tarsnap-keymgmt -r -w -d'),
    });
    expect(calls).toHaveLength(1);
  });

  it('an unusable key (missing), or a passphrase-protected one without tarsnap.passphrase: not contacted', async () => {
    const missing = await serverCheck({ change: (c) => (c.tarsnap.keyfile = join(setup.dir, 'gone.key')) });
    expect(missing.item).toEqual({
      check: 'server',
      status: 'ok',
      message: 'not contacted: the key is not usable (see above)',
    });
    expect(missing.calls).toEqual([]);
    // A real tarsnap key file, scrypt-encrypted: tarsnap would wait for the passphrase at a prompt.
    const locked = join(setup.dir, 'locked.key');
    writeKeyLines(locked, Buffer.concat([Buffer.from('scrypt\0', 'latin1'), Buffer.alloc(41, 1)]));
    const prompt = await serverCheck({ change: (c) => (c.tarsnap.keyfile = locked) });
    expect(prompt.item?.message).toBe(
      'not contacted: the key is passphrase-protected and tarsnap.passphrase is not set (tarsnap would wait at a prompt)',
    );
    expect(prompt.calls).toEqual([]);
  });

  it('a key tarsnap refuses (a real-format key the emulator cannot read): a problem with its line and fix', async () => {
    const real = join(setup.dir, 'real-format.key');
    const number = Buffer.alloc(8);
    number.writeBigUInt64BE(42n);
    // Every user key (tarsnap-keygen's): 4-byte little-endian length, type, data (RSA keys, types 0-3, are longer).
    const records = [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12].map((type) => {
      const length = type <= 3 ? 270 : 32;
      return Buffer.concat([Buffer.from([length & 0xff, length >> 8, 0, 0, type]), Buffer.alloc(length, type + 1)]);
    });
    writeKeyLines(real, Buffer.concat([Buffer.from('tarsnap\0', 'latin1'), number, ...records]));
    const { item } = await serverCheck({ change: (c) => (c.tarsnap.keyfile = real) });
    expect(item).toEqual({
      check: 'server',
      status: 'problem',
      message: `tarsnap could not list the archives (tarsnap --list-archives with ${real}): Key file is corrupt or truncated: ${real}`,
      fix: `the key file ${real} is corrupt or truncated; restore it from your offline copy`,
    });
  });
});

/** Writes a tarsnap-format key file: base64 lines of 48 bytes of `blob`, each with its SHA-256 prefix. */
function writeKeyLines(path: string, blob: Buffer): void {
  const lines = ['# START OF TARSNAP KEY FILE'];
  for (let at = 0; at < blob.length; at += 48) {
    const data = blob.subarray(at, at + 48);
    lines.push(Buffer.concat([data, createHash('sha256').update(data).digest().subarray(0, 6)]).toString('base64'));
  }
  writeFileSync(path, `${lines.join('\n')}\n# END OF TARSNAP KEY FILE\n`, { mode: 0o600 });
}
