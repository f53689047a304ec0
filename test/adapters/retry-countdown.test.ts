/** A network retry's countdown: redrawn each second on a terminal, a plain wait elsewhere; sleeps are injected. */
import { describe, expect, it } from 'vitest';
import { createRetryCountdown } from '../../src/adapters/retry-countdown.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => void writes.push(text) } };
}

describe('createRetryCountdown', () => {
  it('counts down each second on a terminal, then clears the line', async () => {
    const { writes, stream } = fakeStream(true);
    const sleeps: number[] = [];
    await createRetryCountdown({ stream, sleep: async (ms) => sleeps.push(ms) })(3000, 1, 1);
    expect(writes).toEqual([
      '\r\x1b[Kcannot reach the tarsnap server; retrying in 3 s… (attempt 1 of 1)',
      '\r\x1b[Kcannot reach the tarsnap server; retrying in 2 s… (attempt 1 of 1)',
      '\r\x1b[Kcannot reach the tarsnap server; retrying in 1 s… (attempt 1 of 1)',
      '\r\x1b[K',
    ]);
    expect(sleeps).toEqual([1000, 1000, 1000]);
  });

  it('sleeps what is left of a delay that is not whole seconds', async () => {
    const { writes, stream } = fakeStream(true);
    const sleeps: number[] = [];
    await createRetryCountdown({ stream, sleep: async (ms) => sleeps.push(ms) })(1500, 2, 3);
    expect(sleeps).toEqual([1000, 500]);
    expect(writes[1]).toBe('\r\x1b[Kcannot reach the tarsnap server; retrying in 1 s… (attempt 2 of 3)');
  });

  it('only waits when not on a terminal (the log already has the warning)', async () => {
    const { writes, stream } = fakeStream(false);
    const sleeps: number[] = [];
    await createRetryCountdown({ stream, sleep: async (ms) => sleeps.push(ms) })(5000, 1, 1);
    expect(sleeps).toEqual([5000]);
    expect(writes).toEqual([]);
  });
});
