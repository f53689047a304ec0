/**
 * Finding and reading the config file: YAML → schema check (every problem at once, with its YAML
 * path and line) → effective config. Precedence: --config, $HOTSNAP_CONFIG,
 * /etc/hotsnap/hotsnap.yaml, ~/.config/hotsnap/hotsnap.yaml.
 */
import { basename } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { ZodError } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { machineDefaults, readConfigText } from './read.js';
import { closestKey } from './suggest.js';
import { findNameTemplateIssues } from '../core/archive-name.js';
import { parseDeltas } from '../core/deltas.js';
import { parseCalendar } from '../core/calendar.js';
import { parseRetentionDuration } from '../core/duration.js';
import { configFileSchema, hotCopySchema, profileFieldsSchema, retentionSchema, tarsnapSchema } from './schema.js';
import { findCrossFieldIssues, type CrossFieldChecks } from './cross-field.js';
import { locate, quoteValue, withValue } from './offending-value.js';
import { resolveConfig, type Config, type MachineDefaults } from './resolve.js';

export { locateConfig, machineDefaults, SYSTEM_CONFIG } from './read.js';

const KEY_SETS: Array<[RegExp, readonly string[]]> = [
  [/^$/, Object.keys(configFileSchema.shape)],
  [/^tarsnap$/, Object.keys(tarsnapSchema.shape)],
  [/^(defaults|profiles\.[^.]+)$/, Object.keys(profileFieldsSchema.shape)],
  [/^(defaults|profiles\.[^.]+)\.retention$/, Object.keys(retentionSchema.shape)],
  [/^(defaults|profiles\.[^.]+)\.hot_copy$/, Object.keys(hotCopySchema.shape)],
  [/^(defaults|profiles\.[^.]+)\.adopt\.\d+$/, ['archive_name', 'date_format']],
];

function knownKeysAt(path: string): readonly string[] {
  return KEY_SETS.find(([pattern]) => pattern.test(path))?.[1] ?? [];
}

function keyOffset(doc: Document, path: readonly (string | number)[]): number | undefined {
  const parent = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
    if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
  }
  const node = doc.getIn(path, true);
  if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) return node.range[0] as number;
  return undefined;
}

/** Given a YAML path, returns the line of its key, or of the nearest enclosing key that exists. */
function lineOf(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const offset = keyOffset(doc, path.slice(0, depth));
    if (offset !== undefined) return lines.linePos(offset).line;
  }
  return undefined;
}

/** What a zod type name reads as in a message: "array" → "a list". */
const TYPE_NAMES: Record<string, string> = {
  array: 'a list',
  object: 'a mapping of keys',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** What a key takes, for the union types whose zod message ("Invalid input") says nothing. */
const UNION_HELP: Array<[RegExp, string]> = [
  [
    /(^|\.)hooks\.(before|after|on_error|finally)$/,
    'must be a command as a list (program then arguments), e.g. [systemctl, reload, app], or a list of such commands',
  ],
  [/\.(busy_timeout|copy_timeout|retry_delay)$/, 'must be a time span such as "30s" or "2h", or a number of seconds'],
  [/\.max_delete$/, 'must be a number of archives or a percentage such as "50%"'],
];

/** Given a zod issue, returns its message in hotsnap's words (the offending value is added after). */
function zodMessage(issue: ZodError['issues'][number]): string {
  const dotted = issue.path.map(String).join('.');
  const help = UNION_HELP.find(([pattern]) => pattern.test(dotted))?.[1];
  if (help && (issue.code === 'invalid_union' || /max_delete$/.test(dotted))) return help;
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => inner.message).join('; ');
  if (issue.code === 'invalid_type')
    return /received undefined/.test(issue.message)
      ? 'required: this key is missing'
      : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
  if (issue.code === 'invalid_value' && /^Invalid option/.test(issue.message)) {
    const values = issue.values.map((value) => JSON.stringify(value));
    return `must be ${values.length > 1 ? `one of ${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : values[0]}`;
  }
  if (issue.code === 'too_big' && /^Too big/.test(issue.message)) return `must be at most ${issue.maximum}`;
  if (issue.code === 'too_small' && /^Too small/.test(issue.message))
    return issue.origin === 'string' && issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum}`;
  return issue.message;
}

/** Given a problem at a path, returns it with the path as messages show it and the value it refuses quoted. */
function quoted(data: unknown, path: string | readonly (string | number)[], message: string, line?: number) {
  const located = locate(data, path);
  const value = located.found && !isPlainMap(located.value) ? quoteValue(located.display, located.value) : undefined;
  return { path: located.display, line, message: withValue(message, value) };
}

const isPlainMap = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

function issuesFromZod(error: ZodError, doc: Document, lines: LineCounter, data: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
    const dotted = path.join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = closestKey(key, knownKeysAt(dotted));
        issues.push({
          path: locate(data, [...path, key]).display,
          line: lineOf(doc, lines, [...path, key]),
          message: `unknown key${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
        });
      }
      continue;
    }
    const line = lineOf(doc, lines, path);
    if (issue.code === 'invalid_key') {
      // The key itself is refused (a profile name): quote the key, not its settings.
      const key = String(path.at(-1) ?? '');
      issues.push({
        path: locate(data, path).display,
        line,
        message: withValue(zodMessage(issue), JSON.stringify(key)),
      });
    } else issues.push(quoted(data, path, zodMessage(issue), line));
  }
  return issues;
}

function sortByLine(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** The checks that need other modules: name templates, retention durations, tarsnapper deltas. */
export const defaultChecks: CrossFieldChecks = {
  nameTemplate: (template, dateFormat) => findNameTemplateIssues(template, dateFormat),
  retentionDuration: parseRetentionDuration,
  deltas: parseDeltas,
  schedule: parseCalendar,
};

/**
 * A config file needs no more than a few aliases; past this many alias copies in all the yaml
 * package stops expanding (a "billion laughs" document is a few hundred bytes).
 */
const MAX_ALIAS_COUNT = 100;

/**
 * Given a parsed document (hotsnap's config or a tarsnapper file for `init`), returns its plain
 * data, or the problem for an alias bomb or an alias without its anchor — where the yaml package
 * throws a ReferenceError from toJS(), which would otherwise pass for a bug in hotsnap.
 */
export function plainYamlData(doc: Document): { data: unknown } | { problem: string } {
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return {
      problem: /Excessive alias count/.test(error.message)
        ? `YAML aliases (*name) expand too much (past the limit of ${MAX_ALIAS_COUNT} alias copies; a "billion laughs" document does this): write the values out, or use fewer aliases`
        : `YAML: ${error.message.replace(/^Unresolved alias \(the anchor must be set before the alias\): (.*)$/, 'alias *$1 has no anchor &$1 before it: define the anchor first, or write the value out')}`,
    };
  }
}

/** Given a parsed config document, returns its plain data, or throws a ConfigError naming the file. */
function toPlainData(doc: Document, name: string): unknown {
  const plain = plainYamlData(doc);
  if ('problem' in plain) throw new ConfigError(name, [{ path: '', message: plain.problem }]);
  return plain.data;
}

/** Given YAML text, returns the effective config or throws a ConfigError listing every problem. */
export function parseConfig(
  text: string,
  file: string,
  machine: MachineDefaults = machineDefaults(),
  checks: CrossFieldChecks = defaultChecks,
): Config {
  const name = basename(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      name,
      doc.errors.map((error) => ({
        path: '',
        line: lines.linePos(error.pos[0]).line,
        message: `YAML syntax: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  const data = toPlainData(doc, name);
  if (data === null || data === undefined) {
    throw new ConfigError(name, [
      { path: '', message: 'the file is empty: it needs at least "tarsnap" and "profiles" (see "hotsnap init")' },
    ]);
  }
  const parsed = configFileSchema.safeParse(data);
  const issues = [
    ...(parsed.success ? [] : issuesFromZod(parsed.error, doc, lines, data)),
    ...findCrossFieldIssues(data, checks).map((issue) =>
      quoted(data, issue.path, issue.message, lineOf(doc, lines, locate(data, issue.path).parts)),
    ),
  ];
  if (issues.length > 0 || !parsed.success) throw new ConfigError(name, sortByLine(issues));
  return resolveConfig(parsed.data, file, machine);
}

/** Given a path, reads and parses it (see parseConfig); no cache. */
export function loadConfigFile(file: string, machine?: MachineDefaults, checks?: CrossFieldChecks): Config {
  return parseConfig(readConfigText(file), file, machine, checks);
}
