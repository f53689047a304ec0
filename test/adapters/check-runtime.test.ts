/**
 * `check`'s runtime lines: the Node.js running hotsnap (a warning outside package.json's engines)
 * and the SQLite better-sqlite3 carries, read from the library itself.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkNode, checkSqliteLibrary, isSupportedNode } from '../../src/adapters/check-runtime.js';
import { ROOT } from './sqlite/support.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const library = JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};

describe('checkNode', () => {
  it('the Node.js running the tests: ok, with its version and executable', () => {
    expect(checkNode()).toEqual({
      check: 'node',
      status: 'ok',
      message: `Node.js ${process.versions.node} (${process.execPath})`,
    });
  });

  it.each([
    ['20.4.0', false],
    ['20.5.0', true],
    ['20.20.2', true],
    ['21.7.3', false],
    ['22.0.0', true],
    ['24.11.1', true],
    ['26.3.0', true],
    ['27.0.0', false],
    ['18.20.0', false],
  ])('Node.js %s supported: %s', (version, supported) => {
    expect(isSupportedNode(version)).toBe(supported);
    expect(checkNode(version, '/usr/bin/node').status).toBe(supported ? 'ok' : 'warn');
  });

  it("the engines it mirrors: package.json's, and better-sqlite3 12's majors (20, 22 to 26)", () => {
    expect(pkg.engines.node).toBe('>=20.5.0 <21 || >=22 <27');
    expect(library.engines.node).toBe('20.x || 22.x || 23.x || 24.x || 25.x || 26.x');
  });
});

describe('checkSqliteLibrary', () => {
  it("names SQLite's version as sqlite_version() gives it, and better-sqlite3's", () => {
    const db = new Database(':memory:');
    const version = db.prepare('SELECT sqlite_version()').pluck().get() as string;
    db.close();
    expect(checkSqliteLibrary()).toEqual({
      check: 'sqlite_library',
      status: 'ok',
      message: `SQLite ${version} (better-sqlite3 ${library.version})`,
    });
    expect(version).toMatch(/^3\.\d+\.\d+$/);
  });
});
