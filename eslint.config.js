// Lint rules for the whole tree, and the layer rules that keep src/core pure (README, Development).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const layer = (message) => ({ message: `Layer rule: ${message}` });

const CORE = layer(
  'src/core imports only src/core and src/errors.ts. Core is pure: pass what it needs (time, files, environment) in as arguments from a command or an adapter.',
);
const CORE_IO = layer(
  'src/core does no I/O: no file system, processes, network or OS. Do it in src/adapters and pass the result in.',
);
const INIT = layer(
  'src/init turns what init found into a config file and is pure like core: it imports only src/init, src/core, src/config and src/errors.ts, and does no I/O (src/commands/init.ts reads and writes).',
);
const ADAPTERS = layer(
  'src/adapters never import commands, workflows, the pipeline or the CLI. Adapters are called by them, not the other way round.',
);
const SOURCES = layer(
  'src/sources never import commands, workflows or the CLI: a source kind stages, checks and restores its own targets; workflows loop over sources.',
);
const COMMAND = layer(
  'a command never imports another command: what two commands share (backup, prune, list) lives in src/workflows.',
);
/** The subcommand modules in src/commands (the rest there are helpers they share). */
const COMMANDS = [
  'run',
  'prune',
  'list',
  'restore',
  'verify',
  'check',
  'copy-db',
  'init',
  'schedule',
  'status',
  'config',
];
const CONFIG = layer(
  'src/config never imports adapters, commands, workflows or sources (only their config fragments, src/sources/config.ts). Config is read and validated; side effects live in src/adapters.',
);

/** The clock is an argument in pure code: src/clock.ts is the one place that reads it. */
const NO_CLOCK = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    ...layer(
      'no Date.now() in pure code (src/core, src/init): take `now` as an argument (src/clock.ts reads the clock).',
    ),
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    ...layer(
      'no argument-less new Date() in pure code (src/core, src/init): take `now` as an argument (src/clock.ts reads the clock).',
    ),
  },
];

/** One no-restricted-imports rule from [regex, message] pairs. */
const restrictImports = (...rules) => [
  'error',
  { patterns: rules.map(([regex, { message }]) => ({ regex, message })) },
];

const NO_IO_MODULES =
  '^(node:)?(fs|child_process|process|os|net|http|https|dgram|dns|tls|worker_threads|cluster|readline|tty)(/.*)?$';
const WORKFLOWS = '(^|/)(commands|workflows|cli)/|(^|/)(pipeline|cli)\\.js$';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      // Prettier wraps code at 120 but leaves comments and long strings alone: comments wrap here too;
      // messages stay one string so they can be found with grep.
      'max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
        },
      ],
      // Stripping and refusing control characters (NUL, ESC) in names and logs is deliberate here.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(['^\\.\\./(?!errors\\.js$)', CORE], [NO_IO_MODULES, CORE_IO]),
      'no-restricted-globals': ['error', { name: 'process', ...CORE_IO }],
      'no-restricted-syntax': ['error', ...NO_CLOCK],
    },
  },
  {
    files: ['src/init/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        ['^\\.\\./(?!(core|config)/|errors\\.js$)', INIT],
        [NO_IO_MODULES, INIT],
      ),
      'no-restricted-globals': ['error', { name: 'process', ...INIT }],
      'no-restricted-syntax': ['error', ...NO_CLOCK],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports([WORKFLOWS, ADAPTERS]) },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        ['(^|/)adapters/', CONFIG],
        ['(^|/)sources/(?!config\\.js$)', CONFIG],
        [WORKFLOWS, CONFIG],
      ),
    },
  },
  {
    files: ['src/sources/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports([WORKFLOWS, SOURCES]) },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports([`^\\./(${COMMANDS.join('|')})\\.js$`, COMMAND]) },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
