/** The checksum a manifest entry records (src/core/manifest.ts), computed from the file. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Given a path, resolves to its SHA-256 in hex; e.g. an empty file → "e3b0c442…b855". */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
