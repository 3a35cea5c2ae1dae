import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain `tests: N passed, N failed, N skipped` line that CI can read.
 * A file whose worker died (a crash, a kill) leaves its tests neither passed nor failed, and
 * CI's log may keep only part of the output: such files are named on their own line, and their
 * tests counted as not run rather than skipped, so the summary says where to look.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let notRun = 0;
    const unfinished: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (state === 'skipped') skipped++;
        else notRun++;
      }
      const state = module.state();
      if (state === 'failed' && module.children.size === 0) failed++;
      if (state === 'queued' || state === 'pending') unfinished.push(`${module.relativeModuleId} (${state})`);
    }
    const lines = unfinished.map((file) => `tests: did not finish: ${file}\n`);
    for (const error of unhandledErrors) lines.push(`tests: unhandled error: ${error.message}\n`);
    const notRunPart = notRun > 0 ? `, ${notRun} not run` : '';
    process.stdout.write(`\n${lines.join('')}tests: ${passed} passed, ${failed} failed, ${skipped} skipped${notRunPart}\n`);
  }
}
