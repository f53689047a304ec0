import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openLogFile, writeResult } from '../../src/adapters/log-file.js';
import { createLogger } from '../../src/log.js';

const temp = mkdtempSync(join(tmpdir(), 'hotsnap-log-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('openLogFile refuses a symlink', () => {
  it('never appends through a link (a planted /tmp/hotsnap.log -> /etc/passwd), and says so', () => {
    const victim = join(temp, 'victim');
    writeFileSync(victim, 'untouched\n');
    const link = join(temp, 'planted.log');
    symlinkSync(victim, link);
    expect(() => openLogFile(link)).toThrow(/cannot append to the log file ".*planted\.log": it is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
  });
});

describe('createLogger with a log file (--log-file)', () => {
  it('the file gets every line at the level; stderr only warnings and errors', () => {
    const file = openLogFile(join(temp, 'all.log'));
    const stderr = collect();
    const logger = createLogger({ destination: stderr.stream, file: file.stream, level: 'debug' });
    logger.debug('probing');
    logger.info({ profile: 'daily' }, 'backing up');
    logger.warn('slow');
    logger.error('failed');
    file.close();
    const lines = readFileSync(join(temp, 'all.log'), 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => line.replace(/^\S+Z {2}/, ''))).toEqual([
      'DEBUG  probing',
      'INFO   backing up  profile=daily',
      'WARN   slow',
      'ERROR  failed',
    ]);
    expect(stderr.text().replace(/^\S+Z {2}/gm, '')).toBe('WARN   slow\nERROR  failed\n');
  });

  it('JSON lines in the file with --log-format json; without a file stderr gets everything', () => {
    const file = openLogFile(join(temp, 'json.log'));
    createLogger({ destination: collect().stream, file: file.stream, format: 'json' }).info('hello');
    file.close();
    expect(JSON.parse(readFileSync(join(temp, 'json.log'), 'utf8'))).toMatchObject({ level: 30, msg: 'hello' });
    const stderr = collect();
    createLogger({ destination: stderr.stream }).info('hello');
    expect(stderr.text()).toMatch(/Z {2}INFO {3}hello\n$/);
  });

  it('appends: a second run adds to what the first wrote', () => {
    const path = join(temp, 'appended.log');
    for (const text of ['first\n', 'second\n']) {
      const file = openLogFile(path);
      file.append(text);
      file.close();
    }
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n');
  });
});

describe('writeResult', () => {
  it('prints the result; with a log file, appends it there and prints it only when the command failed', () => {
    const out = collect();
    writeResult('no file\n', 0, out.stream);
    const path = join(temp, 'result.log');
    const file = openLogFile(path);
    writeResult('site: ok\n', 0, out.stream);
    writeResult('site: FAILED\n', 1, out.stream);
    file.close();
    writeResult('closed\n', 0, out.stream);
    expect(out.text()).toBe('no file\nsite: FAILED\nclosed\n');
    expect(readFileSync(path, 'utf8')).toBe('site: ok\nsite: FAILED\n');
  });

  it('creates a missing directory (0700): the first run of a user creates state_dir too', () => {
    const path = join(temp, 'state/new/hotsnap.log');
    openLogFile(path).close();
    expect(statSync(join(temp, 'state/new')).mode & 0o777).toBe(0o700);
    expect(statSync(path).isFile()).toBe(true);
  });

  it('a log file that cannot be opened is a UserError quoting its path', () => {
    writeFileSync(join(temp, 'plain'), '');
    expect(() => openLogFile(join(temp, 'plain/hotsnap.log'))).toThrow(
      `cannot append to the log file "${join(temp, 'plain/hotsnap.log')}": EEXIST: file already exists, mkdir`,
    );
  });
});
