/**
 * The package `npm pack` makes is a CLI that installs without build tools: dist/ (built by
 * `prepack`), bin and schema are in it and the sources, tests and fixtures are not; the bundle
 * imports nothing but Node's built-ins and better-sqlite3. With HOTSNAP_SLOW=1 it is also packed,
 * installed with `npm install -g --prefix TMP` (minutes: better-sqlite3 may compile) and run.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../adapters/sqlite/support.js';
import { makeCheckSetup } from '../commands/check-setup.js';

interface PackageJson {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  engines: { node: string };
  bin: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

describe('npm pack', () => {
  it('prepack builds dist/ (type check + bundle); no prepare script', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    // npm lists a tarball's prepare among the install scripts "not yet covered by allowScripts" although
    // it never runs there, and `npm install -g git+URL` cannot build with it anyway (npm/cli#8440).
    expect(pkg.scripts.prepare).toBeUndefined();
  });

  it('packs dist/cli.js, bin, the schema and the docs; no src, test, fixtures, bench or scripts', async () => {
    // --ignore-scripts: the tests run on the dist/ the suite built; prepack would rebuild it under them.
    const result = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const [packed] = JSON.parse(result.stdout) as [{ files: { path: string }[] }];
    const files = packed.files.map((file) => file.path);
    for (const expected of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/hotsnap.js',
      'dist/cli.js',
      'schema/hotsnap.schema.json',
    ])
      expect(files).toContain(expected);
    expect(files.filter((file) => /^(src|test|fixtures|bench|scripts|node_modules|\.ci)\//.test(file))).toEqual([]);
    expect(Object.values(pkg.bin)).toEqual(['bin/hotsnap.js']);
  });

  it('the bundle imports only Node built-ins and better-sqlite3 (a production dependency)', () => {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const specifiers = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'dist')).filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(join(ROOT, 'dist', file), 'utf8');
      // A bare specifier: a package or built-in name (no spaces), in matching quotes.
      for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(["'])([@a-z0-9][^"'\s]*)\1/g))
        specifiers.add(match[2]!);
    }
    const foreign = [...specifiers].filter((name) => !builtins.has(name));
    expect(foreign).toEqual(['better-sqlite3']);
    expect(pkg.dependencies['better-sqlite3']).toMatch(/^\^12\./);
  });
});

const slow = process.env.HOTSNAP_SLOW === '1' || process.env.HOTSNAP_STRESS === '1';

describe.skipIf(!slow)('npm install -g of the packed tarball (HOTSNAP_SLOW=1)', () => {
  it('installs with production dependencies only and runs --version and check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotsnap-pack-'));
    const setup = await makeCheckSetup();
    try {
      // A clean clone, so the package is made from what Git holds, as on a server.
      await execa('git', ['clone', '--quiet', ROOT, join(dir, 'clone')]);
      await execa('npm', ['ci', '--no-audit', '--no-fund'], { cwd: join(dir, 'clone') });
      await execa('npm', ['pack', '--pack-destination', dir], { cwd: join(dir, 'clone') });
      const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))!;
      const prefix = join(dir, 'global');
      // As the README says: the project's allowScripts does not apply to a global install, the flag does.
      const install = await execa('npm', [
        'install',
        '-g',
        '--allow-scripts=better-sqlite3',
        '--no-audit',
        '--no-fund',
        '--prefix',
        prefix,
        join(dir, tarball),
      ]);
      expect(install.stderr).not.toContain('not yet covered by allowScripts');
      const installed = join(prefix, 'lib/node_modules/hotsnap');
      for (const dev of ['typescript', 'vitest', 'esbuild', 'tsx'])
        expect(existsSync(join(installed, 'node_modules', dev))).toBe(false);
      const bin = join(prefix, 'bin/hotsnap');
      expect((await execa(bin, ['--version'])).stdout.trim()).toBe(
        (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      );
      const check = await execa(bin, ['check', '--config', setup.writeConfig()], { env: setup.env, reject: false });
      expect(check.exitCode).toBe(0);
      expect(check.stdout).toMatch(/^ok +sqlite_library: SQLite 3\.\d+\.\d+ \(better-sqlite3 12\.\d+\.\d+\)$/m);
      expect(check.stdout).toMatch(/^ok +server: tarsnap server reached with .*: 0 archives$/m);
    } finally {
      setup.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);
});
