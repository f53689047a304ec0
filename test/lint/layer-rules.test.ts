/**
 * The layer rules in eslint.config.js: each fires on the import or call it forbids, in the folder it
 * guards, and says which rule was broken; the same code elsewhere, or allowed code, is clean.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** Given source text and where it would live, returns the layer-rule messages ESLint reports. */
async function layerMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.message).filter((text) => text.includes('Layer rule'));
}

const cases: { file: string; code: string; rule: RegExp }[] = [
  {
    file: 'src/core/x.ts',
    code: "import { run } from '../adapters/tarsnap.js';\nrun;\n",
    rule: /src\/core imports only/,
  },
  { file: 'src/core/x.ts', code: "import { a } from '../config/schema.js';\na;\n", rule: /src\/core imports only/ },
  { file: 'src/core/x.ts', code: "import { a } from '../../test/x.js';\na;\n", rule: /src\/core imports only/ },
  { file: 'src/core/x.ts', code: "import { readFileSync } from 'node:fs';\nreadFileSync;\n", rule: /does no I\/O/ },
  { file: 'src/core/x.ts', code: "import { execa } from 'node:child_process';\nexeca;\n", rule: /does no I\/O/ },
  { file: 'src/core/x.ts', code: 'export const a = process.env.HOME;\n', rule: /does no I\/O/ },
  { file: 'src/core/x.ts', code: 'export const a = Date.now();\n', rule: /no Date\.now\(\)/ },
  { file: 'src/core/x.ts', code: 'export const a = new Date();\n', rule: /argument-less new Date\(\)/ },
  { file: 'src/init/x.ts', code: "import { a } from '../adapters/state.js';\na;\n", rule: /src\/init/ },
  { file: 'src/init/x.ts', code: "import { a } from 'node:fs/promises';\na;\n", rule: /src\/init/ },
  {
    file: 'src/adapters/x.ts',
    code: "import type { A } from '../pipeline.js';\nexport type B = A;\n",
    rule: /adapters never/,
  },
  {
    file: 'src/adapters/sqlite/x.ts',
    code: "import { a } from '../../commands/run.js';\na;\n",
    rule: /adapters never/,
  },
  { file: 'src/adapters/x.ts', code: "import { a } from '../cli/actions.js';\na;\n", rule: /adapters never/ },
  { file: 'src/config/x.ts', code: "import { a } from '../adapters/staging.js';\na;\n", rule: /src\/config never/ },
  { file: 'src/config/x.ts', code: "import { a } from '../commands/common.js';\na;\n", rule: /src\/config never/ },
  { file: 'src/commands/run.ts', code: "import { a } from './prune.js';\na;\n", rule: /never imports another command/ },
  {
    file: 'src/sources/git/x.ts',
    code: "import { a } from '../../workflows/backup.js';\na;\n",
    rule: /src\/sources never/,
  },
  { file: 'src/config/x.ts', code: "import { a } from '../sources/git/source.js';\na;\n", rule: /src\/config never/ },
];

describe('layer rules', () => {
  it.each(cases)('$file: $code is refused', async ({ file, code, rule }) => {
    const messages = await layerMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(rule);
  });

  const allowed: { file: string; code: string }[] = [
    {
      file: 'src/core/x.ts',
      code: "import { a } from './archives.js';\nimport { UserError } from '../errors.js';\n[a, UserError];\n",
    },
    { file: 'src/core/x.ts', code: "import { posix } from 'node:path';\nexport const a = new Date(0) && posix;\n" },
    {
      file: 'src/init/x.ts',
      code: "import { a } from '../core/x.js';\nimport { b } from '../config/schema.js';\n[a, b];\n",
    },
    {
      file: 'src/adapters/x.ts',
      code: "import { readFileSync } from 'node:fs';\nimport { a } from '../core/x.js';\n[readFileSync, a];\n",
    },
    {
      file: 'src/commands/run.ts',
      code: "import { a } from './common.js';\nimport { b } from '../workflows/prune.js';\n[a, b];\n",
    },
    { file: 'src/config/x.ts', code: "import { a } from '../sources/config.js';\na;\n" },
    {
      file: 'src/commands/x.ts',
      code: "import { a } from '../adapters/x.js';\nexport const b = [a, Date.now(), process.pid];\n",
    },
  ];
  it.each(allowed)('$file: $code is allowed', async ({ file, code }) => {
    expect(await layerMessages(file, code)).toEqual([]);
  });
});
