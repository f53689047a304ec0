/**
 * Where hotsnap is installed and its version. This file sits directly below the package root in
 * src/ and, bundled, in dist/ — so `..` is the package root in both.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root (holds package.json and bin/hotsnap.js), with a trailing slash. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** hotsnap's version from package.json, e.g. "0.1.0". */
export const VERSION = (JSON.parse(readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8')) as { version: string }).version;
