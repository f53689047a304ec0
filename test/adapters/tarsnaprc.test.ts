import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  detectTarsnapConf,
  parseTarsnapConf,
  SYSTEM_TARSNAP_CONF,
  tarsnapConfFiles,
} from '../../src/adapters/tarsnaprc.js';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotsnap-tarsnaprc-'));
  dirs.push(dir);
  return dir;
}

describe('parseTarsnapConf', () => {
  it('reads lines as tarsnap does: comments, blanks, flags, values, leading ~', () => {
    const text = [
      '# tarsnap.conf',
      '',
      '   cachedir\t/usr/local/tarsnap-cache',
      'keyfile ~/tarsnap.key',
      'print-stats',
      'exclude   *.core   ',
      'checkpoint-bytes 1G\r',
      '\t# indented comment',
      'keyfile',
    ].join('\n');
    expect(parseTarsnapConf(text, '/h/.tarsnaprc', '/home/alice')).toEqual([
      { name: 'cachedir', value: '/usr/local/tarsnap-cache', file: '/h/.tarsnaprc', line: 3 },
      { name: 'keyfile', value: '/home/alice/tarsnap.key', file: '/h/.tarsnaprc', line: 4 },
      { name: 'print-stats', value: null, file: '/h/.tarsnaprc', line: 5 },
      { name: 'exclude', value: '*.core', file: '/h/.tarsnaprc', line: 6 },
      { name: 'checkpoint-bytes', value: '1G', file: '/h/.tarsnaprc', line: 7 },
      { name: 'keyfile', value: null, file: '/h/.tarsnaprc', line: 9 },
    ]);
  });
});

describe('detectTarsnapConf', () => {
  it('looks at ~/.tarsnaprc, then the system files', () => {
    expect(tarsnapConfFiles('/home/alice')).toEqual(['/home/alice/.tarsnaprc', ...SYSTEM_TARSNAP_CONF]);
  });

  it('real files: the user file wins for keyfile and cachedir; missing files are skipped; options keep file order', () => {
    const home = tempHome();
    const system = join(home, 'etc-tarsnap.conf');
    writeFileSync(join(home, '.tarsnaprc'), 'keyfile ~/keys/web1.key\nnodump\n');
    writeFileSync(system, 'keyfile /root/system.key\ncachedir /var/cache/tarsnap\nprint-stats\n');
    const { detected, warnings } = detectTarsnapConf(
      [join(home, '.tarsnaprc'), join(home, 'missing.conf'), system],
      home,
    );
    expect(warnings).toEqual([]);
    expect(detected).toEqual({
      files: [join(home, '.tarsnaprc'), join(home, 'missing.conf'), system],
      keyfile: { value: join(home, 'keys/web1.key'), file: join(home, '.tarsnaprc') },
      cachedir: { value: '/var/cache/tarsnap', file: system },
      options: [
        { name: 'nodump', value: null, file: join(home, '.tarsnaprc') },
        { name: 'print-stats', value: null, file: system },
      ],
    });
  });

  it('no files at all: nothing detected, no warnings', () => {
    const home = tempHome();
    expect(detectTarsnapConf([join(home, '.tarsnaprc')], home)).toEqual({
      detected: { files: [join(home, '.tarsnaprc')], options: [] },
      warnings: [],
    });
  });

  it('a file that exists but cannot be read is a warning, not a failure', () => {
    const home = tempHome();
    mkdirSync(join(home, '.tarsnaprc'));
    const { detected, warnings } = detectTarsnapConf([join(home, '.tarsnaprc')], home);
    expect(detected.keyfile).toBeUndefined();
    expect(warnings).toEqual([
      `cannot read ${join(home, '.tarsnaprc')} (EISDIR); its tarsnap settings are not carried over`,
    ]);
  });
});
