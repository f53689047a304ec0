import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'fixtures/**/*.test.ts'],
    // Real SQLite files and real child processes: give slow machines room, never assert on time.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: two workers keep the e2e tests (which spawn processes) from starving each other.
    maxWorkers: 2,
    // The CLIs the tests spawn keep their config cache in a temp dir (XDG_CACHE_HOME), not in the
    // developer's /var/cache; the global setup creates it and removes it after the last file.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
