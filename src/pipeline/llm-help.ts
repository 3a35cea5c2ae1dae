import type { LlmOptions, LlmReport, LlmUse } from '../engine/index.js';
import type { LlmService } from '../llm/index.js';
import type { JobContext, JobsRepository } from '../queue/index.js';
import type { SiteRecord } from '../sites/sites.repository.js';

export interface LlmDeps {
  llm: LlmService;
  jobs: JobsRepository;
}

/** LLM help for one job: what the engine needs, and which jobs' calls count as this analysis's. */
export interface StepLlm {
  options: LlmOptions;
  /** The steps of the job's analysis (for a standalone job, the job alone): the per-analysis cap and cost cover them all. */
  jobIds: string[];
}

/**
 * The LLM for a pipeline step, or undefined without LLM_API_KEY (heuristics only). Calls are billed to the
 * workspace, site and job; what earlier steps of the same analysis spent counts against the per-analysis cap.
 */
export async function stepLlm(deps: LlmDeps, context: JobContext, site: SiteRecord): Promise<StepLlm | undefined> {
  const client = deps.llm.clientFor({ workspaceId: site.workspaceId, siteId: site.id, jobId: context.job.id });
  if (!client) return undefined;
  const jobIds = context.job.parentId ? (await deps.jobs.children(context.job.parentId)).map((job) => job.id) : [context.job.id];
  const spent = await deps.llm.usageOfJobs(jobIds);
  return {
    options: { client, context: { siteId: site.id, jobId: context.job.id }, capUsd: deps.llm.analysisCapUsd, spentUsd: spent.costUsd },
    jobIds,
  };
}

/**
 * Puts what the LLM did in a step into the job log and the job's cost (and its analysis's). Budget stops and
 * failures are warnings: the step has already gone on heuristics-only.
 */
export async function reportLlm(deps: LlmDeps, context: JobContext, step: StepLlm | undefined, report: LlmReport): Promise<void> {
  if (!step) return;
  for (const note of report.notes) await context.log('warn', note);
  if (report.accepted.length || report.rejected.length) {
    await context.log('info', `LLM proposals: ${report.accepted.length} verified and used, ${report.rejected.length} rejected`, {
      accepted: report.accepted,
      rejected: report.rejected,
    });
  }
  if (report.calls)
    await context.log('info', `LLM: ${report.calls} calls, $${report.costUsd.toFixed(6)}`, { model: step.options.client.model });
  if (report.costUsd > 0) {
    await context.addCost(report.costUsd);
    if (context.job.parentId) await deps.jobs.addCost(context.job.parentId, report.costUsd);
  }
}

/** The blueprint's llm block: every call of the analysis so far (discovery included), from the request log. */
export async function analysisLlmUse(deps: LlmDeps, step: StepLlm): Promise<LlmUse | undefined> {
  const totals = await deps.llm.usageOfJobs(step.jobIds);
  return totals.requests
    ? { model: step.options.client.model, requests: totals.requests, costUsd: Math.round(totals.costUsd * 1e6) / 1e6 }
    : undefined;
}
