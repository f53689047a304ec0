import { describe, expect, it } from 'vitest';
import { createProgress, noProgress, renderProgressLine } from '../../src/adapters/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => void writes.push(text) } };
}

describe('renderProgressLine', () => {
  it.each([
    [
      'ghost.db',
      'copying',
      50e6,
      100e6,
      'bytes',
      2000,
      100,
      'ghost.db copying [##########..........]  50% 50 MB/100 MB 25 MB/s',
    ],
    ['ghost.db', 'copying', 0, 0, 'bytes', 0, 100, 'ghost.db copying [....................]   0% 0.0 MB/0.0 MB'],
    [
      'ghost.db',
      'copying',
      2048,
      1024,
      'pages',
      10,
      100,
      'ghost.db copying [####################] 100% 2048 pages/1024 pages',
    ],
    ['ghost.db', 'checking', 1e6, 4e6, 'bytes', 1000, 30, 'ghost.db checking [#####.....'],
  ] as const)('%s %s %d/%d %s', (label, phase, done, total, unit, elapsed, columns, expected) => {
    expect(renderProgressLine(label, phase, done, total, unit, elapsed, columns)).toBe(expected);
  });
});

describe('createProgress', () => {
  it('draws nothing when stderr is not a terminal (cron mail, log files)', () => {
    const { stream } = fakeStream(false);
    expect(createProgress({ label: 'x', unit: 'bytes', stream })).toBe(noProgress);
  });

  it('stays silent for the first second, then draws with a carriage return and clears the line at the end', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const progress = createProgress({ label: 'ghost.db', unit: 'bytes', stream, now: () => now });
    now = 900;
    progress.update(10e6, 100e6);
    expect(writes).toEqual([]);
    now = 1000;
    progress.update(20e6, 100e6);
    now = 1050; // throttled: under 100 ms since the last draw
    progress.update(21e6, 100e6);
    now = 1200;
    progress.phase('checking');
    progress.stop();
    progress.stop();
    expect(writes).toEqual([
      '\r\x1b[Kghost.db copying [####................]  20% 20 MB/100 MB 20 MB/s',
      '\r\x1b[Kghost.db checking [####................]  21% 21 MB/100 MB 18 MB/s',
      '\r\x1b[K',
    ]);
  });

  it('a short copy that ends within a second leaves no trace', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const progress = createProgress({ label: 'x', unit: 'bytes', stream, now: () => now });
    now = 500;
    progress.update(1, 2);
    progress.stop();
    expect(writes).toEqual([]);
  });
});

describe('createProgress with its own line', () => {
  it('draws what render returns, cut to the terminal width, and clears it at stop', () => {
    const { writes, stream } = fakeStream(true);
    let time = 0;
    const progress = createProgress({
      label: 'tarsnap',
      unit: 'bytes',
      stream: { ...stream, columns: 30 },
      now: () => time,
      render: (phase, done, total, elapsedMs) => `${phase} ${done} of about ${total} after ${elapsedMs} ms and more`,
    });
    time = 2000;
    progress.update(5, 10);
    progress.stop();
    expect(writes).toEqual(['\r\x1b[Kcopying 5 of about 10 after 2', '\r\x1b[K']);
  });
});
