/** A strict validator for the 5 time fields of a crontab line, and Vixie cron's matching rule (for tests). */

/** A strict reader of one cron field: "*", "*\/n", or a list of n and a-b, all within min..max. */
export function parseCronField(text: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  if (text === '*') {
    for (let value = min; value <= max; value++) values.add(value);
    return values;
  }
  const step = /^\*\/([1-9]\d*)$/.exec(text);
  if (step) {
    for (let value = min; value <= max; value += Number(step[1])) values.add(value);
    return values;
  }
  for (const part of text.split(',')) {
    const match = /^(0|[1-9]\d*)(?:-(0|[1-9]\d*))?$/.exec(part);
    if (!match) throw new Error(`bad cron field part "${part}" in "${text}"`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < min || to > max || to < from || (match[2] !== undefined && to === from)) {
      throw new Error(`cron field part "${part}" out of ${min}..${max} or not ascending`);
    }
    for (let value = from; value <= to; value++) {
      if (values.has(value)) throw new Error(`cron field "${text}" repeats ${value}`);
      values.add(value);
    }
  }
  return values;
}

export interface ParsedCron {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  domStar: boolean;
  dowStar: boolean;
  command: string;
}

/** Given a crontab line, returns its fields (throws unless exactly 5 valid fields and a command). */
export function parseCronLine(line: string): ParsedCron {
  const match = /^(\S+) (\S+) (\S+) (\S+) (\S+) (\S.*)$/.exec(line);
  if (!match) throw new Error(`not a crontab line: ${line}`);
  const [minute, hour, dom, month, dow] = match.slice(1, 6) as [string, string, string, string, string];
  return {
    minute: parseCronField(minute, 0, 59),
    hour: parseCronField(hour, 0, 23),
    dayOfMonth: parseCronField(dom, 1, 31),
    month: parseCronField(month, 1, 12),
    dayOfWeek: parseCronField(dow, 0, 6),
    domStar: dom.startsWith('*'),
    dowStar: dow.startsWith('*'),
    command: match[6]!,
  };
}

/** Vixie cron's rule: when day-of-month and weekday are both restricted, either may match. */
export function cronMatches(cron: ParsedCron, instant: number): boolean {
  const date = new Date(instant);
  const dayOk =
    cron.domStar || cron.dowStar
      ? cron.dayOfMonth.has(date.getUTCDate()) && cron.dayOfWeek.has(date.getUTCDay())
      : cron.dayOfMonth.has(date.getUTCDate()) || cron.dayOfWeek.has(date.getUTCDay());
  return (
    cron.minute.has(date.getUTCMinutes()) &&
    cron.hour.has(date.getUTCHours()) &&
    cron.month.has(date.getUTCMonth() + 1) &&
    dayOk
  );
}
