/**
 * tarsnapper's archive names in hotsnap's terms: its `target` (a Python string.Template with
 * $name and $date) becomes `archive_name`, its `dateformat` (strftime) becomes `date_format`, so
 * the archives tarsnapper made are the profile's own and its deltas keep working across the switch;
 * archives made under an `alias` are adopted (`adopt:`).
 */
import { validateNameTemplate } from '../core/archive-name.js';
import { strftimeToDateFns } from './strftime.js';

/** tarsnapper's name format when a job sets no `dateformat` (script.py's DEFAULT_DATEFORMAT). */
export const TARSNAPPER_DATEFORMAT = '%Y%m%d-%H%M%S';

type TemplatePart = { literal: string } | { identifier: string; raw: string };

/** Given a Python string.Template text, returns its parts the way Template reads them. */
function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  // string.Template: $$, $identifier (greedy, ASCII, case-insensitive pattern), ${identifier}; any other $ is kept.
  const pattern = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\})/gi;
  let rest = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > rest) parts.push({ literal: text.slice(rest, match.index) });
    if (match[1]) parts.push({ literal: '$' });
    else parts.push({ identifier: (match[2] ?? match[3])!, raw: match[0] });
    rest = match.index + match[0].length;
  }
  if (rest < text.length) parts.push({ literal: text.slice(rest) });
  return parts;
}

/** Given a target and placeholder names, returns whether each one is used (config.py's require_placeholders). */
export function usesPlaceholders(target: string, names: readonly string[]): boolean {
  const used = new Set(parseTemplate(target).flatMap((part) => ('identifier' in part ? [part.identifier] : [])));
  return names.every((name) => used.has(name));
}

/**
 * Given a tarsnapper target, its job name and the hotsnap profile name, returns the hotsnap name
 * template, or the reason there is none. `$name` becomes `{profile}` when the names are equal,
 * else the job name itself (always, when no profile name is given).
 * Example: `targetToTemplate('/host/$name-$date', 'db', 'db')` → `{ template: '/host/{profile}-{date}', notes: [] }`.
 */
export function targetToTemplate(
  target: string,
  jobName: string,
  profileName?: string,
): { template: string; notes: string[] } | { problem: string } {
  const notes: string[] = [];
  let template = '';
  for (const part of parseTemplate(target)) {
    let text: string;
    if ('literal' in part) text = part.literal;
    else if (part.identifier === 'date') {
      template += '{date}';
      continue;
    } else if (part.identifier === 'name') {
      if (jobName === profileName) {
        template += '{profile}';
        continue;
      }
      text = jobName;
    } else {
      // tarsnapper's make kept an unknown "$x" as written, but its expire failed on it.
      notes.push(`"${part.raw}" is not a tarsnapper placeholder; kept as literal text`);
      text = part.raw;
    }
    if (/[{}]/.test(text))
      return { problem: `"${text}" contains "{" or "}", which hotsnap name templates cannot express` };
    template += text;
  }
  return { template, notes };
}

/** A hotsnap profile's archive naming. */
export interface Naming {
  archive_name: string;
  date_format: string;
}

/**
 * Given a job's target and dateformat, the name `$name` stands for and the profile name, returns
 * the hotsnap naming of its archives, or why there is none.
 * Example: `namingOf({ target: '$name-$date' }, 'db', 'db')` →
 * `{ archive_name: '{profile}-{date}', date_format: 'yyyyMMdd-HHmmss' }`.
 */
export function namingOf(
  job: { target: string; dateformat?: string },
  alias: string,
  profileName: string | undefined,
): Naming | { problem: string } {
  const strftime = job.dateformat ?? TARSNAPPER_DATEFORMAT;
  let dateFormat: string;
  try {
    dateFormat = strftimeToDateFns(strftime);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const converted = targetToTemplate(job.target, alias, profileName);
  if ('problem' in converted) return converted;
  let problems: string[];
  try {
    problems = validateNameTemplate(converted.template, dateFormat);
  } catch (error) {
    // date-fns' parse throws for some token mixes (e.g. "hh" with "HH") that format accepts.
    problems = [`date format "${dateFormat}" cannot be parsed back: ${(error as Error).message}`];
  }
  if (problems.length > 0)
    return { problem: `archive name "${converted.template}" with date format "${dateFormat}": ${problems.join('; ')}` };
  return { archive_name: converted.template, date_format: dateFormat };
}
