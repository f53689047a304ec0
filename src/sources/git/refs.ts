/**
 * Reading refs the way git does, from files: loose refs under `refs/` win over `packed-refs`.
 * Used on the staged copy (its ref count, where HEAD points) and to tell whether the live refs
 * moved between two attempts. Never runs git.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSkippedName } from './layout.js';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone (deleted or packed since it was listed) or not a file
  }
}

function readLoose(dir: string, prefix: string, refs: Map<string, string>): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (isSkippedName(entry.name)) continue;
    const name = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) readLoose(join(dir, entry.name), name, refs);
    else {
      const value = readText(join(dir, entry.name))?.trim();
      if (value) refs.set(name, value);
    }
  }
}

/** Given `packed-refs` text, returns its refs (name → hash), peeled lines left out. */
export function parsePackedRefs(text: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{40,64}) (\S+)$/.exec(line);
    if (match) refs.set(match[2]!, match[1]!);
  }
  return refs;
}

/**
 * Given a git dir, returns its refs under `refs/` (name → hash, or "ref: target" for a symbolic
 * ref): loose first, then packed-refs for the names not loose. Example: → Map {'refs/heads/main' → '3f…'}.
 */
export function readRefs(gitDir: string): Map<string, string> {
  const refs = new Map<string, string>();
  readLoose(join(gitDir, 'refs'), 'refs', refs);
  for (const [name, hash] of parsePackedRefs(readText(join(gitDir, 'packed-refs')) ?? '')) {
    if (!refs.has(name)) refs.set(name, hash);
  }
  return refs;
}

/**
 * Given a HEAD file and the refs, returns the commit it resolves to, the symbolic target when that
 * is unborn, or null without a HEAD. Example: 'ref: refs/heads/main' with main → 3f… gives '3f…'.
 */
export function resolveHead(headFile: string, refs: ReadonlyMap<string, string>): string | null {
  let value = readText(headFile)?.trim();
  if (!value) return null;
  let target: string | undefined;
  for (let depth = 0; depth < 5 && value?.startsWith('ref:'); depth++) {
    target = value.slice(4).trim();
    value = refs.get(target);
  }
  return value && !value.startsWith('ref:') ? value : (target ?? null);
}

/** Given a git dir, returns a digest of its refs and HEAD: equal digests mean the refs did not move. */
export function refsDigest(gitDir: string): string {
  const refs = [...readRefs(gitDir)].sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify([readText(join(gitDir, 'HEAD')) ?? '', refs]))
    .digest('hex');
}
