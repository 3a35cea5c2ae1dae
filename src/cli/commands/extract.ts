import type { Command } from 'commander';
import { readBlueprintFile } from './blueprint-file.js';

export function registerExtractCommand(program: Command): void {
  program
    .command('extract')
    .description(
      'Apply a blueprint to pages; NDJSON to stdout, one line per page: data (display values) and typed (typed value, raw text, type per field) (offline, no LLM)',
    )
    .requiredOption('--blueprint <file>', 'blueprint file (.json, .yaml or .csv)')
    .requiredOption('--pages <dir>', 'directory of *.htm / *.html pages')
    .action(async (options: { blueprint: string; pages: string }) => {
      const [{ compileBlueprint, extractPage, recordData, recordTyped }, { readPagesDir }] = await Promise.all([
        import('../../engine/extract/index.js'),
        import('../../engine/pages.js'),
      ]);
      const blueprint = await readBlueprintFile(options.blueprint);
      let compiled;
      try {
        compiled = compileBlueprint(blueprint);
      } catch (error) {
        throw new Error(`blueprint ${options.blueprint}: ${(error as Error).message}`);
      }
      const pages = await readPagesDir(options.pages);
      // `siteprint extract … | head` closes the pipe early: that is the reader's choice, not an error.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0);
        throw error;
      });
      const lines: string[] = [];
      for (const page of pages) {
        const record = extractPage(compiled, page);
        lines.push(JSON.stringify({ file: page.file, url: page.url, data: recordData(record), typed: recordTyped(record) }));
        if (lines.length >= 256) process.stdout.write(lines.splice(0).join('\n') + '\n');
      }
      if (lines.length) process.stdout.write(lines.join('\n') + '\n');
    });
}
