import type { Blueprint } from '../../engine/blueprint/index.js';
import type { CheckedPage, CheckPage } from '../../engine/check.js';
import type { PageInput } from '../../engine/pages.js';
import { cliFetcher } from './engine-options.js';

/**
 * The pages `siteprint check` and `siteprint repair` read: saved pages from `--pages`, else the URLs
 * given, else the pages the engine's check rule picks (the blueprint's example pages, then pages of
 * `known` its page types claim), fetched now like the platform's checks fetch them.
 */
export async function pagesToCheck(
  blueprint: Blueprint,
  options: { pages?: string; urls: string[]; known?: PageInput[] },
): Promise<CheckedPage[]> {
  const [{ checkUrls, fetchPages }, { readPagesDir }] = await Promise.all([
    import('../../engine/check.js'),
    import('../../engine/pages.js'),
  ]);
  if (options.pages) {
    if (options.urls.length) throw new Error('give URLs or --pages, not both');
    return (await readPagesDir(options.pages)).map((page) => ({ url: page.url, page: { url: page.url, html: page.html } }));
  }
  const urls = options.urls.length ? options.urls : checkUrls(blueprint, options.known ?? []);
  if (urls.length === 0) throw new Error('the blueprint names no example pages: give URLs or --pages');
  for (const url of urls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new Error(`not an http(s) URL: ${url}`);
  }
  const outcomes: CheckedPage<CheckPage>[] = await fetchPages(await cliFetcher(), urls);
  return outcomes;
}
