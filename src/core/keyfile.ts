/**
 * Which keys a tarsnap key file holds, read from its bytes, and what that means for this host.
 *
 * The format, as tarsnap's own sources define it (Tarsnap/tarsnap: lib/keyfile/keyfile.c,
 * lib/crypto/crypto_keys.c, lib/crypto/crypto.h, keymgmt/keymgmt.c):
 * - A text key file is lines: blank, `#` comments (`# START OF TARSNAP KEY FILE` …) and base64
 *   lines. Each base64 line decodes to data followed by the first 6 bytes of SHA-256(data).
 * - The data of all lines, concatenated, starts with `scrypt` when the file is passphrase-protected
 *   (scrypt-encrypted: which keys it holds cannot be seen without the passphrase), else with
 *   `tarsnap\0`, the machine number (8 bytes big-endian), then key records.
 * - A raw key file (historical) starts with byte 0x00 or 0xff: machine number, then key records.
 * - A key record: data length (4 bytes little-endian), key type (1 byte), data.
 * - tarsnap-keymgmt --print-key-permissions calls a key "reading" when it holds every key of
 *   CRYPTO_KEYMASK_READ, "writing" for CRYPTO_KEYMASK_WRITE, "deleting" with the delete
 *   authorization key; `tarsnap -d` needs reading and deleting, `-c` writing, `--fsck` reading
 *   plus the write or delete authorization key.
 *
 * The tarsnap emulator in fixtures/ has its own, plainly different format (`emulator-key:
 * read,write,delete` after the first line); it is recognised and labelled as the emulator's so
 * the tests and the demo show capabilities. A real tarsnap rejects such a file.
 */
import { createHash } from 'node:crypto';
import { shellQuote } from './shell-quote.js';

export interface KeyCapabilities {
  read: boolean;
  write: boolean;
  delete: boolean;
}

export type KeyFileInfo =
  | {
      kind: 'tarsnap';
      encoding: 'text' | 'raw';
      machineNumber: string;
      keyTypes: number[];
      capabilities: KeyCapabilities;
    }
  | { kind: 'tarsnap-passphrase' }
  | { kind: 'emulator'; capabilities: KeyCapabilities; passphrase: boolean }
  | { kind: 'invalid'; reason: string };

/** Key type numbers from lib/crypto/crypto.h (8 is reserved for the server's private key). */
export const KEY_TYPE = {
  signPriv: 0,
  signPub: 1,
  encrPriv: 2,
  encrPub: 3,
  hmacFile: 4,
  hmacChunk: 5,
  hmacName: 6,
  hmacCparams: 7,
  rootPub: 9,
  authPut: 10,
  authGet: 11,
  authDelete: 12,
} as const;

const KNOWN_TYPES = new Set<number>(Object.values(KEY_TYPE));
const T = KEY_TYPE;
/** CRYPTO_KEYMASK_READ and CRYPTO_KEYMASK_WRITE as lists of key types. */
export const READ_KEYS = [T.signPub, T.encrPriv, T.hmacFile, T.hmacChunk, T.hmacName, T.authGet] as const;
export const WRITE_KEYS = [
  T.signPriv,
  T.encrPub,
  T.hmacFile,
  T.hmacChunk,
  T.hmacName,
  T.hmacCparams,
  T.authPut,
] as const;

/** keyfile_read() refuses empty files and files over this many bytes. */
export const MAX_KEY_FILE_BYTES = 1_000_000;
const EMULATOR_FIRST_LINE = '# START OF TARSNAP KEY FILE';
const EMULATOR_WORDS = new Set(['read', 'write', 'delete']);

/** Given the key types present, returns the capabilities; e.g. [0,3,4,5,6,7,10] → write only. */
export function capabilitiesOf(keyTypes: Iterable<number>): KeyCapabilities {
  const have = new Set(keyTypes);
  return {
    read: READ_KEYS.every((type) => have.has(type)),
    write: WRITE_KEYS.every((type) => have.has(type)),
    delete: have.has(T.authDelete),
  };
}

function parseRecords(bytes: Uint8Array, encoding: 'text' | 'raw'): KeyFileInfo {
  if (bytes.length < 8) return { kind: 'invalid', reason: 'corrupt or truncated (no machine number)' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machineNumber = view.getBigUint64(0, false).toString();
  const keyTypes: number[] = [];
  let offset = 8;
  while (offset < bytes.length) {
    if (bytes.length - offset < 5)
      return { kind: 'invalid', reason: 'corrupt or truncated (unexpected end of key data)' };
    const length = view.getUint32(offset, true);
    const type = bytes[offset + 4]!;
    offset += 5;
    if (length > bytes.length - offset)
      return { kind: 'invalid', reason: 'corrupt or truncated (unexpected end of key data)' };
    if (!KNOWN_TYPES.has(type)) return { kind: 'invalid', reason: `corrupt (unrecognized key type ${type})` };
    keyTypes.push(type);
    offset += length;
  }
  return { kind: 'tarsnap', encoding, machineNumber, keyTypes, capabilities: capabilitiesOf(keyTypes) };
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  return bytes.length >= text.length && Buffer.from(bytes.subarray(0, text.length)).toString('latin1') === text;
}

function parseEmulator(lines: readonly string[]): KeyFileInfo | undefined {
  const keyLines = lines.filter((line) => line.startsWith('emulator-key:'));
  if (lines[0] !== EMULATOR_FIRST_LINE || keyLines.length === 0) return undefined;
  const words =
    keyLines.length === 1
      ? keyLines[0]!
          .slice('emulator-key:'.length)
          .split(',')
          .map((word) => word.trim())
      : [];
  if (words.length === 0 || words.some((word) => !EMULATOR_WORDS.has(word)) || new Set(words).size !== words.length) {
    return { kind: 'invalid', reason: 'a tarsnap emulator key with an unreadable "emulator-key:" line' };
  }
  return {
    kind: 'emulator',
    capabilities: { read: words.includes('read'), write: words.includes('write'), delete: words.includes('delete') },
    passphrase: lines.some((line) => line.startsWith('emulator-passphrase:')),
  };
}

/**
 * Given a key file's bytes, returns what it is and which keys it holds.
 * Example: parseKeyFile(bytesOf('tarsnap-keymgmt -w' output)) →
 * {kind:'tarsnap', capabilities:{read:false, write:true, delete:false}, …}.
 */
export function parseKeyFile(bytes: Uint8Array): KeyFileInfo {
  if (bytes.length === 0 || bytes.length > MAX_KEY_FILE_BYTES)
    return { kind: 'invalid', reason: `unreasonable size (${bytes.length} bytes)` };
  if (bytes[0] === 0x00 || bytes[0] === 0xff) return parseRecords(bytes, 'raw');

  const text = Buffer.from(bytes).toString('latin1');
  const lines = text.split(/\r\n|\r|\n/);
  const emulator = parseEmulator(lines);
  if (emulator) return emulator;

  const chunks: Buffer[] = [];
  for (const [index, line] of lines.entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const corrupt: KeyFileInfo = {
      kind: 'invalid',
      reason: `corrupt on line ${index + 1} (not base64 with its checksum)`,
    };
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(line) || line.length % 4 !== 0) return corrupt;
    const decoded = Buffer.from(line, 'base64');
    if (decoded.length < 7) return corrupt;
    const data = decoded.subarray(0, decoded.length - 6);
    const checksum = createHash('sha256').update(data).digest().subarray(0, 6);
    if (!checksum.equals(decoded.subarray(decoded.length - 6))) return corrupt;
    chunks.push(data);
  }
  const blob = Buffer.concat(chunks);
  if (blob.length === 0) return { kind: 'invalid', reason: 'holds no key data (only comments or blank lines)' };
  if (startsWith(blob, 'scrypt')) return { kind: 'tarsnap-passphrase' };
  if (!startsWith(blob, 'tarsnap\0'))
    return { kind: 'invalid', reason: 'corrupt (the decoded data does not start with "tarsnap")' };
  return parseRecords(blob.subarray(8), 'text');
}

/**
 * Given capabilities, returns them in tarsnap-keymgmt --print-key-permissions' words.
 * Example: {read:true, write:true, delete:false} → "reading and writing".
 */
export function describeCapabilities(capabilities: KeyCapabilities): string {
  const { read, write, delete: del } = capabilities;
  if (read) {
    const words = ['reading', ...(write ? ['writing'] : []), ...(del ? ['deleting'] : [])];
    return words.length === 3 ? 'reading, writing, and deleting' : words.join(' and ');
  }
  // Without the read keys, the delete key can only nuke everything (tarsnap --nuke), not -d.
  if (write) return del ? 'writing and nuking' : 'writing';
  return del ? 'nuking' : 'nothing';
}

export interface KeyVerdict {
  status: 'ok' | 'warn' | 'problem';
  message: string;
  fix?: string;
}

/**
 * Given the key file path, its capabilities and the profiles that prune (prune: true with
 * retention or deltas), returns what this host can and cannot do with it.
 * Example: ('/root/k', write-only, ['daily']) → {status:'warn', message:'… write-only …'}.
 */
export function judgeKeyCapabilities(
  keyfile: string,
  capabilities: KeyCapabilities,
  pruning: readonly string[],
): KeyVerdict {
  const holds = `${keyfile} holds the keys for ${describeCapabilities(capabilities)}`;
  const profiles = `profile${pruning.length === 1 ? '' : 's'} ${pruning.join(', ')}`;
  if (!capabilities.write) {
    return {
      status: 'problem',
      message: `${holds}: hotsnap run cannot create archives with it`,
      fix: `use a key with the write keys (the full key from tarsnap-keygen, or one made with tarsnap-keymgmt --outkeyfile NEW -w FULL.key)`,
    };
  }
  if (!capabilities.read) {
    if (pruning.length === 0)
      return {
        status: 'ok',
        message: `${holds} (write-only): backups only; pruning and tarsnap --fsck must run on a host with the read keys`,
      };
    return {
      status: 'warn',
      message: `${holds} (write-only): this host cannot list or prune archives (nor run tarsnap --fsck), so ${profiles} will skip pruning`,
      fix: `prune on a host whose key has the read and delete keys (tarsnap-keymgmt -d), and set prune: false in ${profiles} here`,
    };
  }
  if (!capabilities.delete && pruning.length > 0) {
    return {
      status: 'problem',
      message: `${holds} but not deleting: prune in ${profiles} fails whenever it has archives to delete`,
      fix: `use a key with the delete key (tarsnap-keymgmt --outkeyfile NEW -w -d FULL.key), or set prune: false in ${profiles}`,
    };
  }
  return { status: 'ok', message: `${holds}: backups${pruning.length > 0 ? ' and pruning' : ''} can run here` };
}

/**
 * Given the key file path and its st_mode, returns whether others (or its group) may read or
 * change it. Example: ('/root/tarsnap.key', 0o100644) → problem "… is readable by others (mode
 * 0644)" with fix "run chmod 600 /root/tarsnap.key".
 */
export function judgeKeyfileMode(keyfile: string, mode: number): KeyVerdict {
  const shown = `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
  const fix = `run chmod 600 ${shellQuote(keyfile)}`;
  const access = (read: number, write: number) =>
    [mode & read ? 'readable' : '', mode & write ? 'writable' : ''].filter(Boolean).join(' and ');
  // Anyone who can read the key can read (or, with the write keys, forge) every archive.
  const byOthers = access(0o004, 0o002);
  if (byOthers)
    return { status: 'problem', message: `keyfile ${keyfile} is ${byOthers} by others (mode ${shown})`, fix };
  const byGroup = access(0o040, 0o020);
  if (byGroup)
    return {
      status: 'warn',
      message: `keyfile ${keyfile} is ${byGroup} by its group (mode ${shown})`,
      fix: `${fix}, unless that group is meant to hold the key`,
    };
  return { status: 'ok', message: `keyfile ${keyfile} is private (mode ${shown})` };
}
