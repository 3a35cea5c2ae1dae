import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import type { PageSignals, RenderMode } from '../../engine/index.js';
import { cliFetcher, cliRender, renderOption } from './engine-options.js';

const headersFile = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

export function registerFingerprintCommand(program: Command): void {
  program
    .command('fingerprint')
    .description('Detect the technologies of a page (CMS, frameworks, analytics, servers) and print them as JSON')
    .argument('[url]', 'page to fetch and fingerprint')
    .option('--file <page.html>', 'fingerprint a saved page instead of fetching one')
    .option('--url <url>', 'the URL of the saved page (default: its leading <base href>)')
    .option('--headers <headers.json>', 'response headers of the saved page, as a JSON object')
    .addOption(renderOption())
    .action(async (url: string | undefined, options: { file?: string; url?: string; headers?: string; render: RenderMode }) => {
      if (!url && !options.file) throw new Error('give a URL to fetch, or --file with a saved page');
      const [{ fingerprintPage }, { leadingBaseUrl }] = await Promise.all([
        import('../../engine/fingerprint/index.js'),
        import('../../engine/pages.js'),
      ]);
      let signals: PageSignals;
      if (options.file) {
        const html = await readText(options.file, 'page');
        let headers: Record<string, string> = {};
        if (options.headers) {
          const parsed = headersFile.safeParse(JSON.parse(await readText(options.headers, 'headers file')));
          if (!parsed.success) throw new Error(`headers file ${options.headers} must be a JSON object of header names to values`);
          headers = Object.fromEntries(
            Object.entries(parsed.data).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
          );
        }
        signals = { url: options.url ?? leadingBaseUrl(html) ?? 'file:///page.html', html, headers };
      } else {
        const fetcher = await cliFetcher();
        const [page] = await fetcher
          .fetch(url!)
          .then((fetched) => cliRender([fetched], options.render, fetcher))
          .finally(() => fetcher.close());
        signals = { url: page!.finalUrl, html: page!.html, headers: page!.headers, ...('js' in page! ? { js: page.js } : {}) };
      }
      process.stdout.write(`${JSON.stringify(fingerprintPage(signals), null, 2)}\n`);
    });
}
