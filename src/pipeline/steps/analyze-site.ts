import {
  discoverWithLlm,
  mergeFingerprints,
  POLICY_REFUSALS,
  renderWhereNeeded,
  sampleSite,
  type FetchErrorCode,
  type Fetcher,
  type Fingerprint,
  type Renderer,
} from '../../engine/index.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SiteState } from '../../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import type { JobResult } from '../job-types.js';
import { pageText, type EngineThreads } from '../engine-threads.js';
import { reportLlm, stepLlm, type LlmDeps } from '../llm-help.js';

const DEFAULT_MAX_PAGES = 30;

/**
 * Why no page could be sampled. The start page comes first: when policy refused it (its address
 * or robots.txt), later attempts would be refused the same way, so the job fails at once.
 */
function unfetchable(url: string, start: { error: string; code?: FetchErrorCode } | undefined): Error {
  const message = `no page of ${url} could be fetched${start ? `: ${start.error}` : ''}`;
  if (start?.code === 'blocked_address') {
    return new PermanentJobError(
      `${message}. Analysis does not fetch non-public addresses unless the server runs with ALLOW_PRIVATE_NETWORK=true`,
    );
  }
  if (start?.code && POLICY_REFUSALS.has(start.code)) return new PermanentJobError(message);
  return new Error(message);
}

/** Shares of fingerprint_site's progress: sampling pages, rendering those that need it, then fingerprinting them. */
const SAMPLED = 0.4;
const RENDERED = 0.7;

/**
 * fingerprint_site: sample the site's pages, keep them for the later steps, detect its technologies.
 * Progress moves with every page sampled, rendered and fingerprinted.
 */
export function fingerprintSiteStep(deps: {
  sites: SitesRepository;
  siteState: SiteState;
  fetcher: Fetcher;
  renderer: Renderer;
  engine: EngineThreads;
}) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'fingerprint_site'>> => {
    const maxPages = site.options.maxPages ?? DEFAULT_MAX_PAGES;
    const sample = await sampleSite(deps.fetcher, site.url, {
      maxPages,
      onPage: async (_, collected) => {
        await context.checkpoint();
        await context.progress((SAMPLED * collected) / maxPages, 'sampling');
      },
    });
    for (const failure of sample.failures.slice(0, 10)) await context.log('warn', `could not use ${failure.url}: ${failure.error}`);
    if (sample.pages.length === 0) throw unfetchable(site.url, sample.failures[0]);
    await context.progress(SAMPLED, 'rendering');
    let rendering = 0;
    const pages = await renderWhereNeeded(sample.pages, deps.renderer, site.options.render ?? 'auto', {
      onNotice: (level, message) => context.log(level, message),
      beforeEach: async () => {
        await context.checkpoint();
        // Only pages that need a browser are rendered; their number is not known here, so the share fills per sampled page.
        await context.progress(SAMPLED + ((RENDERED - SAMPLED) * rendering++) / sample.pages.length, 'rendering');
      },
    });
    await deps.sites.replacePages(
      site.id,
      pages.map((page) => ({
        url: page.finalUrl,
        finalUrl: page.finalUrl,
        status: page.status,
        headers: page.headers,
        html: page.html,
        rendered: page.rendered,
        fetchMs: page.fetchMs,
      })),
    );
    // One page per engine-thread call, so progress moves between pages; merging the pages' fingerprints is cheap.
    const fingerprints: Fingerprint[] = [];
    for (const [done, page] of pages.entries()) {
      await context.progress(RENDERED + ((1 - RENDERED) * done) / pages.length, 'fingerprinting');
      const signals = { url: page.finalUrl, html: page.html, headers: page.headers, ...('js' in page ? { js: page.js } : {}) };
      fingerprints.push(await deps.engine.run('fingerprint', { pages: [signals] }));
    }
    const fingerprint = mergeFingerprints(fingerprints);
    await deps.siteState.fingerprinted(site.id, fingerprint);
    await context.log('info', `sampled ${sample.pages.length} pages; found ${fingerprint.technologies.length} technologies`, {
      sitemaps: sample.sitemaps,
      technologies: fingerprint.technologies.slice(0, 20).map((technology) => technology.name),
    });
    return { sampledPages: sample.pages.length };
  };
}

/**
 * discover_categories: group the sampled pages into page types with proposed fields; with an LLM, the
 * model names and describes the types and proposes further fields (names only, verified later).
 */
export function discoverPageTypesStep(deps: { sites: SitesRepository; siteState: SiteState; engine: EngineThreads } & LlmDeps) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'discover_categories'>> => {
    const pages = (await deps.sites.pages(site.id)).filter((page) => page.status < 400).map(pageText);
    const heuristic = await deps.engine.run('discover', { pages });
    const llm = await stepLlm(deps, context, site);
    const { pageTypes, llm: report } = await discoverWithLlm(pages, llm?.options, heuristic);
    await reportLlm(deps, context, llm, report);
    await deps.siteState.pageTypesDiscovered(site.id, pageTypes);
    await context.log('info', `found ${pageTypes.length} page types`, {
      pageTypes: pageTypes.map((type) => ({
        name: type.name,
        description: type.description,
        kind: type.kind,
        dataType: type.dataType,
        pages: type.urls.length,
      })),
    });
    return { pageTypes: pageTypes.length };
  };
}
