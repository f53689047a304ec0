/** The tarsnap options every call of a config shares. */
import type { TarsnapCommon } from '../core/tarsnap-args.js';
import type { Config } from './resolve.js';

/** Given the config, returns the options every tarsnap call shares. */
export function tarsnapCommon(config: Config): TarsnapCommon {
  return {
    keyfile: config.tarsnap.keyfile,
    cachedir: config.tarsnap.cachedir,
    extraArgs: config.tarsnap.extra_args,
    ...(config.tarsnap.passphrase ? { passphrase: config.tarsnap.passphrase } : {}),
  };
}
