import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLogFile } from '../../src/adapters/log-file.js';
import { renderLogrotate } from '../../src/core/logrotate.js';
import { UsageError } from '../../src/errors.js';

const logrotate = (await execa('sh', ['-c', 'command -v logrotate'], { reject: false })).stdout.trim();
if (!logrotate)
  console.warn('test/core/logrotate.test.ts: real logrotate runs skipped — logrotate is not installed here');

describe('renderLogrotate', () => {
  it('quotes a path with a blank and refuses one logrotate would misread', () => {
    const text = renderLogrotate({ logFile: '/var/log/my logs/h.log', root: true, stateFile: '/x' });
    expect(text).toContain('\n"/var/log/my logs/h.log" {\n');
    for (const bad of ['/var/log/h*.log', '/var/log/a"b.log'])
      expect(() => renderLogrotate({ logFile: bad, root: true, stateFile: '/x' })).toThrow(UsageError);
  });

  it('a user gets the logrotate -s line for their crontab instead of /etc/logrotate.d', () => {
    const text = renderLogrotate({
      logFile: '/home/u/.local/state/hotsnap/hotsnap.log',
      root: false,
      stateFile: '/s/lr.state',
    });
    expect(text).toContain('/usr/sbin/logrotate -s /s/lr.state ~/.config/hotsnap/logrotate.conf');
    expect(text).not.toContain('/etc/logrotate.d');
  });
});

describe.skipIf(!logrotate)('the snippet under the real logrotate', () => {
  const temp = mkdtempSync(join(tmpdir(), 'hotsnap-logrotate-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('rotates by rename while a run holds the log open: that run finishes in the rotated file, the next starts a new log', async () => {
    const dir = join(temp, 'my logs');
    mkdirSync(dir);
    const log = join(dir, 'hotsnap.log');
    const config = join(temp, 'logrotate.conf');
    writeFileSync(config, renderLogrotate({ logFile: log, root: false, stateFile: join(temp, 'state') }));

    const running = openLogFile(log);
    running.append('run 1 starts\n');
    const rotated = await execa(logrotate, ['-f', '-s', join(temp, 'state'), config], { reject: false });
    expect(rotated.stderr).toBe('');
    expect(rotated.exitCode).toBe(0);
    running.append('run 1 ends\n');
    running.close();
    expect(existsSync(log)).toBe(false);
    expect(readFileSync(`${log}.1`, 'utf8')).toBe('run 1 starts\nrun 1 ends\n');

    const next = openLogFile(log);
    next.append('run 2\n');
    next.close();
    expect(readFileSync(log, 'utf8')).toBe('run 2\n');
  });
});
