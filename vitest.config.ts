import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'forks', testTimeout: 20_000 } },
      {
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], pool: 'forks', testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        // Real Chromium (playwright-core; CHROMIUM_PATH or /usr/bin/chromium): npm run test:browser.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 300_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
