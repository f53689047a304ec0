/** The retry policy by command kind: looking commands fail fast, unattended ones keep tarsnap.retries. */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/resolve.js';
import { retryPolicyFor } from '../../src/commands/common.js';

const config = (retries: number, delayMs: number) =>
  ({ tarsnap: { retries, retry_delay_ms: delayMs } }) as unknown as Config;

describe('retryPolicyFor', () => {
  it.each([
    ['looking', 5, 30_000, undefined, { retries: 1, retryDelayMs: 5000 }],
    ['looking', 5, 10, undefined, { retries: 1, retryDelayMs: 10 }],
    ['looking', 0, 30_000, undefined, { retries: 0, retryDelayMs: 5000 }],
    ['looking', 5, 30_000, 3, { retries: 3, retryDelayMs: 5000 }],
    ['looking', 5, 30_000, 0, { retries: 0, retryDelayMs: 5000 }],
    ['unattended', 5, 30_000, undefined, { retries: 5, retryDelayMs: 30_000 }],
    ['unattended', 5, 30_000, 0, { retries: 0, retryDelayMs: 30_000 }],
  ] as const)('%s with retries %d, delay %d and --retries %s → %j', (kind, retries, delay, override, expected) => {
    expect(retryPolicyFor(kind, config(retries, delay), override)).toEqual(expected);
  });
});
