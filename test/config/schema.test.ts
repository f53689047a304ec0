import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/schema.js';

describe('the published JSON Schema', () => {
  it('is up to date with the zod schema (regenerate with: npm run schema)', () => {
    const published = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../schema/hotsnap.schema.json'), 'utf8'),
    );
    expect(published).toEqual(configJsonSchema());
  });

  it('describes every key and forbids unknown ones', () => {
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.additionalProperties).toBe(false);
    for (const [key, value] of Object.entries(schema.properties)) expect(value.description, key).toBeTruthy();
  });
});
