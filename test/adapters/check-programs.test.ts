/**
 * Program lookup and the tarsnap/hook probes of `hotsnap check`, with real executables: the
 * tarsnap emulator, and small scripts standing in for broken or old tarsnap builds.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHook, checkTarsnapBinary, runTarsnapVersion } from '../../src/adapters/check-programs.js';
import { findProgram } from '../../src/adapters/executable.js';
import { ROOT } from './sqlite/support.js';

const EMULATOR = join(ROOT, 'fixtures/tarsnap-emulator/tarsnap');
const root = mkdtempSync(join(tmpdir(), 'hotsnap-check-programs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = join(root, 'bin');
mkdirSync(bin);
const emulatorEnv = { ...process.env, TARSNAP_EMULATOR_DIR: join(root, 'emulator') };

function script(name: string, body: string, mode = 0o755): string {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}
script('old-tarsnap', 'echo "tarsnap 1.0.39"');
script('broken-tarsnap', 'echo "tarsnap: error while loading shared libraries: libcrypto.so.1.1" >&2; exit 127');
script('not-tarsnap', 'echo "hello"');
script('plain-file', 'echo hi', 0o644);
mkdirSync(join(bin, 'a-directory'));

describe('findProgram', () => {
  const env = { PATH: `${join(root, 'nowhere')}:${bin}:/usr/bin:/bin` };
  it('a name on PATH: the first executable match', () => {
    expect(findProgram('old-tarsnap', env)).toEqual({ found: true, path: join(bin, 'old-tarsnap'), relative: false });
    expect(findProgram('sh', env)).toMatchObject({ found: true, path: expect.stringMatching(/\/sh$/) });
  });

  it('a name nowhere on PATH: not found, with the directories searched', () => {
    expect(findProgram('no-such-program', env)).toEqual({
      found: false,
      reason: 'not-found',
      searched: env.PATH.split(':'),
    });
  });

  it('only a file without execute bits, or a directory: says so', () => {
    expect(findProgram('plain-file', env)).toEqual({
      found: false,
      reason: 'not-executable',
      path: join(bin, 'plain-file'),
      searched: env.PATH.split(':'),
    });
    expect(findProgram('a-directory', env)).toMatchObject({ found: false, reason: 'not-a-file' });
  });

  it('a path: checked as given; relative ones resolve against the current directory', () => {
    expect(findProgram(join(bin, 'old-tarsnap'), env)).toEqual({
      found: true,
      path: join(bin, 'old-tarsnap'),
      relative: false,
    });
    expect(findProgram('./bin/old-tarsnap', env, root)).toEqual({
      found: true,
      path: join(bin, 'old-tarsnap'),
      relative: true,
    });
    expect(findProgram(join(bin, 'gone'), env)).toEqual({
      found: false,
      reason: 'not-found',
      path: join(bin, 'gone'),
      searched: [],
    });
  });

  it('an empty PATH entry means the current directory', () => {
    expect(findProgram('old-tarsnap', { PATH: ':/usr/bin' }, bin)).toEqual({
      found: true,
      path: resolve(bin, 'old-tarsnap'),
      relative: false,
    });
  });
});

describe('checkTarsnapBinary', () => {
  it('the emulator: ok with its version (a real child process)', async () => {
    expect(await checkTarsnapBinary(EMULATOR, runTarsnapVersion, emulatorEnv)).toEqual({
      check: 'tarsnap',
      status: 'ok',
      message: `${EMULATOR}: tarsnap 1.0.41`,
    });
  });

  it('not on PATH: a problem saying where it looked and how to fix it', async () => {
    expect(await checkTarsnapBinary('tarsnap', runTarsnapVersion, { PATH: bin })).toEqual({
      check: 'tarsnap',
      status: 'problem',
      message: `tarsnap binary tarsnap is not found on PATH (${bin})`,
      fix: 'install tarsnap (https://www.tarsnap.com/download.html), or set tarsnap.binary to its absolute path',
    });
  });

  it('a missing path, a file without execute bits: problems', async () => {
    expect(await checkTarsnapBinary('/opt/tarsnap/bin/tarsnap', runTarsnapVersion, { PATH: bin })).toMatchObject({
      status: 'problem',
      message: 'tarsnap binary /opt/tarsnap/bin/tarsnap does not exist',
    });
    expect(await checkTarsnapBinary(join(bin, 'plain-file'), runTarsnapVersion, { PATH: bin })).toMatchObject({
      status: 'problem',
      message: `tarsnap binary ${join(bin, 'plain-file')} is not executable`,
      fix: `run chmod +x ${join(bin, 'plain-file')}`,
    });
  });

  it('--version fails: a problem with its last stderr line', async () => {
    expect(await checkTarsnapBinary('broken-tarsnap', runTarsnapVersion, { PATH: `${bin}:/usr/bin:/bin` })).toEqual({
      check: 'tarsnap',
      status: 'problem',
      message: `${join(bin, 'broken-tarsnap')} --version failed (exit 127): tarsnap: error while loading shared libraries: libcrypto.so.1.1`,
      fix: 'reinstall tarsnap, or set tarsnap.binary to a working tarsnap',
    });
  });

  it('the emulator without its state dir fails --version: a problem', async () => {
    const env = { ...process.env };
    delete env.TARSNAP_EMULATOR_DIR;
    expect(await checkTarsnapBinary(EMULATOR, runTarsnapVersion, env)).toMatchObject({
      status: 'problem',
      message: expect.stringContaining('--version failed (exit 1): tarsnap: emulator: TARSNAP_EMULATOR_DIR must name'),
    });
  });

  it('a binary its group can change: a problem, before it is run', async () => {
    const shared = script('group-tarsnap', 'echo "tarsnap 1.0.41"', 0o775);
    expect(await checkTarsnapBinary(shared, runTarsnapVersion)).toEqual({
      check: 'tarsnap',
      status: 'problem',
      message: `tarsnap binary ${shared} is writable by its group (mode 0775): whoever can change it runs as you, with your key`,
      fix: `run chown root ${shared} && chmod go-w ${shared}`,
    });
  });

  it('older than 1.0.41, or not tarsnap at all: warnings', async () => {
    const env = { PATH: `${bin}:/usr/bin:/bin` };
    expect(await checkTarsnapBinary('old-tarsnap', runTarsnapVersion, env)).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('tarsnap 1.0.39 is older than 1.0.41'),
      fix: 'upgrade tarsnap',
    });
    expect(await checkTarsnapBinary('not-tarsnap', runTarsnapVersion, env)).toMatchObject({
      status: 'warn',
      message: `${join(bin, 'not-tarsnap')} --version printed "hello", not "tarsnap X.Y.Z"`,
    });
  });
});

describe('checkHook', () => {
  const env = { PATH: `${bin}:/usr/bin:/bin` };
  it('resolvable: ok with where it resolves', () => {
    expect(checkHook('profiles.daily.hooks.before', ['old-tarsnap', '--flag'], env)).toEqual({
      check: 'hook',
      status: 'ok',
      message: `profiles.daily.hooks.before: old-tarsnap → ${join(bin, 'old-tarsnap')}`,
    });
  });

  it('not found, not executable: problems', () => {
    expect(checkHook('hooks.after', ['systemctl-nope', 'reload'], env)).toEqual({
      check: 'hook',
      status: 'problem',
      message: `hooks.after: systemctl-nope is not found on PATH (${env.PATH})`,
      fix: 'use an absolute path, or install the program / fix PATH',
    });
    expect(checkHook('hooks.after', ['plain-file'], env)).toMatchObject({
      status: 'problem',
      message: `hooks.after: plain-file is not executable (found ${join(bin, 'plain-file')})`,
    });
  });

  it("a program anyone can change: a problem (it runs as hotsnap's user, root mostly)", () => {
    const open = script('world-writable-hook', 'true', 0o777);
    expect(checkHook('hooks.before', [open], env)).toEqual({
      check: 'hook',
      status: 'problem',
      message: `hooks.before: ${open} is writable by everyone (mode 0777): whoever can change it runs commands as you`,
      fix: `run chown root ${open} && chmod go-w ${open}`,
    });
  });

  it('a relative path: a warning (cron and systemd start elsewhere)', () => {
    expect(checkHook('hooks.before', ['./bin/old-tarsnap'], env, root)).toEqual({
      check: 'hook',
      status: 'warn',
      message: `hooks.before: ./bin/old-tarsnap is relative to the current directory (${join(bin, 'old-tarsnap')} now); cron and systemd start hotsnap elsewhere`,
      fix: `write it as ${join(bin, 'old-tarsnap')}`,
    });
    expect(checkHook('hooks.before', ['./bin/old-tarsnap'], env, '/')).toMatchObject({
      status: 'problem',
      message: 'hooks.before: ./bin/old-tarsnap does not exist',
      fix: 'correct the path, or install the program there',
    });
  });
});
