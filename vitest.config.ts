import { defineConfig } from 'vitest/config';

// One config for every workspace: each package keeps unit tests beside the code
// (src/**/*.test.ts) and process/HTTP tests in its test/ folder.
export default defineConfig({
  test: {
    include: [
      'base/*/src/**/*.test.{ts,js}',
      'base/*/test/**/*.test.{ts,js}',
      'components/*/src/**/*.test.{ts,js}',
      'components/*/test/**/*.test.{ts,js}',
      'containers/*/src/**/*.test.{ts,js}',
      'containers/*/test/**/*.test.{ts,js}',
    ],
    globals: false,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
