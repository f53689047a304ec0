/** A strict INI reader for systemd unit files (for tests). */

/** A strict INI reader for unit files: sections, Key=Value, # and ; comments; anything else throws. */
export function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  text.split('\n').forEach((line, index) => {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      if (sections.has(section[1]!)) throw new Error(`line ${index + 1}: section [${section[1]}] twice`);
      sections.set(section[1]!, (current = new Map()));
      return;
    }
    const pair = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!pair || !current)
      throw new Error(`line ${index + 1}: not "Key=Value" inside a section: ${JSON.stringify(line)}`);
    if (pair[2]!.endsWith('\\')) throw new Error(`line ${index + 1}: continuation lines are not expected`);
    current.set(pair[1]!, [...(current.get(pair[1]!) ?? []), pair[2]!]);
  });
  return sections;
}

export function unitValue(unit: Map<string, Map<string, string[]>>, section: string, key: string): string | undefined {
  const values = unit.get(section)?.get(key);
  if (values && values.length > 1) throw new Error(`${section}.${key} set ${values.length} times`);
  return values?.[0];
}
