/**
 * The `tarsnap:` section both init modes write, planned from what tarsnap's own config files say
 * (hotsnap runs tarsnap with --no-default-config, so whatever they set must move here).
 */
import { isMap, type Document, type YAMLMap } from 'yaml';
import { configFileSchema, tarsnapSchema, type ConfigFile } from '../config/schema.js';
import { assertExtraArgs } from '../core/tarsnap-extra-args.js';
import { descriptionOf, examplesOf } from './schema-docs.js';
import { asComment, commentedExample, commentKey, wrapComment } from './yaml-comments.js';

/** What tarsnap's config files say (adapters/tarsnaprc reads them, user file first). */
export interface DetectedTarsnap {
  /** The files looked at, in tarsnap's order. */
  files: readonly string[];
  keyfile?: { value: string; file: string };
  cachedir?: { value: string; file: string };
  /** Every other option line, in the order tarsnap reads them (`~` already expanded). */
  options: readonly { name: string; value: string | null; file: string }[];
}

/** The `tarsnap:` section, the excludes tarsnap.conf applied to every archive, and what was left behind. */
export interface TarsnapSection {
  settings: ConfigFile['tarsnap'];
  /** `exclude` lines of tarsnap.conf: they go to `defaults.exclude`. */
  exclude: string[];
  /** Where keyfile and cachedir came from (a file), or undefined for the placeholders. */
  origin: { keyfile?: string; cachedir?: string; extraArgs: string[]; exclude: string[] };
  notes: string[];
}

/** tarsnap's documented example locations, used when tarsnap.conf names none. */
export const PLACEHOLDER_KEYFILE = '/root/tarsnap.key';
export const PLACEHOLDER_CACHEDIR = '/usr/local/tarsnap-cache';

/**
 * Given what tarsnap.conf says, returns the tarsnap section: keyfile and cachedir (placeholders
 * when absent or relative), the other options as `extra_args` when tarsnap -c accepts them from
 * hotsnap, excludes apart, and a note for each thing left behind.
 * Example: given keyfile /root/k from /root/.tarsnaprc and `checkpoint-bytes 1G`, returns
 * settings `{ keyfile: '/root/k', cachedir: '/usr/local/tarsnap-cache', extra_args: ['--checkpoint-bytes', '1G'] }`.
 */
export function planTarsnapSection(detected: DetectedTarsnap): TarsnapSection {
  const notes: string[] = [];
  const looked = detected.files.length > 0 ? detected.files.join(' or ') : 'tarsnap.conf';
  const pick = (key: 'keyfile' | 'cachedir', placeholder: string, fix: string): { value: string; file?: string } => {
    const found = detected[key];
    if (found && found.value.startsWith('/')) return found;
    if (found)
      notes.push(
        `tarsnap.${key}: "${found.value}" in ${found.file} is not an absolute path; the file has the placeholder ${placeholder}: ${fix}`,
      );
    else
      notes.push(`tarsnap.${key}: no "${key}" line in ${looked}; the file has the placeholder ${placeholder}: ${fix}`);
    return { value: placeholder };
  };
  const keyfile = pick('keyfile', PLACEHOLDER_KEYFILE, 'set it to your tarsnap key (tarsnap-keygen writes one)');
  const cachedir = pick('cachedir', PLACEHOLDER_CACHEDIR, 'set it to your tarsnap cache directory');

  const extraArgs: string[] = [];
  const exclude: string[] = [];
  const carried = new Set<string>();
  const extraArgsFrom = new Set<string>();
  const excludeFrom = new Set<string>();
  for (const option of detected.options) {
    if (option.name === 'exclude' && option.value !== null) {
      exclude.push(option.value);
      excludeFrom.add(option.file);
      continue;
    }
    // tarsnap takes the first value of an option from its config files; twice on a command line is an error.
    if (carried.has(option.name)) continue;
    const words = option.value === null ? [`--${option.name}`] : [`--${option.name}`, option.value];
    try {
      assertExtraArgs(words);
    } catch (error) {
      notes.push(
        `${option.file}: "${[option.name, option.value].filter((word) => word !== null).join(' ')}" not carried over (${(error as Error).message.replace(/^tarsnap extra argument "[^"]*" is /, '')})`,
      );
      continue;
    }
    carried.add(option.name);
    extraArgsFrom.add(option.file);
    extraArgs.push(...words);
  }
  return {
    settings: {
      keyfile: keyfile.value,
      cachedir: cachedir.value,
      ...(extraArgs.length > 0 ? { extra_args: extraArgs } : {}),
    },
    exclude,
    origin: {
      ...(keyfile.file ? { keyfile: keyfile.file } : {}),
      ...(cachedir.file ? { cachedir: cachedir.file } : {}),
      extraArgs: [...extraArgsFrom],
      exclude: [...excludeFrom],
    },
    notes,
  };
}

/** Optional `tarsnap` keys shown commented out, with their schema example (valid as written). */
export const TARSNAP_EXAMPLES = examplesOf(tarsnapSchema.shape, [
  'binary',
  'extra_args',
  'retries',
  'retry_delay',
  'auto_fsck',
  'passphrase',
]);

/**
 * Given a document with a `tarsnap` map and the section it came from, comments each key (where its
 * value came from) and lists the optional ones commented out.
 */
export function commentTarsnapSection(doc: Document, section: TarsnapSection): void {
  const tarsnap = doc.getIn(['tarsnap'], true);
  if (!isMap(tarsnap)) return;
  const shape = tarsnapSchema.shape;
  const from = (file: string | undefined, placeholder: string) =>
    file ? `Found in ${file}.` : `PLACEHOLDER: not found in tarsnap.conf; replace ${placeholder}.`;
  commentKey(
    tarsnap,
    'keyfile',
    wrapComment(`${descriptionOf(shape.keyfile)} ${from(section.origin.keyfile, PLACEHOLDER_KEYFILE)}`),
  );
  commentKey(
    tarsnap,
    'cachedir',
    wrapComment(`${descriptionOf(shape.cachedir)} ${from(section.origin.cachedir, PLACEHOLDER_CACHEDIR)}`),
  );
  if (section.settings.extra_args) {
    commentKey(
      tarsnap,
      'extra_args',
      wrapComment(
        `${descriptionOf(shape.extra_args)} Carried over from ${section.origin.extraArgs.join(', ')}: hotsnap runs tarsnap with --no-default-config, so tarsnap.conf is not read.`,
      ),
    );
  }
  const examples = Object.entries(TARSNAP_EXAMPLES).filter(
    ([key]) => !(key === 'extra_args' && section.settings.extra_args),
  );
  tarsnap.comment = asComment(
    examples.flatMap(([key, value]) => commentedExample(descriptionOf(shape[key as keyof typeof shape]), key, value)),
  );
  commentKey(doc.contents as YAMLMap, 'tarsnap', wrapComment(descriptionOf(configFileSchema.shape.tarsnap)));
}
