/**
 * What a hook is told: the HOTSNAP_* variables describing the event, set on a copy of the base
 * environment from which stale HOTSNAP_* values and the passphrase's variable are removed.
 */
import type { HOOK_EVENTS } from '../config/resolve.js';

export type HookEvent = (typeof HOOK_EVENTS)[number];

/** What hooks are told; every field optional (unknown values leave their variable unset). */
export interface HookVars {
  /** The profile this hook belongs to; absent for global hooks (HOTSNAP_PROFILE is then empty). */
  profile?: string;
  /** Every profile of this run, in order. */
  profiles?: readonly string[];
  archive?: string;
  /** Never passed to `before` hooks: nothing has happened yet. */
  status?: 'ok' | 'failed' | 'dry-run';
  error?: string;
  total_bytes?: number;
  compressed_bytes?: number;
  new_bytes?: number;
  databases?: number;
  writer_block_ms?: number;
  dry_run?: boolean;
  /** The config file, so a hook can call `hotsnap list` on the same config. */
  config?: string;
}

/** Linux refuses an environment string over 128 KiB (MAX_ARG_STRLEN); an error message is far shorter. */
const MAX_ERROR_CHARS = 4000;

/** Every variable a hook may be told, cleared from the inherited environment so a stale one never leaks in. */
export const HOOK_ENV_NAMES = [
  'HOTSNAP_EVENT',
  'HOTSNAP_PROFILE',
  'HOTSNAP_PROFILES',
  'HOTSNAP_ARCHIVE',
  'HOTSNAP_STATUS',
  'HOTSNAP_ERROR',
  'HOTSNAP_TOTAL_BYTES',
  'HOTSNAP_COMPRESSED_BYTES',
  'HOTSNAP_NEW_BYTES',
  'HOTSNAP_DATABASES',
  'HOTSNAP_WRITER_BLOCK_MS',
  'HOTSNAP_DRY_RUN',
] as const;

/**
 * Given tarsnap.passphrase, returns the environment variable holding the passphrase (`env:VAR`),
 * else undefined. Example: passphraseVariable('env:TARSNAP_PASS') → 'TARSNAP_PASS'.
 */
export function passphraseVariable(passphrase: string | undefined): string | undefined {
  return passphrase?.startsWith('env:') ? passphrase.slice('env:'.length) : undefined;
}

/** An environment value can't hold NUL; whole numbers read best in shell arithmetic. */
const clean = (text: string) => text.replace(/\0/g, '');
const whole = (value: number) => String(Math.round(value));

/**
 * Given an event and what is known, returns the HOTSNAP_* variables for a hook (unknowns unset).
 * Example: buildHookEnv('after', {profile:'daily', status:'ok'}) →
 * {HOTSNAP_EVENT:'after', HOTSNAP_PROFILE:'daily', HOTSNAP_STATUS:'ok', HOTSNAP_DRY_RUN:'0'}.
 */
export function buildHookEnv(event: HookEvent, vars: HookVars): Record<string, string> {
  const env: Record<string, string> = { HOTSNAP_EVENT: event, HOTSNAP_PROFILE: clean(vars.profile ?? '') };
  if (vars.profiles) env.HOTSNAP_PROFILES = clean(vars.profiles.join(' '));
  if (vars.archive !== undefined) env.HOTSNAP_ARCHIVE = clean(vars.archive);
  if (vars.status !== undefined && event !== 'before') env.HOTSNAP_STATUS = vars.status;
  if (vars.error !== undefined) {
    // One line, as in the summary: `mail -s "…$HOTSNAP_ERROR"` and log lines want no newlines.
    const error = clean(vars.error)
      .trim()
      .replace(/\s*\n\s*/g, ' — ');
    env.HOTSNAP_ERROR = error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error;
  }
  const numbers: [string, number | undefined][] = [
    ['HOTSNAP_TOTAL_BYTES', vars.total_bytes],
    ['HOTSNAP_COMPRESSED_BYTES', vars.compressed_bytes],
    ['HOTSNAP_NEW_BYTES', vars.new_bytes],
    ['HOTSNAP_DATABASES', vars.databases],
    ['HOTSNAP_WRITER_BLOCK_MS', vars.writer_block_ms],
  ];
  for (const [name, value] of numbers) if (value !== undefined && Number.isFinite(value)) env[name] = whole(value);
  env.HOTSNAP_DRY_RUN = vars.dry_run ? '1' : '0';
  if (vars.config !== undefined) env.HOTSNAP_CONFIG = clean(vars.config);
  return env;
}

/**
 * Given the base environment, the event, what is known and tarsnap.passphrase, returns the hook's
 * environment: the base without stale HOTSNAP_* values or the passphrase's variable, plus buildHookEnv.
 * Example: buildHookEnvironment(process.env, 'before', {profile: 'daily'}).HOTSNAP_EVENT → 'before'.
 */
export function buildHookEnvironment(
  base: NodeJS.ProcessEnv,
  event: HookEvent,
  vars: HookVars,
  passphrase?: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of HOOK_ENV_NAMES) delete env[name];
  // Only tarsnap needs the key's passphrase; a hook (or whatever it runs, or logs) never sees it.
  const secret = passphraseVariable(passphrase);
  if (secret !== undefined) delete env[secret];
  Object.assign(env, buildHookEnv(event, vars));
  return env;
}
