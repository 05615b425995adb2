import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The lab tests share one set of real servers started once for the whole run.
    globalSetup: ['test/setup/global.ts'],
  },
})
