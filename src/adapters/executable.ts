/**
 * Finding a program the way execve's PATH search does (execa runs hooks and tarsnap without a
 * shell, so "resolvable" means: an executable file at the path given, or in a PATH directory).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export type ProgramLookup =
  | { found: true; path: string; relative: boolean }
  | { found: false; reason: 'not-found' | 'not-executable' | 'not-a-file'; path?: string; searched: string[] };

function probe(candidate: string): 'ok' | 'missing' | 'not-a-file' | 'not-executable' {
  try {
    if (!statSync(candidate).isFile()) return 'not-a-file';
  } catch {
    return 'missing';
  }
  try {
    // access(2) with X_OK: root passes it only when some execute bit is set, as execve requires.
    accessSync(candidate, constants.X_OK);
    return 'ok';
  } catch {
    return 'not-executable';
  }
}

/**
 * Given a program (a name, or a path containing "/"), returns where it resolves or why not.
 * Example: findProgram('sh') → {found:true, path:'/usr/bin/sh', relative:false}.
 */
export function findProgram(
  program: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ProgramLookup {
  if (program.includes('/')) {
    const path = resolve(cwd, program);
    const state = probe(path);
    if (state === 'ok') return { found: true, path, relative: !isAbsolute(program) };
    return { found: false, reason: state === 'missing' ? 'not-found' : state, path, searched: [] };
  }
  const searched = (env.PATH ?? '').split(delimiter).map((dir) => dir || '.');
  let blocked: { reason: 'not-executable' | 'not-a-file'; path: string } | undefined;
  for (const dir of searched) {
    const path = resolve(cwd, join(dir, program));
    const state = probe(path);
    if (state === 'ok') return { found: true, path, relative: false };
    if (state !== 'missing') blocked ??= { reason: state, path };
  }
  return blocked ? { found: false, ...blocked, searched } : { found: false, reason: 'not-found', searched };
}
