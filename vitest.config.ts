import { defineConfig } from 'vitest/config';

// One suite for the whole repository. Tests that need a database use the embedded PGlite unless
// DATABASE_URL is set, in which case each test file gets its own scratch database on that server.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'apps/web/test/**/*.test.tsx', 'e2e/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
