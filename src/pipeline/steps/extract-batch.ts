import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import { compileBlueprint, type Fetcher } from '../../engine/index.js';
import type { ExtractionResultsRepository } from '../../extraction/extraction-results.repository.js';
import { extractUrl } from '../../extraction/extract-page.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SiteRecord } from '../../sites/sites.repository.js';
import { threadedExtraction, type EngineThreads } from '../engine-threads.js';
import { EXTRACT_BATCH, payloadOf, type JobResult } from '../job-types.js';

/**
 * extract_batch: the active blueprint over many URLs, one stored record each. A retried job
 * skips the URLs an earlier attempt already stored.
 */
export function extractBatchHandler(deps: {
  blueprints: BlueprintsRepository;
  results: ExtractionResultsRepository;
  fetcher: Fetcher;
  engine: EngineThreads;
}) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'extract_batch'>> => {
    const active = await deps.blueprints.active(site.id);
    if (!active) throw new PermanentJobError('the site has no blueprint to extract with');
    const { urls } = payloadOf(context.job, EXTRACT_BATCH);
    // Which page type claims a URL is decided here (cheap); reading the page happens in a worker thread.
    const compiled = compileBlueprint(active.content);
    const apply = threadedExtraction(deps.engine)(active.content);
    const done = await deps.results.done(context.job.id);
    let failed = 0;
    for (const [position, url] of urls.entries()) {
      if (done.has(position)) continue;
      await context.checkpoint();
      const result = await extractUrl(deps.fetcher, compiled, url, apply);
      if (result.error) failed++;
      await deps.results.save({
        jobId: context.job.id,
        position,
        url,
        pageType: result.pageType,
        data: result.data,
        typed: result.typed,
        error: result.error,
      });
      await context.progress((position + 1) / urls.length, 'extracting');
    }
    // The pages were reserved when the batch was accepted; the job's final state settles them (extractionBatchFinished).
    await context.log('info', `extracted ${urls.length} pages with blueprint version ${active.version}`, { failed });
    return { pages: urls.length, failed, blueprintVersion: active.version };
  };
}
