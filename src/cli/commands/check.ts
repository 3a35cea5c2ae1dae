import type { Command } from 'commander';
import { readBlueprintFile } from './blueprint-file.js';
import { pagesToCheck } from './site-pages.js';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description(
      "Check a blueprint against pages as the platform's scheduled checks do: health (healthy, degraded, down), field coverage against the blueprint's baseline; JSON to stdout (no LLM)",
    )
    .argument(
      '[urls...]',
      "pages to fetch and check (default: the blueprint's example pages, then --known pages its page types claim, at most 5)",
    )
    .requiredOption('--blueprint <file>', 'blueprint file (.json, .yaml or .csv)')
    .option('--pages <dir>', 'check saved *.htm / *.html pages (URL from a leading <base href>) instead of fetching')
    .option('--known <dir>', 'saved pages of the site (e.g. from siteprint sample): their URLs are checked after the example pages')
    .action(async (urls: string[], options: { blueprint: string; pages?: string; known?: string }) => {
      const [{ checkBlueprint }, { readPagesDir }] = await Promise.all([import('../../engine/check.js'), import('../../engine/pages.js')]);
      const blueprint = await readBlueprintFile(options.blueprint);
      const known = options.known ? await readPagesDir(options.known) : [];
      const outcomes = await pagesToCheck(blueprint, { urls, known, ...(options.pages ? { pages: options.pages } : {}) });
      const { verification, ...result } = checkBlueprint(blueprint, outcomes);
      const fields = verification.fields.map(({ pageType, field, required, valid, pages, coverage }) => ({
        pageType,
        field,
        required,
        valid,
        pages,
        coverage,
      }));
      const broken = verification.broken.map((field) => field.field);
      process.stdout.write(JSON.stringify({ ...result, fields, broken }, null, 2) + '\n');
    });
}
