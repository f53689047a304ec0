/**
 * `hotsnap check` probes of the key: the key file (private, readable, which keys it holds) and the
 * passphrase file that unlocks it. Only looks: one read of the key file, none of the passphrase.
 */
import { constants, readFileSync } from 'node:fs';
import { judgeSecretFileMode, type CheckItem } from '../core/check-report.js';
import {
  judgeKeyCapabilities,
  judgeKeyfileMode,
  MAX_KEY_FILE_BYTES,
  parseKeyFile,
  type KeyCapabilities,
} from '../core/keyfile.js';
import { shellQuote } from '../core/shell-quote.js';
import { currentUserName, describeOwner } from './accounts.js';
import { can, cannotReach, FIX_PARENT_PERMISSIONS, isMissing, ownerAdvice, statOrError } from './check-fs.js';

/** What the key file holds, for the cache directory check (undefined when unknown). */
export interface KeyfileFindings {
  items: CheckItem[];
  capabilities?: KeyCapabilities;
}

/**
 * Given the key file and the profiles that prune, checks it exists, is private and readable, and
 * which keys it holds. Example: a 0644 key → a problem "keyfile K is readable by others (mode 0644)".
 */
export function checkKeyfile(keyfile: string, pruning: readonly string[], passphrase?: string): KeyfileFindings {
  const user = currentUserName();
  const stats = statOrError(keyfile);
  if (stats instanceof Error) {
    if (isMissing(stats)) {
      return {
        items: [
          {
            check: 'keyfile',
            status: 'problem',
            message: `keyfile ${keyfile} does not exist`,
            fix: 'set tarsnap.keyfile to your tarsnap key (tarsnap-keygen writes one), or copy the key there',
          },
        ],
      };
    }
    return {
      items: [
        {
          check: 'keyfile',
          status: 'problem',
          message: cannotReach(`keyfile ${keyfile}`, stats),
          fix: FIX_PARENT_PERMISSIONS,
        },
      ],
    };
  }
  if (!stats.isFile()) {
    return {
      items: [
        {
          check: 'keyfile',
          status: 'problem',
          message: `keyfile ${keyfile} is not a regular file`,
          fix: 'set tarsnap.keyfile to the key file itself',
        },
      ],
    };
  }
  const items: CheckItem[] = [{ check: 'keyfile', ...judgeKeyfileMode(keyfile, stats.mode) }];
  if (stats.size === 0 || stats.size > MAX_KEY_FILE_BYTES) {
    items.push({
      check: 'keyfile',
      status: 'problem',
      message: `keyfile ${keyfile} has an unreasonable size (${stats.size} bytes; tarsnap refuses it)`,
      fix: 'restore the key file from your copy of it',
    });
    return { items };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(keyfile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    items.push({
      check: 'keyfile',
      status: 'problem',
      message: `user ${user} cannot read keyfile ${keyfile} (${code}; ${describeOwner(stats)})`,
      fix: ownerAdvice(stats),
    });
    return { items };
  }
  const info = parseKeyFile(bytes);
  bytes.fill(0);
  switch (info.kind) {
    case 'invalid':
      items.push({
        check: 'key',
        status: 'problem',
        message: `keyfile ${keyfile} is not a usable tarsnap key: ${info.reason}`,
        fix: 'point tarsnap.keyfile at the key tarsnap-keygen or tarsnap-keymgmt wrote (its first line is "# START OF TARSNAP KEY FILE")',
      });
      return { items };
    case 'tarsnap-passphrase':
      items.push(
        passphrase
          ? {
              check: 'key',
              status: 'ok',
              message: `keyfile ${keyfile} is passphrase-protected; tarsnap reads the passphrase from ${passphrase} (tarsnap.passphrase), so scheduled runs won't wait at a prompt (which keys it holds cannot be seen without the passphrase)`,
            }
          : {
              check: 'key',
              status: 'warn',
              message: `keyfile ${keyfile} is passphrase-protected: which keys it holds cannot be seen without the passphrase, and tarsnap asks for it on a terminal, which scheduled runs (cron, systemd) do not have`,
              fix: `set tarsnap.passphrase to env:VARIABLE or file:/root/tarsnap.pass, or make an unprotected key for this host: tarsnap-keymgmt --outkeyfile NEW.key -w -d ${shellQuote(keyfile)} (or -w alone for a write-only key)`,
            },
      );
      return { items };
    case 'emulator': {
      const verdict = judgeKeyCapabilities(keyfile, info.capabilities, pruning);
      const label = `tarsnap emulator key (the test emulator's format, not a real tarsnap key${info.passphrase ? '; passphrase-protected' : ''}): `;
      items.push({ check: 'key', ...verdict, message: label + verdict.message });
      return { items, capabilities: info.capabilities };
    }
    case 'tarsnap':
      items.push({ check: 'key', ...judgeKeyCapabilities(keyfile, info.capabilities, pruning) });
      return { items, capabilities: info.capabilities };
  }
}

/**
 * Given `tarsnap.passphrase`, checks a `file:PATH` passphrase: it exists, is a non-empty regular
 * file this user can read, and is private (it unlocks the key). Returns undefined for `env:VAR`.
 * Only looks: the passphrase itself is never read. Example: a 0644 file → a problem "… run chmod 600 PATH".
 */
export function checkPassphraseFile(passphrase: string | undefined): CheckItem | undefined {
  if (!passphrase?.startsWith('file:')) return undefined;
  const file = passphrase.slice('file:'.length);
  const check = 'passphrase';
  const stats = statOrError(file);
  if (stats instanceof Error) {
    if (isMissing(stats)) {
      return {
        check,
        status: 'problem',
        message: `passphrase file ${file} (tarsnap.passphrase) does not exist`,
        fix: `write the key's passphrase there (install -m 600 /dev/null ${shellQuote(file)}, then edit it), or correct tarsnap.passphrase`,
      };
    }
    return {
      check,
      status: 'problem',
      message: cannotReach(`passphrase file ${file}`, stats),
      fix: FIX_PARENT_PERMISSIONS,
    };
  }
  if (!stats.isFile())
    return {
      check,
      status: 'problem',
      message: `passphrase file ${file} (tarsnap.passphrase) is not a regular file`,
      fix: 'set tarsnap.passphrase to file: and the file holding the passphrase',
    };
  const exposure = judgeSecretFileMode('passphrase file', file, stats.mode);
  if (exposure.status === 'problem') return { check, ...exposure };
  if (!can(file, constants.R_OK)) {
    return {
      check,
      status: 'problem',
      message: `user ${currentUserName()} cannot read passphrase file ${file} (${describeOwner(stats)}), so tarsnap cannot unlock the key`,
      fix: ownerAdvice(stats),
    };
  }
  if (stats.size === 0)
    return {
      check,
      status: 'problem',
      message: `passphrase file ${file} is empty, so tarsnap cannot unlock the key`,
      fix: "write the key's passphrase in it, on one line",
    };
  return { check, ...exposure };
}
