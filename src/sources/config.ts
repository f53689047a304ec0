/**
 * Each source kind's keys in a profile (and in `defaults`): zod fragments the config schema spreads
 * in, so a kind's config lives with the kind. Pure: zod only.
 */
import { z } from 'zod';

export const absolutePath = z.string().regex(/^\//, { message: 'must be an absolute path (start with /)' });

/** The profile keys that list a source kind's targets; each resolves to a list of absolute paths. */
export const SOURCE_KEYS = ['sqlite', 'git'] as const;
export type SourceKey = (typeof SOURCE_KEYS)[number];

/** The source keys of a profile, with their descriptions (they reach the JSON Schema and the starter config). */
export const sourceFields = {
  sqlite: z.array(absolutePath).optional().describe('SQLite databases to hot-copy (absolute paths).'),
  git: z
    .array(absolutePath)
    .optional()
    .describe(
      'Git repositories (bare, a work tree, or a linked worktree), or directories searched for them. Each is captured consistently (refs first, objects hard-linked, checked with git fsck) and archived at its own path; the live one is left out of paths. Work-tree files stay in paths.',
    )
    .meta({ examples: [['/srv/git']] }),
  keep_snapshot: z
    .boolean()
    .optional()
    .describe(
      "Keep each profile's snapshot in staging_dir between runs (default true), so tarsnap skips what did not change; it uses as much disk as the databases. false: a fresh snapshot each run, removed after.",
    )
    .meta({ examples: [true] }),
};
