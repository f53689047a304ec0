/** Test helper for commands that refuse: the message of the UsageError (exit 2) a promise rejects with. */
import { expect } from 'vitest';
import { ExitCode, UsageError } from '../../src/errors.js';

/**
 * Given a promise, asserts it rejects with a UsageError (exit code 2) and returns its message:
 * `await usageError(copyDb(…))` → '… exists; pass --force …'.
 */
export async function usageError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(ExitCode.usage);
  return (error as Error).message;
}
