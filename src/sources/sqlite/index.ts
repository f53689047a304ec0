/**
 * The SQLite source: each configured database is hot-copied (adapters/sqlite/hot-copy.ts: under a
 * pin or lock SQLite guarantees, then verified) to its own path in the stage. In a kept stage the
 * copy carries the live file's mtime and replaces the kept one only when its bytes differ.
 */
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { liveDatabaseExcludes } from '../../core/paths.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { hotCopy } from '../../adapters/sqlite/hot-copy.js';
import { setModified } from '../../adapters/stage-area.js';
import type { Source } from '../types.js';

/** Given a database path, returns the excludes for its real path when a symlink leads there. */
function realPathExcludes(source: string): string[] {
  try {
    const real = realpathSync(source);
    return real === source ? [] : liveDatabaseExcludes(real);
  } catch {
    return [];
  }
}

/** Given a live database, returns when its data last changed (the later of the file and its WAL). */
function lastModified(source: string): Date | undefined {
  try {
    const main = statSync(source).mtimeMs;
    let wal = 0;
    try {
      wal = statSync(`${source}-wal`).mtimeMs;
    } catch {
      // No WAL: the main file is all there is.
    }
    return new Date(Math.max(main, wal));
  } catch {
    return undefined;
  }
}

export const sqliteSource: Source<{ source: string }, ManifestEntry> = {
  kind: 'sqlite',
  noun: 'database',
  nouns: 'databases',
  log: { key: 'db', staged: 'hot-copied database', failed: 'cannot hot-copy database' },
  section: 'databases',
  async targets(profile) {
    return { targets: profile.sqlite.map((source) => ({ source })), failed: [] };
  },
  async stage({ source }, { profile, area, logger, progress }) {
    const scratch = area.scratchFor(source);
    mkdirSync(dirname(scratch), { recursive: true, mode: 0o700 });
    const entry = await hotCopy(source, scratch, {
      method: profile.hot_copy.method,
      verify: profile.hot_copy.verify,
      busyTimeoutMs: profile.hot_copy.busy_timeout_ms,
      copyTimeoutMs: profile.hot_copy.copy_timeout_ms,
      durable: false,
      logger,
      progress,
    });
    // A copy dated in the second tarsnap starts is never fresh in its cache: date it by its data, and
    // at least 2 s before the copy began. Safe for the cache whatever the date: a kept file is never
    // changed in place, only replaced (a new inode) when its bytes differ.
    const modified = area.kept ? lastModified(source) : undefined;
    if (modified) {
      const pinned = Date.parse(entry.copied_at ?? '') - 2000;
      setModified(scratch, new Date(Number.isNaN(pinned) ? modified.getTime() : Math.min(modified.getTime(), pinned)));
    }
    const settled = await area.settleFile(source, scratch, entry.sha256);
    return {
      entry,
      stagedPath: source,
      settled,
      log: {
        db: source,
        method: entry.method,
        bytes: entry.size,
        copy_ms: Math.round(entry.copy_ms),
        verify_ms: Math.round(entry.verify_ms),
        writer_block_ms: Math.round(entry.writer_block_ms),
        ...(area.kept ? { kept: settled } : {}),
      },
    };
  },
  stagedExcludes: (source) => liveDatabaseExcludes(source),
  unstagedExcludes: ({ source }) => liveDatabaseExcludes(source),
  extraExcludes: (profile) => profile.sqlite.flatMap(realPathExcludes),
  sandboxReadPaths: (profile) => profile.sqlite,
};
