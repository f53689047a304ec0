/** What the config schema says about a key (its description, its example), for the comments init writes. */
import { z } from 'zod';

/**
 * Given a schema, returns its description (looking through `.optional()`);
 * e.g. `descriptionOf(tarsnapSchema.shape.keyfile)` → 'tarsnap key file (passed as --keyfile).'.
 */
export function descriptionOf(schema: z.ZodType): string {
  if (schema.description) return schema.description;
  return schema instanceof z.ZodOptional ? descriptionOf(schema.unwrap() as z.ZodType) : '';
}

/**
 * Given a schema, returns the first of its `.meta({ examples })` (looking through `.optional()`);
 * throws when it has none (a bug: the starter shows only keys the schema gives an example for).
 * Example: `exampleOf(tarsnapSchema.shape.retries)` → 3.
 */
export function exampleOf<T extends z.ZodType>(schema: T): z.input<T> {
  const examples = schema.meta()?.examples;
  if (Array.isArray(examples) && examples.length > 0) return examples[0] as z.input<T>;
  if (schema instanceof z.ZodOptional) return exampleOf(schema.unwrap() as z.ZodType) as z.input<T>;
  throw new Error('the schema has no example for this key');
}

/**
 * Given an object schema's shape and some of its keys, returns each key's example, in that order:
 * `examplesOf(tarsnapSchema.shape, ['retries'])` → `{ retries: 3 }`.
 */
export function examplesOf<S extends Record<string, z.ZodType>, K extends keyof S & string>(
  shape: S,
  keys: readonly K[],
): { [P in K]: z.input<S[P]> } {
  return Object.fromEntries(keys.map((key) => [key, exampleOf(shape[key]!)])) as { [P in K]: z.input<S[P]> };
}
