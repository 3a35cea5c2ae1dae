import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';
import { CRASH_REPORTS } from '../../vitest.config.js';

/** What a Node diagnostic report written on a fatal error says, in two lines. */
function crashReport(file: string): string {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      header?: { event?: string; trigger?: string; commandLine?: string[] };
      javascriptStack?: { message?: string; stack?: string[] };
    };
    const stack = report.javascriptStack?.stack?.slice(0, 3).join(' ← ') ?? '';
    return `${report.header?.event ?? 'fatal error'} (${report.header?.trigger ?? 'unknown'}): ${report.javascriptStack?.message ?? ''} ${stack}`.trim();
  } catch {
    return `unreadable report ${file}`;
  }
}

/**
 * Ends the run with one plain `tests: N passed, N failed, N skipped` line that CI can read.
 * A file whose worker died (a crash, a kill) leaves its tests neither passed nor failed, and
 * CI's log may keep only part of the output: such files are named on their own line, with what
 * Node reported of a fatal error, and their tests counted as not run rather than skipped.
 */
export default class SummaryReporter implements Reporter {
  onInit(): void {
    rmSync(CRASH_REPORTS, { recursive: true, force: true });
    mkdirSync(CRASH_REPORTS, { recursive: true });
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let notRun = 0;
    const lines: string[] = [];
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
      if (state === 'queued' || state === 'pending') lines.push(`did not finish: ${module.relativeModuleId} (${state})`);
    }
    for (const error of unhandledErrors) lines.push(`unhandled error: ${error.message}`);
    for (const file of readdirSync(CRASH_REPORTS)) lines.push(`crash report: ${crashReport(path.join(CRASH_REPORTS, file))}`);
    const notRunPart = notRun > 0 ? `, ${notRun} not run` : '';
    const details = lines.map((line) => `tests: ${line}\n`).join('');
    process.stdout.write(`\n${details}tests: ${passed} passed, ${failed} failed, ${skipped} skipped${notRunPart}\n`);
  }
}
