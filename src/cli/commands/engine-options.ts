import { Option } from 'commander';
import type { Fetcher } from '../../engine/fetch/index.js';
import type { AnalyzedPage, FetchedDocument, RenderMode } from '../../engine/index.js';

// The fetcher (undici) and the renderer (Playwright) load only for the commands that go online:
// `siteprint` loads every command's module to parse its arguments, and these two cost more to
// load than fingerprinting a saved page does.

const allowPrivateNetwork = () => /^(true|1|yes)$/i.test(process.env.ALLOW_PRIVATE_NETWORK ?? '');

/**
 * The fetcher CLI commands use. Like the server it refuses private addresses unless
 * ALLOW_PRIVATE_NETWORK=true, so pointing the CLI at an intranet site is a deliberate choice.
 */
export async function cliFetcher(): Promise<Fetcher> {
  const { Fetcher } = await import('../../engine/fetch/index.js');
  return new Fetcher({ allowPrivateNetwork: allowPrivateNetwork() });
}

export const renderOption = () =>
  new Option('--render <mode>', 'render pages in Chromium (CHROMIUM_PATH, default /usr/bin/chromium): auto renders app shells only')
    .choices(['auto', 'never', 'always'])
    .default('auto');

/** Renders the fetched pages the mode asks for, with the same address guard; notices go to stderr. */
export async function cliRender(pages: FetchedDocument[], mode: RenderMode, fetcher: Fetcher): Promise<AnalyzedPage[]> {
  const { rendererFor, renderWhereNeeded } = await import('../../engine/render/index.js');
  const renderer = rendererFor(fetcher, { allowPrivateNetwork: allowPrivateNetwork() });
  try {
    return await renderWhereNeeded(pages, renderer, mode, {
      onNotice: (level, message) => console.error(`siteprint: ${level === 'warn' ? 'warning: ' : ''}${message}`),
    });
  } finally {
    await renderer.close();
  }
}
