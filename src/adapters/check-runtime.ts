/**
 * `hotsnap check` probes of the runtime: which Node.js runs hotsnap, and which SQLite it copies
 * databases with (the library better-sqlite3 compiled in). Opens one in-memory database, no file.
 */
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import type { CheckItem } from '../core/check-report.js';

/** The Node.js majors package.json's engines accept (">=20.5.0 <21 || >=22 <27"): better-sqlite3 12's list. */
const SUPPORTED_MAJORS = [20, 22, 23, 24, 25, 26];

/** Given a Node.js version ("20.20.2"), returns whether package.json's engines accept it. */
export function isSupportedNode(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return SUPPORTED_MAJORS.includes(major) && !(major === 20 && minor < 5);
}

/**
 * Given the Node.js version and executable, returns an ok line naming them, or a warning outside the
 * versions hotsnap and better-sqlite3 12 support. Example: ('20.20.2', '/usr/bin/node') →
 * ok "Node.js 20.20.2 (/usr/bin/node)".
 */
export function checkNode(version = process.versions.node, executable = process.execPath): CheckItem {
  const message = `Node.js ${version} (${executable})`;
  if (isSupportedNode(version)) return { check: 'node', status: 'ok', message };
  return {
    check: 'node',
    status: 'warn',
    message: `${message} is not a version hotsnap is tested on (Node.js >=20.5 <21 or 22 to 26, those better-sqlite3 12 supports)`,
    fix: 'install Node.js 20 (20.5 or later) or 22 to 26, then reinstall hotsnap so better-sqlite3 is built for it',
  };
}

/** better-sqlite3's version from its package.json, or "unknown". */
function libraryVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('better-sqlite3/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Given nothing, returns the SQLite version hotsnap copies and checks databases with (`sqlite_version()`)
 * and the better-sqlite3 that carries it; a problem when the native library does not load.
 * Example: ok "SQLite 3.50.4 (better-sqlite3 12.11.1)".
 */
export function checkSqliteLibrary(): CheckItem {
  const library = `better-sqlite3 ${libraryVersion()}`;
  let db: Database.Database | undefined;
  try {
    db = new Database(':memory:');
    const version = db.prepare('SELECT sqlite_version()').pluck().get() as string;
    return { check: 'sqlite_library', status: 'ok', message: `SQLite ${version} (${library})` };
  } catch (error) {
    return {
      check: 'sqlite_library',
      status: 'problem',
      message: `${library} cannot load its native SQLite library under Node.js ${process.versions.node}: ${(error as Error).message.split('\n')[0]}`,
      fix: 'reinstall hotsnap with the Node.js that runs it (npm install -g again), or run npm rebuild better-sqlite3 in its directory',
    };
  } finally {
    db?.close();
  }
}
