import { describe, expect, it } from 'vitest';
import { minimal, problems } from '../support/config-problems.js';
import { locate, quoteValue, withValue } from '../../src/config/offending-value.js';

describe('config errors quote the value they refuse', () => {
  it.each([
    ['staging_dir: tmp', '2 staging_dir: "tmp" must be an absolute path (start with /)'],
    ['tarsnap: {keyfile: /k, cachedir: /c, retries: 25}', '2 tarsnap.retries: 25 must be at most 20'],
    ['tarsnap: {keyfile: /k, cachedir: /c, auto_fsck: "yes"}', '2 tarsnap.auto_fsck: "yes" must be true or false'],
    ['tarsnap: {keyfile: /k, cachedir: /c, binary: ""}', '2 tarsnap.binary: "" must not be empty'],
    [
      'tarsnap: {keyfile: /k, cachedir: /c, retry_delay: true}',
      '2 tarsnap.retry_delay: true must be a time span such as "30s" or "2h", or a number of seconds',
    ],
    [
      'hooks: {before: "systemctl stop app"}',
      '2 hooks.before: "systemctl stop app" must be a command as a list (program then arguments), e.g. [systemctl, reload, app], or a list of such commands',
    ],
    ['defaults: {sqlite: /srv/app.db}', '2 defaults.sqlite: "/srv/app.db" must be a list'],
    [
      'defaults: {max_delete: lots}',
      '2 defaults.max_delete: "lots" must be a number of archives or a percentage such as "50%"',
    ],
    [
      'defaults: {hot_copy: {verify: always}}',
      '2 defaults.hot_copy.verify: "always" must be one of "quick", "full" or "none"',
    ],
    [
      'defaults: {retention: {keep_daily: -5}}',
      '2 defaults.retention.keep_daily: -5 must be a whole number ≥ 1, or -1 for unlimited',
    ],
    ['defaults: {schedule: "Mon 25:00"}', '2 defaults.schedule: "Mon 25:00": hour 25 is out of range 0..23'],
    [
      'defaults: {archive_name: "{hostname}-{profile}"}',
      '2 defaults.archive_name: "{hostname}-{profile}" must contain {date} exactly once (found 0)',
    ],
  ])('%s', (line, expected) => {
    const text = line.startsWith('tarsnap:')
      ? `${line}\n${minimal.replace(/^\ntarsnap:\n( {2}.*\n)+/, '')}`
      : `${line}\n${minimal}`;
    expect(problems(`\n${text}`)).toEqual([expected]);
  });

  it('secrets are masked: a passphrase written in, a ping token, URL credentials in a hook', () => {
    const text = minimal
      .replace(
        '  cachedir: /usr/local/tarsnap-cache\n',
        '  cachedir: /usr/local/tarsnap-cache\n  passphrase: hunter2\n',
      )
      .concat(
        '    ping: hc-ping.com/0123456789abcdef01234567\n',
        '  weekly:\n    paths: [/srv]\n    hooks: {after: "curl https://user:s3cret@example.com/?token=abc"}\n',
      );
    const found = problems(text);
    expect(found).toEqual([
      '5 tarsnap.passphrase: "***" must be env:VARIABLE or file:/path/to/file (never the passphrase itself)',
      '9 profiles.daily.ping: "hc-ping.com/***" must be an http:// or https:// URL, e.g. https://hc-ping.com/your-check-uuid',
      expect.stringMatching(
        /^12 profiles\.weekly\.hooks\.after: "curl https:\/\/user:\*\*\*@example\.com\/\?token=\*\*\*" must be/,
      ),
    ]);
    expect(found.join('\n')).not.toMatch(/hunter2|0123456789abcdef|s3cret|abc"/);
  });

  it('a profile name with dots: the path shows it whole and the line is its own', () => {
    expect(problems(`${minimal}  db.example:\n    paths: [etc]\n    schedule: "25:00"\n`)).toEqual([
      '9 profiles.db.example.paths[0]: "etc" must be an absolute path (start with /)',
      '10 profiles.db.example.schedule: "25:00": hour 25 is out of range 0..23',
    ]);
  });
});

describe('locate, quoteValue, withValue', () => {
  const data = { profiles: { 'db.example': { paths: ['etc'] }, '0': { paths: [] } }, hooks: { before: [['a', 'b']] } };
  it.each([
    ['profiles.db.example.paths.0', { found: true, value: 'etc', display: 'profiles.db.example.paths[0]' }],
    ['hooks.before.0.1', { found: true, value: 'b', display: 'hooks.before[0][1]' }],
    ['profiles.0.paths', { found: true, value: [], display: 'profiles.0.paths' }],
    ['profiles.nope.paths', { found: false, display: 'profiles.nope.paths' }],
  ])('%s', (path, expected) => {
    expect(locate(data, path)).toMatchObject(expected);
  });

  it('quotes scalars and short lists; a long list is left to its path', () => {
    expect(quoteValue('x', 'etc')).toBe('"etc"');
    expect(quoteValue('x', 3)).toBe('3');
    expect(quoteValue('x', ['a'])).toBe('["a"]');
    expect(quoteValue('x', Array(30).fill('abc'))).toBeUndefined();
    expect(quoteValue('tarsnap.passphrase', 'env:TARSNAP_PASSPHRASE')).toBe('"env:TARSNAP_PASSPHRASE"');
  });

  it('leads with the value unless the message quotes it already', () => {
    expect(withValue('must be an absolute path', '"etc"')).toBe('"etc" must be an absolute path');
    expect(withValue('hour 25 is out of range', '"25:00"')).toBe('"25:00": hour 25 is out of range');
    expect(withValue('unknown time zone "Mars": use …', '"Mars"')).toBe('unknown time zone "Mars": use …');
    expect(withValue('0 keeps nothing by this rule', '0')).toBe('0 keeps nothing by this rule');
  });
});
