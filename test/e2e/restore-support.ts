/** Helpers for the restore and verify e2e tests: a live writer, and damage done to a stored archive. */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listStoredArchives } from '../../fixtures/tarsnap-emulator/lib/inspect.js';
import { FIXTURES, type World } from './harness.js';

/** Given a database, starts the fixture writer; resolves once it has committed, with a stop function. */
export async function startWriter(db: string): Promise<{ stop: () => Promise<void> }> {
  const writer: ResultPromise = execa('node', [join(FIXTURES, 'sqlite/writer.js'), '--db', db, '--interval-ms', '3'], {
    reject: false,
  });
  await new Promise<void>((resolve) => {
    writer.stdout!.on('data', (chunk: Buffer) => {
      if (/^c \d+/m.test(chunk.toString())) resolve();
    });
  });
  return {
    async stop() {
      writer.kill('SIGTERM');
      await writer;
    },
  };
}

/**
 * Given a world, a stored archive and a database's live path, flips one byte of that database's
 * data inside the emulator's stored tar (found by content: a 4 KiB window from the middle of the
 * member, which no other member holds). Returns the offset changed in the tar.
 */
export async function flipByteOfDatabase(world: World, archive: string, db: string): Promise<number> {
  const stored = listStoredArchives(world.emulatorDir).find((entry) => entry.name === archive);
  if (!stored) throw new Error(`the emulator stores no archive ${archive}`);
  const scratch = mkdtempSync(join(world.dir, 'flip-'));
  try {
    const extracted = await world.tarsnap([
      '-x',
      '--keyfile',
      world.keyfile,
      '-f',
      archive,
      '-C',
      scratch,
      db.slice(1),
    ]);
    if (extracted.exitCode !== 0) throw new Error(`cannot extract ${db} from ${archive}: ${String(extracted.stderr)}`);
    const member = readFileSync(join(scratch, db));
    const middle = Math.floor(member.length / 2);
    const window = member.subarray(middle, middle + 4096);
    const tar = readFileSync(stored.tarPath);
    const at = tar.indexOf(window);
    if (at < 0 || tar.indexOf(window, at + 1) >= 0)
      throw new Error(`cannot locate ${db}'s data uniquely in ${stored.tarPath}`);
    tar[at + 100] = tar[at + 100]! ^ 0x20;
    writeFileSync(stored.tarPath, tar);
    return at + 100;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
