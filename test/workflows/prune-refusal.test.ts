import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_CONFIG } from '../../src/config/read.js';
import type { ArchiveInfo } from '../../src/core/archives.js';
import { planProfilePrune } from '../../src/core/prune-plan.js';
import { describeRefusal, hotsnapCommandFor } from '../../src/workflows/prune-refusal.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotsnap-refusal-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = new Date('2026-03-01T03:00:00Z');
const archive = (day: number, extra: Partial<ArchiveInfo> = {}): ArchiveInfo =>
  ({
    name: `blog-daily-2026-02-${String(day).padStart(2, '0')}`,
    time: new Date(Date.UTC(2026, 1, day, 2)),
    profile: 'daily',
    partial: false,
    incomplete: false,
    ...extra,
  }) as ArchiveInfo;
const rules = { retention: { keep_last: 3 }, prune_partial: true, max_delete: '50%' };
const days = Array.from({ length: 10 }, (_, i) => archive(i + 1));

describe('describeRefusal', () => {
  it('max_delete: the counts, the limit and the one command that carries the plan out', () => {
    const file = join(dir, 'my config.yaml');
    writeFileSync(file, '');
    const plan = planProfilePrune(days, rules, { timezone: 'UTC', now: NOW, force: false });
    expect(plan.refused).toBeDefined();
    const refusal = describeRefusal(file, { name: 'daily', max_delete: '50%' }, plan);
    expect(refusal.command).toBe(`hotsnap --config '${file}' prune daily --max-delete 7`);
    expect(refusal.line).toBe(
      `prune of daily refused: the plan deletes 7 of 10 archives, more than max_delete allows (5); run once: ${refusal.command} (with --dry-run first to see the plan)`,
    );
    // --max-delete given and still too small: the limit said is the one that refused.
    const tight = planProfilePrune(days, rules, { timezone: 'UTC', now: NOW, force: false, maxDeleteOverride: 2 });
    expect(describeRefusal(file, { name: 'daily', max_delete: '50%' }, tight, 2).line).toContain('allows (2)');
  });

  it('.part archives do not count: only complete archives are in the numbers and the flag', () => {
    const plan = planProfilePrune(
      [...days, archive(3, { name: 'blog-daily-2026-02-03b.part', partial: true })],
      rules,
      { timezone: 'UTC', now: NOW, force: false },
    );
    expect(describeRefusal(join(dir, 'h.yaml'), { name: 'daily', max_delete: '50%' }, plan).command).toMatch(
      / --max-delete 7$/,
    );
  });

  it('a wrong clock: the plan’s reason, and no command (no flag helps)', () => {
    const future = [...days, archive(1, { name: 'blog-daily-2027', time: new Date('2027-01-01T00:00:00Z') })];
    const plan = planProfilePrune(future, rules, { timezone: 'UTC', now: NOW, force: false });
    const refusal = describeRefusal(join(dir, 'h.yaml'), { name: 'daily', max_delete: '50%' }, plan);
    expect(refusal.command).toBeUndefined();
    expect(refusal.line).toMatch(/^prune of daily refused: archive blog-daily-2027 is dated .* set the clock right/);
  });
});

describe('hotsnapCommandFor', () => {
  it('names --config unless a bare hotsnap finds the file (environment aside)', () => {
    const other = join(dir, 'elsewhere.yaml');
    writeFileSync(other, '');
    expect(hotsnapCommandFor(other, dir)).toBe(`hotsnap --config ${other}`);
    mkdirSync(join(dir, '.config/hotsnap'), { recursive: true });
    const own = join(dir, '.config/hotsnap/hotsnap.yaml');
    writeFileSync(own, '');
    // /etc/hotsnap/hotsnap.yaml, when this machine has one, comes first.
    expect(hotsnapCommandFor(own, dir)).toBe(existsSync(SYSTEM_CONFIG) ? `hotsnap --config ${own}` : 'hotsnap');
    const saved = process.env.HOTSNAP_CONFIG;
    process.env.HOTSNAP_CONFIG = other;
    try {
      // $HOTSNAP_CONFIG of this process (cron's) is not the operator's shell's.
      expect(hotsnapCommandFor(other, dir)).toBe(`hotsnap --config ${other}`);
    } finally {
      if (saved === undefined) delete process.env.HOTSNAP_CONFIG;
      else process.env.HOTSNAP_CONFIG = saved;
    }
  });
});
