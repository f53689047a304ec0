/** What the config schema says about a key, for the comments init writes. */
import { z } from 'zod';

/** Given a schema, returns its description (looking through `.optional()`); e.g. `descriptionOf(tarsnapSchema.shape.keyfile)` → 'tarsnap key file (passed as --keyfile).'. */
export function descriptionOf(schema: z.ZodType): string {
  if (schema.description) return schema.description;
  return schema instanceof z.ZodOptional ? descriptionOf(schema.unwrap() as z.ZodType) : '';
}
