/**
 * Key file parsing against synthetic key files built the way tarsnap's keyfile_write_file() and
 * crypto_keys_export() lay them out (lib/keyfile/keyfile.c, lib/crypto/crypto_keys.c), and
 * capabilities cross-checked with the emulator's key masks (fixtures/tarsnap-emulator/lib/keys.js,
 * also taken from crypto.h) as an independent oracle.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  capabilitiesOf,
  describeCapabilities,
  judgeKeyCapabilities,
  judgeKeyfileMode,
  KEY_TYPE,
  parseKeyFile,
  READ_KEYS,
  WRITE_KEYS,
  type KeyCapabilities,
} from '../../src/core/keyfile.js';
import {
  KEYMASK_AUTH_DELETE,
  KEYMASK_READ,
  KEYMASK_WRITE,
  missingKey,
} from '../../fixtures/tarsnap-emulator/lib/keys.js';

const T = KEY_TYPE;
/** CRYPTO_KEYMASK_USER: what tarsnap-keygen writes. */
const USER_KEYS = [
  T.signPriv,
  T.signPub,
  T.encrPriv,
  T.encrPub,
  T.hmacFile,
  T.hmacChunk,
  T.hmacName,
  T.hmacCparams,
  T.authPut,
  T.authGet,
  T.authDelete,
];
const FULL: KeyCapabilities = { read: true, write: true, delete: true };

/** One key record: 4-byte little-endian length, 1-byte type, data (HMAC keys are 32 bytes; RSA keys longer). */
function keyRecord(type: number, length = type <= 3 ? 270 : 32): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32LE(length, 0);
  header[4] = type;
  return Buffer.concat([header, Buffer.alloc(length, type + 1)]);
}

/** The machine number then the key records (a raw key file, or the body of a cooked one). */
function rawKeys(types: readonly number[], machine = 1234n): Buffer {
  const number = Buffer.alloc(8);
  number.writeBigUInt64BE(machine);
  return Buffer.concat([number, ...types.map((type) => keyRecord(type))]);
}

/** keyfile_write_file(): the text file: 48-byte lines, each + first 6 bytes of its SHA-256, base64. */
function textKeyFile(blob: Buffer, eol = '\n'): Buffer {
  const lines = ['# START OF TARSNAP KEY FILE'];
  for (let at = 0; at < blob.length; at += 48) {
    const data = blob.subarray(at, at + 48);
    const checksum = createHash('sha256').update(data).digest().subarray(0, 6);
    lines.push(Buffer.concat([data, checksum]).toString('base64'));
  }
  lines.push('# END OF TARSNAP KEY FILE', '');
  return Buffer.from(lines.join(eol), 'latin1');
}

function cooked(types: readonly number[], machine = 1234n): Buffer {
  return Buffer.concat([Buffer.from('tarsnap\0', 'latin1'), rawKeys(types, machine)]);
}

const maskOf = (types: readonly number[]) => [...new Set(types)].reduce((mask, type) => mask + 2 ** type, 0);
const WRITE_ONLY = [...new Set<number>(WRITE_KEYS)];
const READ_DELETE = [...new Set<number>([...READ_KEYS, T.authDelete])];

describe('parseKeyFile: tarsnap key files', () => {
  it.each([
    ['tarsnap-keygen (all user keys)', USER_KEYS, FULL, 'reading, writing, and deleting'],
    ['tarsnap-keymgmt -w', WRITE_ONLY, { read: false, write: true, delete: false }, 'writing'],
    ['tarsnap-keymgmt -r', [...READ_KEYS], { read: true, write: false, delete: false }, 'reading'],
    [
      'tarsnap-keymgmt -d (read + delete)',
      READ_DELETE,
      { read: true, write: false, delete: true },
      'reading and deleting',
    ],
    [
      'tarsnap-keymgmt -r -w',
      [...new Set<number>([...READ_KEYS, ...WRITE_KEYS])],
      { read: true, write: true, delete: false },
      'reading and writing',
    ],
    [
      'tarsnap-keymgmt -w --nuke',
      [...WRITE_ONLY, T.authDelete],
      { read: false, write: true, delete: true },
      'writing and nuking',
    ],
    ['tarsnap-keymgmt --nuke', [T.authDelete], { read: false, write: false, delete: true }, 'nuking'],
    ['no keys at all', [], { read: false, write: false, delete: false }, 'nothing'],
    [
      'write keys but one (no chunk randomization key)',
      WRITE_ONLY.filter((type) => type !== T.hmacCparams),
      { read: false, write: false, delete: false },
      'nothing',
    ],
  ])('%s', (_name, types, capabilities, words) => {
    const info = parseKeyFile(textKeyFile(cooked(types)));
    expect(info).toEqual({ kind: 'tarsnap', encoding: 'text', machineNumber: '1234', keyTypes: types, capabilities });
    expect(describeCapabilities(capabilities)).toBe(words);
  });

  it('reads the machine number as an unsigned big-endian 64-bit integer', () => {
    const info = parseKeyFile(textKeyFile(cooked(USER_KEYS, 2n ** 63n + 5n)));
    expect(info).toMatchObject({ kind: 'tarsnap', machineNumber: '9223372036854775813' });
  });

  it('accepts CRLF and CR line ends, blank lines and extra comments', () => {
    for (const eol of ['\r\n', '\r']) {
      expect(parseKeyFile(textKeyFile(cooked(WRITE_ONLY), eol))).toMatchObject({
        kind: 'tarsnap',
        capabilities: { write: true, read: false },
      });
    }
    const text = textKeyFile(cooked(USER_KEYS)).toString('latin1').replace('\n', '\n\n# made for the blog server\n\n');
    expect(parseKeyFile(Buffer.from(text, 'latin1'))).toMatchObject({ kind: 'tarsnap', capabilities: FULL });
  });

  it('reads a raw (historical) key file: first byte 0x00, no base64', () => {
    expect(parseKeyFile(rawKeys(USER_KEYS, 7n))).toEqual({
      kind: 'tarsnap',
      encoding: 'raw',
      machineNumber: '7',
      keyTypes: USER_KEYS,
      capabilities: FULL,
    });
  });

  it('a passphrase-protected key (scrypt-encrypted): says so, keys unknown', () => {
    const blob = Buffer.concat([Buffer.from('scrypt\0', 'latin1'), Buffer.alloc(200, 7)]);
    expect(parseKeyFile(textKeyFile(blob))).toEqual({ kind: 'tarsnap-passphrase' });
  });

  it('a damaged line: corrupt on that line, as tarsnap reports it', () => {
    const lines = textKeyFile(cooked(USER_KEYS)).toString('latin1').split('\n');
    const line = lines[3]!;
    lines[3] = `${line[0] === 'A' ? 'B' : 'A'}${line.slice(1)}`;
    expect(parseKeyFile(Buffer.from(lines.join('\n'), 'latin1'))).toEqual({
      kind: 'invalid',
      reason: 'corrupt on line 4 (not base64 with its checksum)',
    });
  });

  it.each([
    ['not base64', Buffer.from('# START OF TARSNAP KEY FILE\nhello world!\n')],
    ['a short line', Buffer.from('# START OF TARSNAP KEY FILE\nAAAA\n')],
  ])('%s: corrupt on line 2', (_name, bytes) => {
    expect(parseKeyFile(bytes)).toEqual({
      kind: 'invalid',
      reason: 'corrupt on line 2 (not base64 with its checksum)',
    });
  });

  it.each([
    ['empty', Buffer.alloc(0), 'unreasonable size (0 bytes)'],
    ['over 1,000,000 bytes', Buffer.alloc(1_000_001, 0x41), 'unreasonable size (1000001 bytes)'],
    [
      'only comments',
      Buffer.from('# START OF TARSNAP KEY FILE\n# END OF TARSNAP KEY FILE\n'),
      'holds no key data (only comments or blank lines)',
    ],
    [
      'data not starting with "tarsnap"',
      textKeyFile(Buffer.from('notsnap\x00123456789', 'latin1')),
      'corrupt (the decoded data does not start with "tarsnap")',
    ],
    [
      'a record longer than the data',
      textKeyFile(Buffer.concat([cooked([T.authPut]).subarray(0, -1)])),
      'corrupt or truncated (unexpected end of key data)',
    ],
    [
      'a header cut short',
      textKeyFile(Buffer.concat([cooked([T.authPut]), Buffer.from([1, 0])])),
      'corrupt or truncated (unexpected end of key data)',
    ],
    [
      'type 8 (reserved for the server)',
      textKeyFile(Buffer.concat([cooked([T.authPut]), keyRecord(8)])),
      'corrupt (unrecognized key type 8)',
    ],
    [
      'no machine number',
      textKeyFile(Buffer.from('tarsnap\0abc', 'latin1')),
      'corrupt or truncated (no machine number)',
    ],
  ])('%s: invalid', (_name, bytes, reason) => {
    expect(parseKeyFile(bytes)).toEqual({ kind: 'invalid', reason });
  });

  it('property: any set of key types round-trips, and capabilities agree with the key masks of crypto.h', () => {
    fc.assert(
      fc.property(fc.subarray(USER_KEYS), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (types, machine) => {
        const info = parseKeyFile(textKeyFile(cooked(types, machine)));
        const mask = maskOf(types);
        expect(info).toEqual({
          kind: 'tarsnap',
          encoding: 'text',
          machineNumber: machine.toString(),
          keyTypes: types,
          capabilities: {
            read: missingKey(KEYMASK_READ, mask) === null,
            write: missingKey(KEYMASK_WRITE, mask) === null,
            delete: missingKey(KEYMASK_AUTH_DELETE, mask) === null,
          },
        });
      }),
    );
  });
});

describe("parseKeyFile: the tarsnap emulator's keys (labelled, never taken for real ones)", () => {
  const emulatorKey = (line: string, extra = '') =>
    Buffer.from(
      `# START OF TARSNAP KEY FILE\n# tarsnap emulator key for tests: not a real tarsnap key\n${line}\n${extra}# END OF TARSNAP KEY FILE\n`,
    );

  it.each([
    ['emulator-key: read,write,delete', FULL],
    ['emulator-key: write', { read: false, write: true, delete: false }],
    ['emulator-key: read, delete', { read: true, write: false, delete: true }],
  ])('%s', (line, capabilities) => {
    expect(parseKeyFile(emulatorKey(line))).toEqual({ kind: 'emulator', capabilities, passphrase: false });
  });

  it('a passphrase line marks it protected', () => {
    expect(parseKeyFile(emulatorKey('emulator-key: write', 'emulator-passphrase: s3cret\n'))).toEqual({
      kind: 'emulator',
      capabilities: { read: false, write: true, delete: false },
      passphrase: true,
    });
  });

  it.each(['emulator-key: write,fly', 'emulator-key: write,write', 'emulator-key: '])('%s: invalid', (line) => {
    expect(parseKeyFile(emulatorKey(line))).toMatchObject({ kind: 'invalid' });
  });
});

describe('capabilitiesOf', () => {
  it('needs every key of a mask, not most of them', () => {
    expect(capabilitiesOf(READ_KEYS.slice(1))).toEqual({ read: false, write: false, delete: false });
    expect(capabilitiesOf([...READ_KEYS, ...WRITE_KEYS, T.authDelete])).toEqual(FULL);
  });
});

describe('judgeKeyCapabilities', () => {
  const K = '/root/tarsnap.key';
  it.each([
    [
      'full key, pruning',
      FULL,
      ['daily'],
      'ok',
      '/root/tarsnap.key holds the keys for reading, writing, and deleting: backups and pruning can run here',
      undefined,
    ],
    [
      'full key, no pruning',
      FULL,
      [],
      'ok',
      '/root/tarsnap.key holds the keys for reading, writing, and deleting: backups can run here',
      undefined,
    ],
    [
      'write-only, no pruning',
      { read: false, write: true, delete: false },
      [],
      'ok',
      '/root/tarsnap.key holds the keys for writing (write-only): backups only; pruning and tarsnap --fsck must run on a host with the read keys',
      undefined,
    ],
    [
      'write-only, two profiles prune',
      { read: false, write: true, delete: false },
      ['daily', 'weekly'],
      'warn',
      '/root/tarsnap.key holds the keys for writing (write-only): this host cannot list or prune archives (nor run tarsnap --fsck), so profiles daily, weekly will skip pruning',
      'prune on a host whose key has the read and delete keys (tarsnap-keymgmt -d), and set prune: false in profiles daily, weekly here',
    ],
    [
      'read and write, no delete, pruning',
      { read: true, write: true, delete: false },
      ['daily'],
      'problem',
      '/root/tarsnap.key holds the keys for reading and writing but not deleting: prune in profile daily fails whenever it has archives to delete',
      'use a key with the delete key (tarsnap-keymgmt --outkeyfile NEW -w -d FULL.key), or set prune: false in profile daily',
    ],
    [
      'read and write, no delete, no pruning',
      { read: true, write: true, delete: false },
      [],
      'ok',
      '/root/tarsnap.key holds the keys for reading and writing: backups can run here',
      undefined,
    ],
    [
      'read and delete only',
      { read: true, write: false, delete: true },
      ['daily'],
      'problem',
      '/root/tarsnap.key holds the keys for reading and deleting: hotsnap run cannot create archives with it',
      'use a key with the write keys (the full key from tarsnap-keygen, or one made with tarsnap-keymgmt --outkeyfile NEW -w FULL.key)',
    ],
  ] as const)('%s', (_name, capabilities, pruning, status, message, fix) => {
    expect(judgeKeyCapabilities(K, capabilities, pruning)).toEqual({ status, message, ...(fix ? { fix } : {}) });
  });
});

describe('judgeKeyfileMode', () => {
  it.each([
    [0o100600, 'ok', 'keyfile /root/tarsnap.key is private (mode 0600)', undefined],
    [0o100400, 'ok', 'keyfile /root/tarsnap.key is private (mode 0400)', undefined],
    [
      0o100644,
      'problem',
      'keyfile /root/tarsnap.key is readable by others (mode 0644)',
      'run chmod 600 /root/tarsnap.key',
    ],
    [
      0o100602,
      'problem',
      'keyfile /root/tarsnap.key is writable by others (mode 0602)',
      'run chmod 600 /root/tarsnap.key',
    ],
    [
      0o100666,
      'problem',
      'keyfile /root/tarsnap.key is readable and writable by others (mode 0666)',
      'run chmod 600 /root/tarsnap.key',
    ],
    [
      0o100640,
      'warn',
      'keyfile /root/tarsnap.key is readable by its group (mode 0640)',
      'run chmod 600 /root/tarsnap.key, unless that group is meant to hold the key',
    ],
    [
      0o100620,
      'warn',
      'keyfile /root/tarsnap.key is writable by its group (mode 0620)',
      'run chmod 600 /root/tarsnap.key, unless that group is meant to hold the key',
    ],
  ] as const)('mode %o', (mode, status, message, fix) => {
    expect(judgeKeyfileMode('/root/tarsnap.key', mode)).toEqual({ status, message, ...(fix ? { fix } : {}) });
  });

  it('quotes a path with spaces in the chmod it suggests', () => {
    expect(judgeKeyfileMode('/root/my key', 0o644).fix).toBe("run chmod 600 '/root/my key'");
  });
});
