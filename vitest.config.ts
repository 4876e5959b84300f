import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, fakes, no Python) runs in seconds;
// `pythran` builds with real Pythran releases and real compilers. `npm test` runs both;
// `npm run test:fast` runs only `unit`.
export default defineConfig({
  test: {
    // The JSON report feeds .ci/run's closing 'N passed, N failed' line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'pythran',
          include: ['test/pythran/**/*.test.ts'],
          testTimeout: 15 * 60_000,
          hookTimeout: 30 * 60_000,
          // Builds and measurements are CPU-heavy: one file at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
