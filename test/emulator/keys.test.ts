/**
 * Key handling: missing, corrupt, partial (write-only) and
 * passphrase-protected keys, with tarsnap's messages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeKey } from '../../fixtures/tarsnap-emulator/lib/keys.js';
import { makeSandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
  box.write({ 'd/f': 'data' });
});
afterEach(() => box.cleanup());

describe('keys', () => {
  it('reports a missing key file with fopen() and "Cannot read key file"', async () => {
    const missing = path.join(box.dir, 'nope.key');
    const result = await box.run(['--list-archives', '--keyfile', missing]);
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: `tarsnap: fopen(${missing}): No such file or directory\ntarsnap: Cannot read key file: ${missing}\n`,
    });
  });

  it('rejects a file that is not a key as corrupt, and an empty one as unreasonably sized', async () => {
    box.write({ 'bad.key': '# START OF TARSNAP KEY FILE\nemulator-key: read,fly\n', 'empty.key': '' });
    const bad = path.join(box.dir, 'bad.key');
    expect((await box.run(['--list-archives', '--keyfile', bad])).stderr).toBe(
      `tarsnap: Key file is corrupt or truncated: ${bad}\ntarsnap: Cannot read key file: ${bad}\n`,
    );
    const empty = path.join(box.dir, 'empty.key');
    expect((await box.run(['--list-archives', '--keyfile', empty])).stderr).toBe(
      `tarsnap: Key file has unreasonable size: ${empty}\ntarsnap: Cannot read key file: ${empty}\n`,
    );
  });

  it('requires --keyfile outside dry runs', async () => {
    const result = await box.run(['-c', '--cachedir', box.cache, '-f', 'x', '-C', box.dir, 'd']);
    expect(result).toMatchObject({ exitCode: 1, stderr: 'tarsnap: Keys must be provided via --keyfile option\n' });
  });

  it('lets a write-only key create but not list, extract or delete', async () => {
    const writeOnly = box.makeKey('w.key', ['write']);
    const create = await box.run([
      '-c',
      '--keyfile',
      writeOnly,
      '--cachedir',
      box.cache,
      '-f',
      'x',
      '-C',
      box.dir,
      'd',
    ]);
    expect(create.exitCode).toBe(0);
    for (const [args, mode] of [
      [['--list-archives'], '--list-archives'],
      [['-x', '-f', 'x'], '-x'],
      [['-t', '-f', 'x'], '-t'],
    ] as const) {
      const result = await box.run([...args, '--keyfile', writeOnly]);
      expect(result.stderr).toBe(`tarsnap: The read authorization key is required for ${mode} but is not available\n`);
      expect(result.exitCode).toBe(1);
    }
    const readOnly = box.makeKey('r.key', ['read']);
    const noWrite = await box.run([
      '-c',
      '--keyfile',
      readOnly,
      '--cachedir',
      box.cache,
      '-f',
      'y',
      '-C',
      box.dir,
      'd',
    ]);
    expect(noWrite.stderr).toBe('tarsnap: The write authorization key is required for -c but is not available\n');
  });

  it('reads a passphrase from --passphrase env:VAR, and fails without blocking when stdin is empty', async () => {
    const locked = path.join(box.dir, 'locked.key');
    writeKey(locked, ['read', 'write', 'delete'], { passphrase: 'hunter2' });
    const ok = await box.run(['--list-archives', '--keyfile', locked, '--passphrase', 'env:PW'], {
      env: { PW: 'hunter2' },
    });
    expect(ok).toMatchObject({ exitCode: 0, stderr: '' });
    const wrong = await box.run(['--list-archives', '--keyfile', locked, '--passphrase', 'env:PW'], {
      env: { PW: 'nope' },
    });
    expect(wrong.stderr).toBe(
      `tarsnap: Passphrase is incorrect\ntarsnap: Error decrypting key file: ${locked}\ntarsnap: Cannot read key file: ${locked}\n`,
    );
    const noInput = await box.run(['--list-archives', '--keyfile', locked], { input: '' });
    expect(noInput.stderr).toBe(
      `tarsnap: EOF reading password\ntarsnap: Error reading passphrase\ntarsnap: Cannot read key file: ${locked}\n`,
    );
    expect(fs.statSync(locked).mode & 0o777).toBe(0o600);
  });
});
