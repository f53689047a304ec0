/**
 * What a failed tarsnap 1.0.41 call's stderr means and what to do about it: one rule per failure
 * class, so a new class is one more entry in RULES (and its kind joins TarsnapFailureKind).
 */
import { shellQuote } from './shell-quote.js';

/** A classified failure: `line` is the stderr line that decided it; `serverModified` when exit 2 said so. */
export interface TarsnapFailure {
  kind: TarsnapFailureKind;
  hint: string;
  serverModified: boolean;
  line?: string;
}

/** Paths used in hints, so they can be pasted as they are. */
export interface FailureContext {
  keyfile?: string;
  cachedir?: string;
}

/** A rule: the first stderr line matching `pattern` decides `kind`; `hint` gets keyfile and cachedir, shell-quoted. */
type Rule = { kind: string; pattern: RegExp; hint: (k: string, c: string) => string };

/** The key names tarsnap reports when a key lacks read rights (lib/crypto/crypto_keys.c). */
const READ_KEYS = 'read authorization|archive decryption|archive signature verification';

// Order matters: a specific line comes before the generic ones tarsnap prints after it
// (e.g. "An archive already exists …" is followed by "Error creating new archive").
const RULES = [
  {
    kind: 'lock-busy',
    pattern: /Transaction already in progress/,
    hint: (_k, c) =>
      `another tarsnap create, delete or fsck holds ${c}/lockf; wait for it to finish and retry (never run two at once with one key)`,
  },
  {
    kind: 'no-cache',
    pattern: /Cache directory must already exist/,
    hint: (k, c) =>
      `the cache directory has not been built on this machine; run: tarsnap --fsck --keyfile ${k} --cachedir ${c}`,
  },
  {
    kind: 'needs-fsck',
    pattern: /Run --fsck/,
    hint: (k, c) =>
      `the cache directory is out of step with the server; run: tarsnap --fsck --keyfile ${k} --cachedir ${c} (or set tarsnap.auto_fsck: true), then retry`,
  },
  {
    kind: 'key-passphrase',
    pattern: /Error reading passphrase|Passphrase is incorrect|Failed to read from \$\{|Invalid option: --passphrase/,
    hint: (k) =>
      `the key file ${k} is passphrase-protected and no (correct) passphrase was read; set tarsnap.passphrase to env:VARIABLE or file:PATH`,
  },
  {
    kind: 'key-corrupt',
    pattern: /Key file is corrupt or truncated/,
    hint: (k) => `the key file ${k} is corrupt or truncated; restore it from your offline copy`,
  },
  {
    kind: 'key-missing',
    pattern: /Cannot read key file/,
    hint: (k) => `cannot read the key file ${k}; check the path and that this user can read it`,
  },
  {
    kind: 'no-key',
    pattern: /Keys must be provided via --keyfile option/,
    hint: () => 'no key file was given; set tarsnap.keyfile',
  },
  {
    kind: 'write-only-key',
    pattern: new RegExp(`The (?:${READ_KEYS}) key is required for`),
    hint: (k) =>
      `the key ${k} cannot read (a write-only key): this host can back up but not list, verify, restore or prune; use a key made with tarsnap-keymgmt -r (plus -d to prune)`,
  },
  {
    kind: 'key-permission',
    pattern: /key is required for .* but is not available/,
    hint: (k) =>
      `the key ${k} lacks the rights for this (write to back up, delete to prune, write or delete for fsck); make one with tarsnap-keymgmt`,
  },
  {
    kind: 'archive-exists',
    pattern: /An archive already exists with the name/,
    hint: () => 'an archive (or its .part) already has this name; list archives again and pick a free name',
  },
  {
    kind: 'archive-missing',
    pattern: /Archive does not exist/,
    hint: () => 'the archive does not exist (already deleted?); list archives again',
  },
  {
    kind: 'truncated',
    pattern: /archive is being truncated/,
    hint: () => 'the archive was cut short and stored as NAME.part: not a usable backup; run the backup again',
  },
  {
    kind: 'network',
    pattern:
      /Error looking up|Cannot obtain server address|Too many network failures|Error connecting to server|Network error|Timeout (?:communicating with|connecting to) server|Connection closed by server|Network connection failure|Connection lost|Network protocol violation/,
    hint: () => 'cannot reach the tarsnap server; check DNS and outbound TCP port 9279, then retry later',
  },
  {
    kind: 'network',
    pattern: /Error creating new archive/,
    hint: () =>
      'tarsnap could not start the archive (usually the network); check DNS and outbound TCP port 9279, then retry later',
  },
] as const satisfies readonly Rule[];

/** What went wrong in a failed tarsnap call: a rule's kind, or one decided without a matching line. */
export type TarsnapFailureKind = (typeof RULES)[number]['kind'] | 'server-modified' | 'unknown';

const SERVER_MODIFIED = /Data on server was modified/;

/**
 * Given a failed call's exit code and stderr, returns what went wrong and what to do about it.
 * Exit 2 (1.0.41: failed after changing the server) sets `serverModified`; its kind is the specific
 * cause when one is printed, else `server-modified`.
 * Example: `classifyTarsnapFailure(1, 'tarsnap: Sequence number mismatch: Run --fsck\n').kind` → `'needs-fsck'`.
 */
export function classifyTarsnapFailure(
  exitCode: number | null,
  stderr: string,
  context: FailureContext = {},
): TarsnapFailure {
  const keyfile = shellQuote(context.keyfile ?? 'KEYFILE');
  const cachedir = shellQuote(context.cachedir ?? 'CACHEDIR');
  const lines = stderr.split(/\r?\n/).filter((line) => line.length > 0);
  const serverModified = exitCode === 2 || lines.some((line) => SERVER_MODIFIED.test(line));
  for (const rule of RULES) {
    const line = lines.find((l) => rule.pattern.test(l));
    if (line !== undefined) return { kind: rule.kind, hint: rule.hint(keyfile, cachedir), serverModified, line };
  }
  if (serverModified) {
    return {
      kind: 'server-modified',
      hint: 'tarsnap failed after changing data on the server (e.g. some paths were unreadable); list archives to see what was stored',
      serverModified,
      line: lines.find((l) => SERVER_MODIFIED.test(l)),
    };
  }
  return {
    kind: 'unknown',
    hint: `tarsnap exited with ${exitCode === null ? 'a signal' : `code ${exitCode}`}; see its messages`,
    serverModified,
  };
}
