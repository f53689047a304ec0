import { describe, expect, it } from 'vitest';
import { classifyArchives, type NamingRules } from '../../src/core/archives.js';

const daily: NamingRules = {
  name: 'daily',
  archive_name: '{hostname}-{profile}-{date}',
  date_format: 'yyyy-MM-dd_HH-mm-ss',
  adopt: [{ archive_name: 'backup-{date}', date_format: 'yyyyMMdd' }],
};
const dailyDb: NamingRules = {
  name: 'daily-db',
  archive_name: '{hostname}-{profile}-{date}',
  date_format: 'yyyy-MM-dd_HH-mm-ss',
  adopt: [],
};

describe('classifyArchives', () => {
  it('assigns archives by parsing, sorts by time, keeps foreign ones apart', () => {
    const result = classifyArchives(
      [
        { name: 'web-daily-db-2024-01-02_00-00-00', created: new Date('2024-01-02T00:00:05Z') },
        { name: 'web-daily-2024-01-03_00-00-00' },
        { name: 'web-daily-2024-01-01_00-00-00.part', created: new Date('2024-01-01T00:10:00Z') },
        { name: 'backup-20231231' },
        { name: 'other-daily-2024-01-01_00-00-00', created: new Date('2024-01-01T00:00:00Z') },
        { name: 'random' },
      ],
      [daily, dailyDb],
      'web',
    );
    expect(result.map((a) => [a.name, a.profile, a.time.toISOString(), a.partial, a.adopted])).toEqual([
      ['random', null, '1970-01-01T00:00:00.000Z', false, false],
      ['backup-20231231', 'daily', '2023-12-31T00:00:00.000Z', false, true],
      ['other-daily-2024-01-01_00-00-00', null, '2024-01-01T00:00:00.000Z', false, false],
      ['web-daily-2024-01-01_00-00-00.part', 'daily', '2024-01-01T00:10:00.000Z', true, false],
      ['web-daily-db-2024-01-02_00-00-00', 'daily-db', '2024-01-02T00:00:05.000Z', false, false],
      ['web-daily-2024-01-03_00-00-00', 'daily', '2024-01-03T00:00:00.000Z', false, false],
    ]);
  });
});
