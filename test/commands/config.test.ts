import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import type { MachineDefaults } from '../../src/config/resolve.js';
import { showConfig, validateConfig } from '../../src/commands/config.js';
import { timeSpanText } from '../../src/config/effective-file.js';
import { ExitCode } from '../../src/errors.js';

const MACHINE: MachineDefaults = { hostname: 'web1', timezone: 'UTC', tmpdir: '/tmp', stateDir: '/var/lib/hotsnap' };

/** Every kind of key the effective config fills in or merges: time spans, hooks, defaults, adopt, sources. */
const CONFIG = `
timezone: Europe/Berlin
metrics_file: /var/lib/node_exporter/textfile/hotsnap.prom
verify_schedule: weekly
hooks:
  on_error: [mail, -s, "hotsnap failed", root]
tarsnap:
  keyfile: /root/tarsnap.key
  cachedir: /var/cache/tarsnap
  retry_delay: 1m30s
  extra_args: [--maxbw-rate, "50000"]
  passphrase: env:TARSNAP_PASSPHRASE
defaults:
  exclude: ["*.swp"]
  hot_copy: {busy_timeout: 1234ms, verify: full}
  adopt: [{archive_name: "old-{date}", date_format: yyyyMMdd}]
  ping: https://hc-ping.com/0123456789abcdef0123
profiles:
  daily:
    sqlite: [/srv/app/app.db]
    paths: [/etc]
    exclude: ["*.log"]
    retention: {keep_daily: 7, keep_within: 2d}
    hooks:
      before: [systemctl, reload, app]
  weekly:
    git: [/srv/git]
    deltas: 1d 7d 30d
    hot_copy: {copy_timeout: 2h}
    schedule: "Sun *-*-* 04:00:00"
    max_delete: 3
`;

let temp = '';
afterEach(() => rmSync(temp, { recursive: true, force: true }));

/** A context whose config is the file at `file`, read the way every command reads it. */
const contextOf = (file: string) => ({ loadConfig: async () => loadConfigFile(file, MACHINE) });

/** Writes CONFIG, shows it, writes what show printed, and validates that; returns both configs. */
async function roundTrip(profiles: string[], json: boolean) {
  temp = mkdtempSync(join(tmpdir(), 'hotsnap-config-show-'));
  const original = join(temp, 'hotsnap.yaml');
  writeFileSync(original, CONFIG);
  const shown = await showConfig(contextOf(original) as never, profiles, { json });
  expect(shown.exitCode).toBe(ExitCode.ok);
  const written = join(temp, json ? 'shown.json' : 'shown.yaml');
  writeFileSync(written, shown.stdout!);
  const validated = await validateConfig(contextOf(written) as never);
  return {
    shown: shown.stdout!,
    validated,
    before: loadConfigFile(original, MACHINE),
    after: loadConfigFile(written, MACHINE),
  };
}

describe('config show prints a config that config validate accepts', () => {
  it.each([
    ['YAML', false],
    ['JSON', true],
  ])('%s: show → write → validate passes, and means the same config', async (_format, json) => {
    const { shown, validated, before, after } = await roundTrip([], json);
    expect(validated.exitCode).toBe(ExitCode.ok);
    expect(validated.stdout).toMatch(/: valid \(2 profiles: daily, weekly\)\n$/);
    expect({ ...after, file: '' }).toEqual({ ...before, file: '' });
    // The keys the commands use internally never reach the file.
    expect(shown).not.toMatch(/_ms\b|"file"|^file:/m);
    expect(shown).toMatch(json ? /"busy_timeout": "1234ms"/ : /busy_timeout: 1234ms/);
  });

  it('with profile names: the whole file with only those profiles, still valid', async () => {
    const { shown, validated, before, after } = await roundTrip(['weekly'], false);
    expect(shown).toMatch(/^# The effective config of .*hotsnap\.yaml: defaults merged into each profile/);
    expect(validated.exitCode).toBe(ExitCode.ok);
    expect(after.profiles).toEqual(before.profiles.filter((profile) => profile.name === 'weekly'));
    expect(after.tarsnap).toEqual(before.tarsnap);
  });

  it('writes shared default lists out in each profile, not as YAML aliases', async () => {
    const { shown } = await roundTrip([], false);
    expect(shown).not.toMatch(/[&*]a\d/);
  });
});

describe('timeSpanText', () => {
  it.each([
    [10_000, '10s'],
    [90_000, '1m30s'],
    [1_800_000, '30m'],
    [1500, '1.5s'],
    [61_500, '61500ms'],
    [0, '0ms'],
    [86_400_000, '1d'],
  ])('%d → %s', (ms, text) => {
    expect(timeSpanText(ms)).toBe(text);
  });
});
