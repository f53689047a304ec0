#!/usr/bin/env node
/**
 * Builds dist/ with esbuild: src/cli.ts and everything it imports, bundled into a few ES modules
 * (one chunk per lazily loaded command, so `--help` stays small). Why bundle: Node 20's ES module
 * loader spends ~400 ms resolving and reading the hundreds of files of zod, execa, yaml and
 * date-fns on every `hotsnap run`; a bundle reads a handful (see bench/README.md, CLI overhead).
 * better-sqlite3 stays external: it loads a native addon from its own directory.
 * Type checking is tsc's job (npm run build runs it first).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3'],
  sourcemap: true,
  // Some bundled dependencies are CommonJS and call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __hotsnapCreateRequire } from 'node:module'; const require = __hotsnapCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
