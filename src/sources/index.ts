/** Every source kind, in the order a run stages them. A new kind is a folder here plus one line below. */
import type { Source } from './types.js';
import { gitSource } from './git/source.js';
import { sqliteSource } from './sqlite/index.js';

/** A source of any kind (its target and entry types are its own business). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySource = Source<any, any>;

export const SOURCES: readonly AnySource[] = [sqliteSource, gitSource];
