import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/core/mask-secrets.js';

describe('maskSecrets', () => {
  it.each([
    [
      ['--passphrase', 'hunter2'],
      ['--passphrase', '***'],
    ],
    [
      ['--passphrase', 'env:TARSNAP_PASS'],
      ['--passphrase', 'env:TARSNAP_PASS'],
    ],
    [
      ['--passphrase', 'file:/root/pass'],
      ['--passphrase', 'file:/root/pass'],
    ],
    [['--passphrase=secret'], ['--passphrase=***']],
    [['https://user:pw@example.com/x'], ['https://user:***@example.com/x']],
    [['https://token@example.com/x'], ['https://***@example.com/x']],
    [['https://hc-ping.com/0f3c5f4e-9a8b-4c2d-8e1f-123456789abc/fail'], ['https://hc-ping.com/***/fail']],
    [['--url=https://x.io/p?token=abc&n=1'], ['--url=https://x.io/p?token=***&n=***']],
    [
      ['-f', 'plain-name', '/root/tarsnap.key'],
      ['-f', 'plain-name', '/root/tarsnap.key'],
    ],
  ])('%j → %j', (argv, masked) => expect(maskSecrets(argv)).toEqual(masked));
});
