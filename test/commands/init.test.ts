import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { initCommand, defaultConfigPath, type InitDeps } from '../../src/commands/init.js';
import { findGitRepositories, GIT_SEARCH_LIMITS, gitSearchRoots } from '../../src/commands/init-git.js';
import { parseConfig } from '../../src/config/load.js';
import type { MachineDefaults } from '../../src/config/resolve.js';
import { ExitCode } from '../../src/errors.js';
import { renderStarterConfig } from '../../src/init/starter-config.js';
import { planTarsnapSection } from '../../src/init/tarsnap-section.js';
import { createLogger } from '../../src/log.js';
import { git, makeWorkTree } from '../sources/git/support.js';
import { usageError } from '../support/usage-error.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/tarsnapper');
const MACHINE: MachineDefaults = { hostname: 'web1', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap' };

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** A private home with a ~/.tarsnaprc, and deps that never look outside it (nor at /etc, nor for repositories). */
function world(rc = 'keyfile ~/tarsnap.key\ncachedir ~/.cache/tarsnap\ncheckpoint-bytes 1G\nprint-stats\n') {
  const home = mkdtempSync(join(tmpdir(), 'hotsnap-init-'));
  dirs.push(home);
  if (rc !== '') writeFileSync(join(home, '.tarsnaprc'), rc);
  const logged: Array<{ level: number; msg: string }> = [];
  const logger = createLogger({
    format: 'json',
    level: 'info',
    destination: { write: (line: string) => logged.push(JSON.parse(line)) } as unknown as NodeJS.WritableStream,
  });
  const deps: Partial<InitDeps> = {
    logger,
    home,
    isRoot: false,
    env: {},
    machine: MACHINE,
    tarsnapConfFiles: [join(home, '.tarsnaprc')],
    gitSearchRoots: [],
  };
  return { home, deps, logged, warnings: () => logged.filter((line) => line.level === 40).map((line) => line.msg) };
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('init: starter config', () => {
  it('writes ~/.config/hotsnap/hotsnap.yaml (0600) for a non-root user, with keyfile and cachedir from ~/.tarsnaprc', async () => {
    const { home, deps, warnings } = world();
    const result = await initCommand({}, deps);
    const file = join(home, '.config/hotsnap/hotsnap.yaml');
    expect(result.file).toBe(file);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(modeOf(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(result.text);
    const config = parseConfig(result.text, file, MACHINE);
    expect(config.tarsnap).toMatchObject({
      keyfile: join(home, 'tarsnap.key'),
      cachedir: join(home, '.cache/tarsnap'),
      extra_args: ['--checkpoint-bytes', '1G'],
    });
    expect(result.stdout).toContain(
      `wrote ${file} (mode 0600)\nnext:\n  1. edit it: the paths, databases and retention`,
    );
    expect(result.stdout).toMatch(
      / {2}2\. hotsnap( --config \S+)? check\n {2}3\. hotsnap( --config \S+)? run --dry-run\n {2}4\. hotsnap( --config \S+)? prune --dry-run {3}\(what the first run's prune will delete; if it is refused, run the prune it names once\)\n {2}5\. hotsnap( --config \S+)? schedule\n$/,
    );
    // Notes (here: the option hotsnap can't pass) go to the logger as warnings, i.e. stderr.
    expect(warnings()).toEqual([
      `${join(home, '.tarsnaprc')}: "print-stats" not carried over (not allowed: hotsnap adds it when it needs the numbers)`,
    ]);
    expect(result.notes).toEqual(warnings());
  });

  it('as root the default is /etc/hotsnap/hotsnap.yaml', () => {
    expect(defaultConfigPath(true, '/root')).toBe('/etc/hotsnap/hotsnap.yaml');
    expect(defaultConfigPath(false, '/home/a')).toBe('/home/a/.config/hotsnap/hotsnap.yaml');
  });

  it('refuses to overwrite without --force, leaving the file and no temp file; --force replaces it, still 0600', async () => {
    const { home, deps, warnings } = world();
    const file = join(home, 'conf', 'hotsnap.yaml');
    mkdirSync(join(home, 'conf'));
    writeFileSync(file, 'mine\n');
    chmodSync(file, 0o644);
    expect(await usageError(initCommand({ output: file }, deps))).toBe(
      `${file} already exists; pass --force to replace it, or --output FILE to write elsewhere`,
    );
    // Refused first: no warning about a file it never wrote (the .tarsnaprc note comes only with --force).
    expect(warnings()).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(readdirSync(join(home, 'conf'))).toEqual(['hotsnap.yaml']);
    const result = await initCommand({ output: file, force: true }, deps);
    expect(readFileSync(file, 'utf8')).toBe(result.text);
    expect(modeOf(file)).toBe(0o600);
    expect(readdirSync(join(home, 'conf'))).toEqual(['hotsnap.yaml']);
  });

  it('--output - prints the YAML and writes nothing', async () => {
    const { home, deps, warnings } = world('');
    const result = await initCommand({ output: '-' }, deps);
    expect(result.file).toBe('-');
    expect(result.stdout).toBe(result.text);
    expect(parse(result.text).tarsnap).toEqual({ keyfile: '/root/tarsnap.key', cachedir: '/usr/local/tarsnap-cache' });
    expect(warnings()).toHaveLength(2);
    expect(warnings()[0]).toMatch(
      /^tarsnap.keyfile: no "keyfile" line in .*\.tarsnaprc; the file has the placeholder \/root\/tarsnap.key/,
    );
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it('without --output: --config, then $HOTSNAP_CONFIG, name the file; the next steps then need no --config only when hotsnap finds it', async () => {
    const { home, deps } = world();
    const viaFlag = join(home, 'a', 'b', 'flag.yaml');
    const flagged = await initCommand({}, { ...deps, configFlag: viaFlag });
    expect(flagged.file).toBe(viaFlag);
    expect(modeOf(join(home, 'a', 'b'))).toBe(0o700);
    expect(flagged.stdout).toContain(`  2. hotsnap --config ${viaFlag} check\n`);
    const viaEnv = join(home, 'env.yaml');
    const env = await initCommand({}, { ...deps, env: { HOTSNAP_CONFIG: viaEnv } });
    expect(env.file).toBe(viaEnv);
    expect(env.stdout).toContain('  2. hotsnap check\n');
  });

  it('refuses a directory as the output', async () => {
    const { home, deps } = world();
    expect(await usageError(initCommand({ output: home }, deps))).toBe(`${home} is a directory; pass --output FILE`);
  });
});

describe('init --from-tarsnapper', () => {
  it('converts, reading include-jobs relative to the tarsnapper file (hidden and non-matching files skipped); notes on stderr and atop the file', async () => {
    const { home, deps, warnings } = world();
    const file = join(home, 'hotsnap.yaml');
    const result = await initCommand({ fromTarsnapper: join(FIXTURES, 'with-includes.yml'), output: file }, deps);
    const config = parseConfig(readFileSync(file, 'utf8'), file, MACHINE);
    expect(config.profiles.map((profile) => profile.name)).toEqual(['system', 'postgres-dumps', 'uploads']);
    expect(config.tarsnap.keyfile).toBe(join(home, 'tarsnap.key'));
    expect(warnings()).toEqual(result.notes);
    expect(warnings()[0]).toBe(
      `include-jobs "jobs.d/*.yml" is relative; read from ${join(FIXTURES, 'jobs.d')} (the tarsnapper config's directory)`,
    );
    expect(warnings()).toContain(
      `${join(home, '.tarsnaprc')}: "print-stats" not carried over (not allowed: hotsnap adds it when it needs the numbers)`,
    );
    expect(result.text).toContain(
      `# hotsnap configuration converted from the tarsnapper config ${join(FIXTURES, 'with-includes.yml')}\n`,
    );
    expect(result.text).toContain('#   - include-jobs "jobs.d/*.yml" is relative;');
    expect(result.stdout).toContain(
      `  1. review it: the ${result.notes.length} notes at its top say what was not converted\n`,
    );
  });

  it('include-jobs: an absolute pattern, one that matches nothing, one with wildcards in directories', async () => {
    const { home, deps } = world();
    cpSync(join(FIXTURES, 'jobs.d'), join(home, 'jobs'), { recursive: true });
    const write = (name: string, include: string) => {
      writeFileSync(join(home, name), `target: $name-$date\ninclude-jobs: ${include}\njobs:\n  etc: {source: /etc}\n`);
      return join(home, name);
    };
    const absolute = await initCommand(
      { fromTarsnapper: write('a.yml', join(home, 'jobs', '[12]0-*.yml')), output: '-' },
      deps,
    );
    expect(Object.keys(parse(absolute.text).profiles)).toEqual(['etc', 'postgres-dumps', 'uploads']);
    const none = await initCommand(
      { fromTarsnapper: write('b.yml', join(home, 'nowhere', '*.yml')), output: '-' },
      deps,
    );
    expect(none.notes).toContain(`include-jobs "${join(home, 'nowhere', '*.yml')}" matches no file; no jobs included`);
    const deep = await initCommand({ fromTarsnapper: write('c.yml', join(home, '*', '*.yml')), output: '-' }, deps);
    expect(deep.notes).toContain(
      `include-jobs "${join(home, '*', '*.yml')}" has wildcards in its directories; those job files were not read: convert them separately`,
    );
  });

  it('a tarsnapper file that is an alias bomb is a usage error, not a crash', async () => {
    const { home, deps } = world();
    const names = 'abcdefghi';
    const lines = [`${names[0]}: &${names[0]} [${Array(9).fill('"lol"').join(', ')}]`];
    for (let level = 1; level < names.length; level++)
      lines.push(
        `${names[level]}: &${names[level]} [${Array(9)
          .fill(`*${names[level - 1]}`)
          .join(', ')}]`,
      );
    writeFileSync(join(home, 'bomb.yml'), `${lines.join('\n')}\n`);
    await expect(initCommand({ fromTarsnapper: join(home, 'bomb.yml'), output: '-' }, deps)).rejects.toThrow(
      expect.objectContaining({
        name: 'UsageError',
        message: expect.stringMatching(/bomb\.yml: YAML aliases \(\*name\) expand too much/),
      }),
    );
  });

  it('reads the file as PyYAML does (YAML 1.1: yes is true)', async () => {
    const { home, deps } = world();
    writeFileSync(
      join(home, 't.yml'),
      'target: $name-$date\njobs:\n  a: {source: /a, force: yes}\n  b: {source: /b, force: no}\n',
    );
    const result = await initCommand({ fromTarsnapper: join(home, 't.yml'), output: '-' }, deps);
    expect(result.notes).toContain(
      'job "a": force: dropped; hotsnap never skips a profile whose sources are missing or empty',
    );
    expect(result.notes.filter((note) => note.includes('force: dropped'))).toHaveLength(1);
  });

  it('refuses a file tarsnapper refuses, listing every problem; writes nothing', async () => {
    const { home, deps } = world();
    const output = join(home, 'out.yaml');
    const message = await usageError(initCommand({ fromTarsnapper: join(FIXTURES, 'refused.yml'), output }, deps));
    expect(message).toBe(
      [
        `cannot convert the tarsnapper config ${join(FIXTURES, 'refused.yml')}:`,
        '  - jobs.both: use either "source" or "sources", not both',
        '  - jobs.undefined-delta: named delta "critical" is not defined under delta-names',
        '  - jobs.no-date: target "opt-$name" must use the $date placeholder',
        '  - jobs.typo: unsupported "exlcude" (a job has source, sources, alias, aliases, exclude, excludes, delta, deltas, target, force, dateformat, exec_before, exec_after)',
      ].join('\n'),
    );
    expect(existsSync(output)).toBe(false);
  });

  it('a missing file, a YAML syntax error: usage errors that say which file', async () => {
    const { home, deps } = world();
    expect(await usageError(initCommand({ fromTarsnapper: join(home, 'nope.yml'), output: '-' }, deps))).toBe(
      `cannot read tarsnapper config ${join(home, 'nope.yml')}: it does not exist`,
    );
    writeFileSync(join(home, 'bad.yml'), 'jobs:\n  a: [unclosed\n');
    expect(await usageError(initCommand({ fromTarsnapper: join(home, 'bad.yml'), output: '-' }, deps))).toMatch(
      new RegExp(`^${join(home, 'bad.yml')} is not valid YAML: `),
    );
  });
});

describe('init: Git repositories', () => {
  /**
   * A machine under `root`: a bare repository in srv/git, a work tree in home/a (with a nested clone and a linked
   * worktree of its own), and what is never suggested: a repository in a hidden directory, one reached only through
   * a symlink, one too deep, a broken `.git` file.
   */
  async function machine() {
    const root = mkdtempSync(join(tmpdir(), 'hotsnap-init-git-'));
    dirs.push(root);
    const bare = join(root, 'srv/git/app.git');
    mkdirSync(join(root, 'srv/git'), { recursive: true });
    await git(root, 'init', '-q', '--bare', bare);
    const work = await makeWorkTree(join(root, 'home/a/proj'), 1);
    await makeWorkTree(join(work, 'vendor/lib'), 1);
    await git(work, 'worktree', 'add', '-q', join(root, 'home/a/proj-wt'));
    await git(root, 'init', '-q', '--bare', join(root, 'home/a/.cache/tool.git'));
    await git(root, 'init', '-q', '--bare', join(root, 'outside/linked.git'));
    symlinkSync(join(root, 'outside/linked.git'), join(root, 'home/a/linked.git'));
    symlinkSync(join(root, 'home'), join(root, 'home/a/loop'));
    await git(root, 'init', '-q', '--bare', join(root, 'srv/1/2/3/4/5/deep.git'));
    mkdirSync(join(root, 'srv/broken'));
    writeFileSync(join(root, 'srv/broken/.git'), 'gitdir: /nonexistent\n');
    return { root, bare, work, roots: [join(root, 'srv'), join(root, 'home'), join(root, 'home/a')] };
  }

  it('suggests the bare repository and the work tree under daily git:, with the comment; the config validates', async () => {
    const { deps, warnings } = world();
    const { bare, work, roots } = await machine();
    const result = await initCommand({ output: '-' }, { ...deps, gitSearchRoots: roots });
    expect(parse(result.text).profiles.daily.git).toEqual([work, bare].sort());
    expect(parseConfig(result.text, 'hotsnap.yaml', MACHINE).profiles[0]?.git).toEqual([work, bare].sort());
    expect(result.text.replace(/\n\s*# /g, ' ')).toContain(
      "Work-tree files stay in paths. Found on this machine by hotsnap init: to archive a work tree's files too, add its directory to paths.\n    git:\n",
    );
    // The key is active, so its commented example is gone; the weekly profile is untouched.
    expect(result.text).not.toContain('# git:');
    expect(parse(result.text).profiles.weekly.git).toBeUndefined();
    expect(warnings()).toHaveLength(1); // the .tarsnaprc note only: no limit was reached
    const written = await initCommand({}, { ...deps, gitSearchRoots: roots });
    expect(written.stdout).toContain('1. edit it: the paths, databases, Git repositories and retention');
  });

  it('no repository found: the starter config is byte for byte the one without a search', async () => {
    const { home, deps } = world();
    mkdirSync(join(home, 'empty/deeper'), { recursive: true });
    const searched = await initCommand({ output: '-' }, { ...deps, gitSearchRoots: [join(home, 'empty'), '/nope'] });
    const plain = await initCommand({ output: '-' }, deps);
    expect(searched.text).toBe(plain.text);
    const tarsnap = planTarsnapSection({ files: [join(home, '.tarsnaprc')], options: [] });
    expect(renderStarterConfig({ ...MACHINE, tarsnap, git: [] })).toBe(renderStarterConfig({ ...MACHINE, tarsnap }));
    expect(plain.text).toContain('# git: [/srv/git]');
  });

  it('--from-tarsnapper does not search', async () => {
    const { deps } = world();
    const { roots } = await machine();
    const result = await initCommand(
      { fromTarsnapper: join(FIXTURES, 'ghost-blog.yml'), output: '-' },
      { ...deps, gitSearchRoots: roots },
    );
    expect(result.text).not.toMatch(/^\s*git:/m);
  });

  it('the search is bounded: depth, directories read, repositories kept; each limit reached is a note', async () => {
    const { root, bare, work, roots } = await machine();
    const paths = (limits: Partial<typeof GIT_SEARCH_LIMITS>) => {
      const found = findGitRepositories(roots, { ...GIT_SEARCH_LIMITS, ...limits });
      return { paths: found.repositories.map((repository) => repository.path), notes: found.notes };
    };
    expect(paths({})).toEqual({ paths: [work, bare].sort(), notes: [] });
    expect(paths({ maxDepth: 6 }).paths).toContain(join(root, 'srv/1/2/3/4/5/deep.git'));
    expect(paths({ maxDepth: 1 })).toEqual({ paths: [], notes: [] });
    const few = paths({ maxDirectories: 1 });
    expect(few.paths).toEqual([]);
    expect(few.notes).toEqual([expect.stringMatching(/^stopped searching for Git repositories after 1 directories/)]);
    const one = paths({ maxRepositories: 1, maxDepth: 6 });
    expect(one.paths).toHaveLength(1);
    expect(one.notes).toEqual([
      expect.stringMatching(/^stopped searching after 1 Git repositories; .* name their parent/),
    ]);
  });

  it('a root that is a repository is suggested itself; a root named twice or inside another is searched once', async () => {
    const { bare, work, roots } = await machine();
    const paths = (roots: string[]) => findGitRepositories(roots).repositories.map((repository) => repository.path);
    expect(paths([bare, work])).toEqual([work, bare].sort());
    expect(paths([...roots, ...roots, bare])).toEqual([work, bare].sort());
  });

  it('HOTSNAP_TEST_INIT_SEARCH replaces the roots (empty: none); else /srv, /var/www, /var/lib/git*, /home and home', () => {
    expect(gitSearchRoots({ HOTSNAP_TEST_INIT_SEARCH: '/a::/b' }, '/root')).toEqual(['/a', '/b']);
    expect(gitSearchRoots({ HOTSNAP_TEST_INIT_SEARCH: '' }, '/root')).toEqual([]);
    const defaults = gitSearchRoots({}, '/root');
    expect(defaults.slice(0, 2)).toEqual(['/srv', '/var/www']);
    expect(defaults.slice(-2)).toEqual(['/home', '/root']);
    expect(defaults.slice(2, -2).every((root) => root.startsWith('/var/lib/git'))).toBe(true);
  });
});
