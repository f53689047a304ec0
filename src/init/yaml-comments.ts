/** Comments in the YAML init writes: wrapped text, comments above keys, examples shown commented out. */
import { Document, isMap, isScalar, isSeq, visit, type YAMLMap } from 'yaml';

/**
 * Given text, returns it wrapped at spaces to lines of at most `width` characters (longer words stay whole);
 * e.g. `wrapComment('aaa bbb ccc', 7)` → `['aaa bbb', 'ccc']`.
 */
export function wrapComment(text: string, width = 90): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Given comment lines, returns them as the yaml package wants them:
 * `asComment(['a', '', 'b'])` → `' a\n\n b'` (printed `# a`, blank, `# b`).
 */
export function asComment(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
}

/**
 * Given a map and a key, adds `lines` to the comment above that key (optionally after a blank line);
 * e.g. `commentKey(root, 'tarsnap', ['How to call tarsnap.'])`.
 */
export function commentKey(map: YAMLMap, key: string, lines: readonly string[], spaceBefore = false): void {
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (!pair || !isScalar(pair.key)) return;
  const existing = pair.key.commentBefore ? `${pair.key.commentBefore}\n` : '';
  pair.key.commentBefore = existing + asComment(lines);
  if (spaceBefore) pair.key.spaceBefore = true;
}

/** Given a document, marks every argv list (hooks, extra_args) to print on one line: `- [sh, -c, systemctl stop x]`. */
export function flowArgvLists(doc: Document): void {
  const flowHooks = (hooks: unknown): void => {
    if (!isMap(hooks)) return;
    for (const pair of hooks.items) {
      if (!isSeq(pair.value)) continue;
      const commands = pair.value.items.every((item) => isSeq(item)) ? pair.value.items : [pair.value];
      for (const command of commands) if (isSeq(command)) command.flow = true;
    }
  };
  const extra = doc.getIn(['tarsnap', 'extra_args'], true);
  if (isSeq(extra)) extra.flow = true;
  flowHooks(doc.getIn(['hooks'], true));
  flowHooks(doc.getIn(['defaults', 'hooks'], true));
  const profiles = doc.getIn(['profiles'], true);
  if (isMap(profiles))
    for (const pair of profiles.items) if (isMap(pair.value)) flowHooks(pair.value.get('hooks', true));
}

/**
 * Given `key` and an example value, returns its YAML lines, lists of words on one line:
 * `exampleLines('retries', 3)` → `['retries: 3']`.
 */
export function exampleLines(key: string, value: unknown): string[] {
  const doc = new Document({ [key]: value });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd().split('\n');
}

/**
 * Given a description, a key and a value, returns comment lines: the wrapped description, then `key: value`;
 * e.g. `commentedExample('Retries.', 'retries', 3)` → `['Retries.', 'retries: 3']`.
 */
export function commentedExample(description: string, key: string, value: unknown): string[] {
  return [...wrapComment(description), ...exampleLines(key, value)];
}
