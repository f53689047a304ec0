/**
 * The file probes of `hotsnap check` against real files in a temp dir. (What needs an unprivileged
 * user — unreadable key, unwritable dirs — runs in test/e2e/check.test.ts as nobody.)
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCachedir, checkStaging, checkStateDir } from '../../src/adapters/check-dirs.js';
import { checkKeyfile, checkPassphraseFile } from '../../src/adapters/check-key.js';
import { checkPath } from '../../src/adapters/check-paths.js';
import { writeKey } from '../../fixtures/tarsnap-emulator/lib/keys.js';

const root = mkdtempSync(join(tmpdir(), 'hotsnap-check-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
function fresh(): string {
  const dir = join(root, String(counter++));
  mkdirSync(dir);
  return dir;
}

/** A real-format tarsnap key file (see test/core/keyfile.test.ts) holding the given key types. */
function writeTarsnapKey(path: string, types: readonly number[], mode = 0o600): void {
  const number = Buffer.alloc(8);
  number.writeBigUInt64BE(42n);
  const records = types.map((type) => Buffer.concat([Buffer.from([32, 0, 0, 0, type]), Buffer.alloc(32, type)]));
  const blob = Buffer.concat([Buffer.from('tarsnap\0', 'latin1'), number, ...records]);
  const lines = ['# START OF TARSNAP KEY FILE'];
  for (let at = 0; at < blob.length; at += 48) {
    const data = blob.subarray(at, at + 48);
    lines.push(Buffer.concat([data, createHash('sha256').update(data).digest().subarray(0, 6)]).toString('base64'));
  }
  writeFileSync(path, `${lines.join('\n')}\n# END OF TARSNAP KEY FILE\n`, { mode });
  chmodSync(path, mode);
}
const WRITE_ONLY = [0, 3, 4, 5, 6, 7, 10];

describe('checkKeyfile', () => {
  it('missing: a problem that says where the key comes from', () => {
    const key = join(fresh(), 'tarsnap.key');
    expect(checkKeyfile(key, [])).toEqual({
      items: [
        {
          check: 'keyfile',
          status: 'problem',
          message: `keyfile ${key} does not exist`,
          fix: 'set tarsnap.keyfile to your tarsnap key (tarsnap-keygen writes one), or copy the key there',
        },
      ],
    });
  });

  it('a directory: a problem', () => {
    const dir = fresh();
    expect(checkKeyfile(dir, []).items).toEqual([
      {
        check: 'keyfile',
        status: 'problem',
        message: `keyfile ${dir} is not a regular file`,
        fix: 'set tarsnap.keyfile to the key file itself',
      },
    ]);
  });

  it('readable by others (0644): the problem with chmod, and the keys it holds still reported', () => {
    const key = join(fresh(), 'tarsnap.key');
    writeKey(key, ['read', 'write', 'delete']);
    chmodSync(key, 0o644);
    const { items, capabilities } = checkKeyfile(key, ['daily']);
    expect(items[0]).toEqual({
      check: 'keyfile',
      status: 'problem',
      message: `keyfile ${key} is readable by others (mode 0644)`,
      fix: `run chmod 600 ${key}`,
    });
    expect(items[1]).toMatchObject({ check: 'key', status: 'ok' });
    expect(capabilities).toEqual({ read: true, write: true, delete: true });
  });

  it('readable by its group (0640): a warning', () => {
    const key = join(fresh(), 'tarsnap.key');
    writeKey(key, ['write']);
    chmodSync(key, 0o640);
    expect(checkKeyfile(key, []).items[0]).toMatchObject({
      status: 'warn',
      message: `keyfile ${key} is readable by its group (mode 0640)`,
    });
  });

  it("an emulator key: capabilities shown, labelled as the emulator's format", () => {
    const key = join(fresh(), 'tarsnap.key');
    writeKey(key, ['read', 'write', 'delete']);
    expect(checkKeyfile(key, ['daily']).items).toEqual([
      { check: 'keyfile', status: 'ok', message: `keyfile ${key} is private (mode 0600)` },
      {
        check: 'key',
        status: 'ok',
        message: `tarsnap emulator key (the test emulator's format, not a real tarsnap key): ${key} holds the keys for reading, writing, and deleting: backups and pruning can run here`,
      },
    ]);
  });

  it('a real-format write-only key on a host that prunes: the warning that pruning must run elsewhere', () => {
    const key = join(fresh(), 'tarsnap.key');
    writeTarsnapKey(key, WRITE_ONLY);
    const { items, capabilities } = checkKeyfile(key, ['daily']);
    expect(items[1]).toMatchObject({
      check: 'key',
      status: 'warn',
      message: expect.stringContaining(
        `${key} holds the keys for writing (write-only): this host cannot list or prune archives`,
      ),
    });
    expect(capabilities).toEqual({ read: false, write: true, delete: false });
  });

  it('a key without the write keys: a problem', () => {
    const key = join(fresh(), 'tarsnap.key');
    writeTarsnapKey(key, [1, 2, 4, 5, 6, 11, 12]);
    expect(checkKeyfile(key, []).items[1]).toMatchObject({
      status: 'problem',
      message: `${key} holds the keys for reading and deleting: hotsnap run cannot create archives with it`,
    });
  });

  it('a passphrase-protected key: a warning about unattended runs, keys unknown', () => {
    const key = join(fresh(), 'tarsnap.key');
    const data = Buffer.concat([Buffer.from('scrypt\0', 'latin1'), Buffer.alloc(41, 1)]);
    writeFileSync(
      key,
      `# START OF TARSNAP KEY FILE\n${Buffer.concat([data, createHash('sha256').update(data).digest().subarray(0, 6)]).toString('base64')}\n`,
      { mode: 0o600 },
    );
    const { items, capabilities } = checkKeyfile(key, []);
    expect(items[1]).toMatchObject({
      check: 'key',
      status: 'warn',
      message: expect.stringContaining('is passphrase-protected'),
    });
    expect(capabilities).toBeUndefined();
  });

  it.each([
    [
      'not a key at all',
      'hello\n',
      'keyfile KEY is not a usable tarsnap key: corrupt on line 1 (not base64 with its checksum)',
    ],
    ['empty', '', 'keyfile KEY has an unreasonable size (0 bytes; tarsnap refuses it)'],
  ])('%s: a problem', (_name, text, message) => {
    const key = join(fresh(), 'tarsnap.key');
    writeFileSync(key, text, { mode: 0o600 });
    expect(checkKeyfile(key, []).items.at(-1)).toMatchObject({
      status: 'problem',
      message: message.replace('KEY', key),
    });
  });
});

describe('checkPassphraseFile', () => {
  it('env:VAR and no passphrase: nothing to look at', () => {
    expect(checkPassphraseFile(undefined)).toBeUndefined();
    expect(checkPassphraseFile('env:TARSNAP_PASS')).toBeUndefined();
  });

  it('private (0600): ok', () => {
    const file = join(fresh(), 'pass');
    writeFileSync(file, 'correct horse\n', { mode: 0o600 });
    expect(checkPassphraseFile(`file:${file}`)).toEqual({
      check: 'passphrase',
      status: 'ok',
      message: `passphrase file ${file} is private (mode 0600)`,
    });
  });

  it('readable by others (0644): a problem with the chmod', () => {
    const file = join(fresh(), 'pass');
    writeFileSync(file, 'correct horse\n');
    chmodSync(file, 0o644);
    expect(checkPassphraseFile(`file:${file}`)).toEqual({
      check: 'passphrase',
      status: 'problem',
      message: `passphrase file ${file} is readable by others (mode 0644)`,
      fix: `run chmod 600 ${file}`,
    });
  });

  it('writable by others (0602): a problem', () => {
    const file = join(fresh(), 'pass');
    writeFileSync(file, 'correct horse\n');
    chmodSync(file, 0o602);
    expect(checkPassphraseFile(`file:${file}`)).toMatchObject({
      status: 'problem',
      message: `passphrase file ${file} is writable by others (mode 0602)`,
    });
  });

  it('readable by its group (0640): a warning with the chmod', () => {
    const file = join(fresh(), 'pass');
    writeFileSync(file, 'correct horse\n');
    chmodSync(file, 0o640);
    expect(checkPassphraseFile(`file:${file}`)).toMatchObject({
      status: 'warn',
      message: `passphrase file ${file} is readable by its group (mode 0640)`,
      fix: expect.stringContaining(`run chmod 600 ${file}`),
    });
  });

  it('missing, a directory, or empty: a problem', () => {
    const dir = fresh();
    expect(checkPassphraseFile(`file:${join(dir, 'nope')}`)).toMatchObject({
      status: 'problem',
      message: `passphrase file ${join(dir, 'nope')} (tarsnap.passphrase) does not exist`,
    });
    expect(checkPassphraseFile(`file:${dir}`)).toMatchObject({
      status: 'problem',
      message: `passphrase file ${dir} (tarsnap.passphrase) is not a regular file`,
    });
    const empty = join(dir, 'empty');
    writeFileSync(empty, '', { mode: 0o600 });
    expect(checkPassphraseFile(`file:${empty}`)).toMatchObject({
      status: 'problem',
      message: `passphrase file ${empty} is empty, so tarsnap cannot unlock the key`,
    });
  });
});

describe('checkCachedir', () => {
  const key = '/root/tarsnap.key';
  it('missing but creatable: a warning naming the fsck command; ok with auto_fsck', () => {
    const cache = join(fresh(), 'cache', 'tarsnap');
    const item = checkCachedir(cache, key, { autoFsck: false });
    expect(item).toMatchObject({
      check: 'cachedir',
      status: 'warn',
      message: expect.stringContaining(
        `cachedir ${cache} does not exist yet (tarsnap creates it): tarsnap -d (prune) refuses`,
      ),
    });
    expect(item.fix).toBe(
      `if this key has archives already, run tarsnap --fsck --keyfile ${key} --cachedir ${cache} once, or set tarsnap.auto_fsck: true`,
    );
    expect(checkCachedir(cache, key, { autoFsck: true })).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('tarsnap.auto_fsck is on'),
    });
  });

  it('a write-only key cannot fsck: the fix says so', () => {
    const cache = join(fresh(), 'cache');
    expect(
      checkCachedir(cache, key, { autoFsck: false, capabilities: { read: false, write: true, delete: false } }).fix,
    ).toContain('once with a key that has the read keys (this one has not)');
  });

  it('exists without a chunk directory: a warning; with one: ok', () => {
    const cache = fresh();
    expect(checkCachedir(cache, key, { autoFsck: false })).toMatchObject({
      status: 'warn',
      message: expect.stringContaining(`cachedir ${cache} has no chunk directory yet`),
    });
    writeFileSync(join(cache, 'directory'), '');
    expect(checkCachedir(cache, key, { autoFsck: false })).toMatchObject({
      status: 'ok',
      message: expect.stringContaining("holds tarsnap's chunk directory"),
    });
  });

  it('a file, or under a file: a problem', () => {
    const file = join(fresh(), 'file');
    writeFileSync(file, '');
    expect(checkCachedir(file, key, { autoFsck: false })).toMatchObject({
      status: 'problem',
      message: `cachedir ${file} is not a directory`,
    });
    expect(checkCachedir(join(file, 'cache'), key, { autoFsck: false })).toMatchObject({
      status: 'problem',
      message: expect.stringContaining(`cannot create it (${file} is not a directory)`),
    });
  });

  it('creates nothing', () => {
    const dir = fresh();
    checkCachedir(join(dir, 'a', 'b'), key, { autoFsck: false });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('checkPath', () => {
  it('missing: a problem naming the profiles', () => {
    const path = join(fresh(), 'gone');
    expect(checkPath(path, ['daily', 'weekly'])).toEqual({
      check: 'path',
      status: 'problem',
      message: `${path} (profiles daily, weekly) does not exist`,
      fix: 'correct or remove it in the paths of profiles daily, weekly',
    });
  });

  it('a file and a directory: ok', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'f'), 'x');
    expect(checkPath(join(dir, 'f'), ['daily'])).toEqual({
      check: 'path',
      status: 'ok',
      message: `${join(dir, 'f')} is a readable file`,
    });
    expect(checkPath(dir, ['daily'])).toEqual({
      check: 'path',
      status: 'ok',
      message: `${dir} is a readable directory`,
    });
  });

  it('a symlink: a warning that tarsnap stores the link, naming its target', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    expect(checkPath(join(dir, 'link'), ['daily'])).toMatchObject({
      status: 'warn',
      message: `${join(dir, 'link')} (profile daily) is a symbolic link to ${join(dir, 'real')}: tarsnap stores the link itself, not what it points to`,
    });
  });
});

describe('checkStaging', () => {
  const plenty = async () => 1e12;
  it('missing: a problem with the mkdir', async () => {
    const dir = join(fresh(), 'stage');
    expect(await checkStaging(dir, { bytes: 0 }, plenty)).toEqual([
      {
        check: 'staging_dir',
        status: 'problem',
        message: `staging_dir ${dir} does not exist`,
        fix: `create it: mkdir -p -m 700 ${dir}, or set staging_dir to an existing directory`,
      },
    ]);
  });

  it('not enough room for the largest profile: a problem with both numbers (free space probe injected)', async () => {
    const dir = fresh();
    const items = await checkStaging(dir, { bytes: 120_000_000, profile: 'daily' }, async (path) =>
      path === dir ? 50_000_000 : 0,
    );
    expect(items).toEqual([
      { check: 'staging_dir', status: 'ok', message: `staging_dir ${dir} is writable` },
      {
        check: 'staging_space',
        status: 'problem',
        message: `staging_dir ${dir} has 50.0 MB free, but profile daily needs about 120.0 MB for its database copies (databases + WAL + 10%, at least 16 MB)`,
        fix: 'free some space there, or set staging_dir to a file system with room',
      },
    ]);
  });

  it('enough room: ok; the real statfs probe runs when none is injected', async () => {
    const dir = fresh();
    expect((await checkStaging(dir, { bytes: 1000, profile: 'daily' }, plenty))[1]).toMatchObject({ status: 'ok' });
    const { freeBytes } = await import('../../src/adapters/sqlite/space.js');
    expect((await checkStaging(dir, { bytes: 1, profile: 'daily' }, freeBytes))[1]).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/has [\d.]+ [kMGT]?B free/),
    });
  });

  it('a probe that fails: a warning, not a crash', async () => {
    const items = await checkStaging(fresh(), { bytes: 1, profile: 'daily' }, async () => {
      throw new Error('statfs: ENOSYS');
    });
    expect(items[1]).toMatchObject({ status: 'warn', message: expect.stringContaining('statfs: ENOSYS') });
  });
});

describe('checkStateDir', () => {
  it('exists: ok; missing under a writable dir: ok (runs create it); under a file: a problem', () => {
    const dir = fresh();
    expect(checkStateDir(dir)).toMatchObject({ status: 'ok', message: `state_dir ${dir} is writable` });
    expect(checkStateDir(join(dir, 'state'))).toMatchObject({
      status: 'ok',
      message: `state_dir ${join(dir, 'state')} does not exist yet; the first run creates it in ${dir}`,
    });
    writeFileSync(join(dir, 'file'), '');
    expect(checkStateDir(join(dir, 'file', 'state'))).toMatchObject({ status: 'problem' });
    expect(readdirSync(dir)).toEqual(['file']);
  });
});
