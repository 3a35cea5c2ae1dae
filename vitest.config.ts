import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites whose subject is not the Node.js running the tests: Chromium driving the dashboard,
 * several processes under faults or exporting traces, a real Prometheus, the SDK clients, examples and documentation samples. CI runs them on
 * the current LTS only (TEST_SCOPE=runtime on its second Node.js), which keeps both runs within
 * its time limit.
 */
const RUN_ONCE = [
  'test/browser/**',
  'test/scale/**',
  'test/deploy/**',
  'test/tracing/**',
  'test/examples/**',
  'test/sdk/python-sdk.test.ts',
  'test/sdk/remote-cli.test.ts',
  'test/docs/doc-samples.test.ts',
];

/**
 * Where a test process that dies of a fatal error (out of memory, a failed V8 check) leaves Node's
 * diagnostic report; the summary reporter prints what it finds there, since a dead worker reports
 * nothing itself.
 */
export const CRASH_REPORTS = path.resolve('test-results', 'crash-reports');

export default defineConfig({
  test: {
    execArgv: ['--report-on-fatalerror', '--report-compact', `--report-directory=${CRASH_REPORTS}`],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TEST_SCOPE === 'runtime' ? RUN_ONCE : [])],
    pool: 'forks',
    // Generous: CLI and browser tests spawn processes, and CI machines have two cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
