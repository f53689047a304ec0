/**
 * What the config tests share: a fixed machine, the smallest valid config, and the problems
 * parseConfig reports for a text, as "line path: message".
 */
import { expect } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

export const machine = { hostname: 'testhost', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap' };

export const minimal = `
tarsnap:
  keyfile: /root/tarsnap.key
  cachedir: /usr/local/tarsnap-cache
profiles:
  daily:
    paths: [/home/alice]
`;

/** Given config text, returns its problems as "line path: message"; fails the test when it is accepted. */
export function problems(text: string): string[] {
  try {
    parseConfig(text, '/etc/hotsnap/hotsnap.yaml', machine);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.line ?? '-'} ${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the config to be rejected');
}
