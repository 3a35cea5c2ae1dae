import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readBlueprintFile } from './blueprint-file.js';
import { pagesToCheck } from './site-pages.js';

export function registerRepairCommand(program: Command): void {
  program
    .command('repair')
    .description(
      "Repair a blueprint whose fields stopped matching, as the platform's repairs do: re-locate them on fresh pages from the values it read on the pages it last worked on; JSON to stdout (no LLM)",
    )
    .argument(
      '[urls...]',
      "fresh pages to fetch (default: the blueprint's example pages, then --known pages its page types claim, at most 5)",
    )
    .requiredOption('--blueprint <file>', 'blueprint file (.json, .yaml or .csv)')
    .requiredOption(
      '--known <dir>',
      "saved copies of the site's pages the blueprint last read correctly (*.htm / *.html, URL from a leading <base href>)",
    )
    .option('--pages <dir>', 'fresh copies as saved pages instead of fetching them')
    .option('--out <file>', 'write the repaired blueprint here (.json, .yaml or .csv) instead of into the JSON on stdout')
    .action(async (urls: string[], options: { blueprint: string; known: string; pages?: string; out?: string }) => {
      const [{ repairBlueprint }, { servedPages }, { exportBlueprint, formatFromPath, updateBlueprint }, { readPagesDir }] =
        await Promise.all([
          import('../../engine/repair.js'),
          import('../../engine/check.js'),
          import('../../engine/blueprint/index.js'),
          import('../../engine/pages.js'),
        ]);
      const blueprint = await readBlueprintFile(options.blueprint);
      const known = await readPagesDir(options.known);
      const outcomes = await pagesToCheck(blueprint, { urls, known, ...(options.pages ? { pages: options.pages } : {}) });
      for (const failed of outcomes.filter((outcome) => outcome.error)) console.error(`siteprint: warning: ${failed.url}: ${failed.error}`);
      const outcome = await repairBlueprint({ blueprint, fresh: servedPages(outcomes), stored: known });
      if (outcome.status === 'intact') {
        process.stdout.write(JSON.stringify({ status: 'intact', repaired: [], coverage: outcome.coverage }, null, 2) + '\n');
        return;
      }
      // The next version, as the platform saves it.
      const next = updateBlueprint(blueprint, outcome.blueprint).blueprint;
      const summary = { status: 'repaired', pageType: outcome.pageType, repaired: outcome.repaired, coverage: outcome.coverage };
      if (options.out) {
        await writeFile(options.out, exportBlueprint(next, formatFromPath(options.out)));
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      } else {
        process.stdout.write(JSON.stringify({ ...summary, blueprint: next }, null, 2) + '\n');
      }
    });
}
