import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      // Pure code and recorded data: no servers, no root.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Real signed zones on real servers and real resolvers, started once for the run by
      // the global setup; needs root inside a loopback-only network namespace.
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          globalSetup: ['test/lab/setup.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
})
