import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { RenderMode } from '../../engine/index.js';
import { cliFetcher, cliRender, renderOption } from './engine-options.js';

export function registerSampleCommand(program: Command): void {
  program
    .command('sample')
    .description('Collect pages of a site (sitemap, then links, varied URL shapes) into a folder with a manifest')
    .argument('<url>', 'the site')
    .requiredOption('--out <dir>', 'folder for the pages (0000.html, …) and manifest.json')
    .option('--max-pages <n>', 'how many pages', '30')
    .addOption(renderOption())
    .action(async (url: string, options: { out: string; maxPages: string; render: RenderMode }) => {
      const maxPages = Number(options.maxPages);
      if (!Number.isInteger(maxPages) || maxPages < 1) throw new Error('--max-pages must be a positive whole number');
      const { sampleSite } = await import('../../engine/sample/index.js');
      const fetcher = await cliFetcher();
      const { result, pages } = await sampleSite(fetcher, url, { maxPages })
        .then(async (sampled) => ({ result: sampled, pages: await cliRender(sampled.pages, options.render, fetcher) }))
        .finally(() => fetcher.close());
      await mkdir(options.out, { recursive: true });
      const manifest = [];
      for (const [index, page] of pages.entries()) {
        const file = `${String(index).padStart(4, '0')}.html`;
        // The leading <base href> records where the page came from, as the other commands expect.
        await writeFile(path.join(options.out, file), `<base href="${page.finalUrl.replaceAll('"', '%22')}"/>\n${page.html}`);
        manifest.push({
          file,
          url: page.url,
          finalUrl: page.finalUrl,
          status: page.status,
          headers: page.headers,
          fetchMs: page.fetchMs,
          rendered: page.rendered,
        });
      }
      await writeFile(
        path.join(options.out, 'manifest.json'),
        `${JSON.stringify({ site: url, pages: manifest, failures: result.failures, sitemaps: result.sitemaps }, null, 2)}\n`,
      );
      console.error(`saved ${pages.length} pages to ${options.out}${result.failures.length ? ` (${result.failures.length} failed)` : ''}`);
    });
}
