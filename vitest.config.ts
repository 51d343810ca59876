import { defineConfig } from 'vitest/config';

// One config for every workspace: each package keeps unit tests beside the code
// (src/**/*.test.ts) and process/HTTP tests in its test/ folder.
export default defineConfig({
  test: {
    include: [
      'base/*/src/**/*.test.ts',
      'base/*/test/**/*.test.ts',
      'components/*/src/**/*.test.ts',
      'components/*/test/**/*.test.ts',
      'containers/*/src/**/*.test.ts',
      'containers/*/test/**/*.test.ts',
    ],
    globals: false,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
