/**
 * The metrics file is replaced atomically (a reader process polling it never sees a mix or a
 * missing file), is 0644 whatever the umask, leaves no temp file behind on success or failure,
 * and is filled from real state files.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsError, readMetricsInput, updateMetricsFile, writeMetricsFile } from '../../src/adapters/metrics.js';
import { recordRun, updateProfileState } from '../../src/adapters/state.js';
import { parseExposition } from '../core/exposition-validator.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-metrics-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeMetricsFile', () => {
  it('writes mode 0644 even under umask 077, replaces the old file and leaves no temp file', () => {
    const file = join(dir, 'hotsnap.prom');
    writeFileSync(file, 'old\n', { mode: 0o600 });
    const previous = process.umask(0o077);
    try {
      writeMetricsFile(file, 'new\n');
    } finally {
      process.umask(previous);
    }
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['hotsnap.prom']);
  });

  it('a missing directory says to create it or change metrics_file, and leaves nothing', () => {
    const file = join(dir, 'textfile', 'hotsnap.prom');
    expect(() => writeMetricsFile(file, 'x\n')).toThrow(MetricsError);
    expect(() => writeMetricsFile(file, 'x\n')).toThrow(
      `cannot write metrics file ${file}: directory ${join(dir, 'textfile')} does not exist (create it, e.g. node_exporter's --collector.textfile.directory, or change metrics_file)`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failed rename (the target is a directory) removes the temp file', () => {
    const file = join(dir, 'hotsnap.prom');
    // A non-empty directory where the file should be: the rename fails (EISDIR).
    mkdirSync(join(file, 'keep'), { recursive: true });
    expect(() => writeMetricsFile(file, 'x\n')).toThrow(/cannot write metrics file/);
    expect(readdirSync(dir)).toEqual(['hotsnap.prom']);
  });

  it('a reader process polling the file only ever sees a whole version', async () => {
    const file = join(dir, 'hotsnap.prom');
    // Two versions of different sizes, each ending in a marker line, so a torn read shows.
    const small = `${'# small\n'.repeat(10)}end small\n`;
    const large = `${'# large metrics line that is long enough to span pages\n'.repeat(4000)}end large\n`;
    writeMetricsFile(file, small);
    writeFileSync(join(dir, 'a.txt'), small);
    writeFileSync(join(dir, 'b.txt'), large);
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const [file, a, b] = process.argv.slice(1).map((f, i) => (i ? fs.readFileSync(f, 'utf8') : f));
         let bad = 0, reads = 0; const until = Date.now() + 60000;
         process.stdout.write('ready\\n');
         while (!fs.existsSync(file + '.stop') && Date.now() < until) {
           let text; try { text = fs.readFileSync(file, 'utf8'); } catch (e) { bad++; continue; }
           reads++; if (text !== a && text !== b) bad++;
         }
         process.stdout.write(JSON.stringify({ bad, reads }));`,
        file,
        join(dir, 'a.txt'),
        join(dir, 'b.txt'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    const ready = new Promise<void>((resolve) =>
      reader.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.startsWith('ready\n')) resolve();
      }),
    );
    const done = new Promise<void>((resolve) => reader.on('exit', () => resolve()));
    await ready;
    for (let i = 0; i < 400; i++) {
      writeMetricsFile(file, i % 2 === 0 ? large : small);
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    writeFileSync(`${file}.stop`, '');
    await done;
    const { bad, reads } = JSON.parse(output.slice('ready\n'.length)) as { bad: number; reads: number };
    console.log(`metrics atomic write: ${reads} reads by another process during 400 rewrites, ${bad} torn or missing`);
    expect(reads).toBeGreaterThan(0);
    expect(bad).toBe(0);
  });
});

describe('readMetricsInput and updateMetricsFile', () => {
  it('renders real state files (and archive counts when known) into a valid textfile', () => {
    const stateDir = join(dir, 'state');
    const ok = {
      started: '2026-01-02T03:00:00.000Z',
      finished: '2026-01-02T03:01:00.000Z',
      status: 'ok' as const,
      duration_ms: 60_000,
      archive: 'web-daily-2026-01-02_03-00-00',
      stats: { total_bytes: 5000, compressed_bytes: 2500, new_bytes: 100, new_compressed_bytes: 50 },
      databases: 2,
      writer_block_ms: 12,
    };
    updateProfileState(stateDir, 'daily', recordRun(ok));
    updateProfileState(stateDir, 'daily', {
      last_verify: { time: '2026-01-03T00:00:00.000Z', status: 'failed', error: 'checksum mismatch' },
    });
    const input = readMetricsInput(stateDir, ['daily', 'weekly'], { daily: { complete: 3, partial: 1 } });
    expect(input.profiles.map((p) => [p.profile, p.archives])).toEqual([
      ['daily', { complete: 3, partial: 1 }],
      ['weekly', undefined],
    ]);

    const file = join(dir, 'hotsnap.prom');
    updateMetricsFile(file, stateDir, ['daily', 'weekly'], { daily: { complete: 3, partial: 1 } });
    const text = readFileSync(file, 'utf8');
    const parsed = parseExposition(text);
    const value = (name: string, profile: string) =>
      parsed.families.get(name)?.samples.find((s) => s.labels.profile === profile)?.value;
    expect(value('hotsnap_last_success_timestamp_seconds', 'daily')).toBe(
      Date.parse('2026-01-02T03:01:00.000Z') / 1000,
    );
    expect(value('hotsnap_last_success_timestamp_seconds', 'weekly')).toBe(0);
    expect(value('hotsnap_last_run_success', 'daily')).toBe(1);
    expect(value('hotsnap_archives', 'daily')).toBe(3);
    expect(value('hotsnap_partial_archives', 'daily')).toBe(1);
    expect(value('hotsnap_archives', 'weekly')).toBeUndefined();
    expect(value('hotsnap_last_verify_success', 'daily')).toBe(0);
    expect(value('hotsnap_last_run_writer_block_seconds', 'daily')).toBe(0.012);
    expect(existsSync(join(dir, '.hotsnap.prom.tmp'))).toBe(false);
  });
});
