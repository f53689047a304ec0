/**
 * Runs the hot-copy engine in its own process, for tests that need one: permissions (run as
 * `nobody`), signals (killed mid-copy), or a clean process without the test's connections.
 *
 *   node --import tsx test/adapters/sqlite/run-hot-copy.ts \
 *     '{"source":…,"dest":…,"options":{…},"pauseAfterMainCopy":true}'
 *
 * Prints `PAUSED` when pauseAfterMainCopy holds it between the main-file cp and the rest (pin
 * or lock still held), then one JSON line: {ok:true, entry} or {ok:false, reason, message}.
 */
import { hotCopy, type HotCopyOptions } from '../../../src/adapters/sqlite/hot-copy.js';
import { HotCopyError } from '../../../src/adapters/sqlite/errors.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  source: string;
  dest: string;
  options?: HotCopyOptions;
  pauseAfterMainCopy?: boolean;
};
const hooks = args.pauseAfterMainCopy
  ? {
      afterMainCopy: () =>
        new Promise<void>(() => {
          process.stdout.write('PAUSED\n');
          // Keep the process alive until a signal arrives.
          setInterval(() => undefined, 60_000);
        }),
    }
  : {};
try {
  const entry = await hotCopy(args.source, args.dest, args.options ?? {}, { hooks });
  process.stdout.write(`${JSON.stringify({ ok: true, entry })}\n`);
} catch (error) {
  if (!(error instanceof HotCopyError)) throw error;
  process.stdout.write(`${JSON.stringify({ ok: false, reason: error.reason, message: error.message })}\n`);
}
