import type { JobContext, JobHandler, JobQueue, JobRecord, JobsRepository, Priority } from '../queue/index.js';
import { withSpan } from '../logging/tracing.js';
import { JobCancelledError, PermanentJobError } from '../queue/index.js';
import { SiteState } from '../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../sites/sites.repository.js';
import { ANALYSIS_STEPS, ANALYZE_SITE, payloadOf, type AnalysisStep, type JobPayload, type JobResult } from './job-types.js';

export { ANALYSIS_STEPS, type AnalysisStep } from './job-types.js';

const isStep = (type: string): type is AnalysisStep => (ANALYSIS_STEPS as readonly string[]).includes(type);

/** A step's result, stored as its own output for the steps after it. */
export type StepOutput = Record<string, unknown>;
export type StepWork = (context: JobContext, site: SiteRecord) => Promise<StepOutput>;

/**
 * Runs an analysis as a chain of step jobs under one `analyze_site` record, which the API
 * shows with the current step and progress. Every step is enqueued with its site only; its
 * output is stored on its own job and later steps read the outputs they need. A step that
 * fails for good or is cancelled ends the analysis the same way.
 */
export class AnalysisCoordinator {
  /** The site's status follows its analysis; SiteState makes those changes. */
  private readonly state: SiteState;

  constructor(
    private readonly jobs: JobsRepository,
    private readonly queue: JobQueue,
    private readonly sites: SitesRepository,
  ) {
    this.state = new SiteState(sites);
  }

  /** Starts an analysis of the site; `id` is its job's id when the caller chose one (the quota ledger counts it by that id). */
  async start(site: SiteRecord, priority: Priority, id?: string): Promise<JobRecord> {
    const analysis = await this.jobs.insertTracking({
      id,
      workspaceId: site.workspaceId,
      siteId: site.id,
      type: ANALYZE_SITE,
      payload: { siteId: site.id },
      priority,
    });
    await this.state.analysing(site.id);
    await this.enqueueStep(analysis, ANALYSIS_STEPS[0], { siteId: site.id });
    return analysis;
  }

  /** Wraps a step's work into its job handler. */
  step(work: StepWork): JobHandler {
    return async (context) => {
      const site = await this.sites.get(payloadOf(context.job, context.job.type as AnalysisStep).siteId);
      if (!site) throw new PermanentJobError('the site no longer exists');
      // Cancelling the analysis between two steps must stop the step that starts next.
      if (context.job.parentId && (await this.jobs.isCancelRequested(context.job.parentId))) throw new JobCancelledError();
      await context.log('info', `${context.job.type} started`);
      const output = await work(context, site);
      await context.checkpoint();
      await this.advance(context.job, output);
      return output;
    };
  }

  /** The stored output of an earlier step of the same analysis as `job`. */
  async output<Step extends AnalysisStep>(job: JobRecord, step: Step): Promise<JobResult<Step>> {
    const done = job.parentId ? (await this.jobs.children(job.parentId)).find((child) => child.type === step && child.result) : undefined;
    if (!done) throw new PermanentJobError(`${step} of this analysis left no output`);
    return done.result as JobResult<Step>;
  }

  private async advance(step: JobRecord, output: StepOutput): Promise<void> {
    const analysis = step.parentId ? await this.jobs.get(step.parentId) : undefined;
    if (!analysis || !isStep(step.type)) return;
    const index = ANALYSIS_STEPS.indexOf(step.type);
    const next = ANALYSIS_STEPS[index + 1];
    // After the last step the analysis ends once that step is recorded as succeeded (onJobChange),
    // so no one sees a finished analysis whose last step still runs.
    if (!next) return;
    // Stored before the next step exists: that step reads it as soon as a worker picks it up.
    await this.jobs.saveOutput(step.id, output);
    await this.jobs.setProgress(analysis.id, (index + 1) / ANALYSIS_STEPS.length, next);
    await this.enqueueStep(analysis, next, { siteId: step.siteId! });
  }

  private async enqueueStep(analysis: JobRecord, type: AnalysisStep, payload: JobPayload<AnalysisStep>): Promise<void> {
    // The producer span's context is stored on the step's record (tracing on), as for any queued job.
    await withSpan(`enqueue ${type}`, { kind: 'producer', attributes: { 'siteprint.job_type': type } }, async () => {
      const { job, created } = await this.jobs.insertChildOnce({
        workspaceId: analysis.workspaceId,
        siteId: analysis.siteId,
        parentId: analysis.id,
        type,
        payload,
        priority: analysis.priority as Priority,
      });
      // An existing queued child may have been inserted by a run that died before handing it over.
      if (created || job.status === 'queued') await this.queue.dispatch(job);
    });
  }

  /**
   * Job change listener: mirrors step progress and endings onto the analysis and its site. Each step
   * is an equal share of the analysis, filled as the step reports its own progress; the analysis
   * ends when its last step has succeeded or any step has failed or been cancelled.
   */
  async onJobChange(job: JobRecord): Promise<void> {
    if (!job.parentId || !isStep(job.type)) return;
    const index = ANALYSIS_STEPS.indexOf(job.type);
    if (job.status === 'running') {
      await this.jobs.setProgress(job.parentId, (index + job.progress) / ANALYSIS_STEPS.length, job.type);
    } else if (job.status === 'succeeded' && index === ANALYSIS_STEPS.length - 1) {
      const analysis = await this.jobs.get(job.parentId);
      if (analysis?.status !== 'running') return;
      // The site first, as on failure: the analysis's end is the signal to read it.
      if (job.siteId) await this.state.analysed(job.siteId);
      await this.jobs.finish(job.parentId, { status: 'succeeded', result: job.result });
    } else if (job.status === 'failed' || job.status === 'cancelled') {
      const analysis = await this.jobs.get(job.parentId);
      if (analysis?.status !== 'running') return;
      // The site settles first: whoever sees the analysis end then reads the site's final status.
      if (job.siteId) await this.state.analysisStopped(job.siteId, job.status);
      await this.jobs.finish(job.parentId, {
        status: job.status,
        error: job.status === 'failed' ? `${job.type}: ${job.error ?? 'failed'}` : 'cancelled',
      });
    }
  }

  /**
   * Moves on the analyses nothing else will: those whose step ended without the change listener
   * acting on it (the process died between the two writes, or the listener failed), and those
   * left without their next step. Each is ended as its steps say, or given the step it lacks.
   * Returns how many it moved.
   */
  async resumeStalled(graceSeconds: number): Promise<number> {
    const stalled = await this.jobs.stalledTracking(ANALYZE_SITE, graceSeconds);
    for (const analysis of stalled) {
      const steps = await this.jobs.children(analysis.id);
      const stopped = steps.find((step) => step.status === 'failed' || step.status === 'cancelled');
      const missing = ANALYSIS_STEPS.find((type) => !steps.some((step) => step.type === type));
      if (stopped) await this.onJobChange(stopped);
      else if (missing) await this.enqueueStep(analysis, missing, { siteId: analysis.siteId! });
      else await this.onJobChange(steps.find((step) => step.type === ANALYSIS_STEPS.at(-1))!);
    }
    return stalled.length;
  }

  /** Cancels any job: an analysis with its steps, any other job at its handler's next checkpoint. */
  async cancelJob(job: JobRecord): Promise<void> {
    if (job.type === ANALYZE_SITE) await this.cancel(job.id);
    else await this.jobs.requestCancel(job.id);
  }

  /** Cancels an analysis: queued steps at once, the running step at its next checkpoint. */
  async cancel(analysisId: string): Promise<void> {
    await this.jobs.requestCancel(analysisId);
    for (const child of await this.jobs.children(analysisId)) {
      if (child.status === 'queued' || child.status === 'running') await this.jobs.requestCancel(child.id);
    }
    const analysis = await this.jobs.get(analysisId);
    const active = (await this.jobs.children(analysisId)).some((child) => child.status === 'running');
    // With no step running, nothing will report the cancellation: record it here.
    if (analysis?.status === 'running' && !active) {
      if (analysis.siteId) await this.state.analysisStopped(analysis.siteId, 'cancelled');
      await this.jobs.finish(analysisId, { status: 'cancelled', error: 'cancelled' });
    }
  }

  /** Resumes a failed or cancelled analysis from the step that stopped it. */
  async retry(analysisId: string): Promise<boolean> {
    const analysis = await this.jobs.get(analysisId);
    if (!analysis || (analysis.status !== 'failed' && analysis.status !== 'cancelled')) return false;
    const stopped = (await this.jobs.children(analysisId)).filter((child) => child.status === 'failed' || child.status === 'cancelled');
    await this.jobs.reopen(analysisId);
    if (analysis.siteId) await this.state.analysing(analysis.siteId);
    if (stopped.length === 0) {
      // Cancelled before any step was created or after the last one: start from the first missing step.
      const done = new Set((await this.jobs.children(analysisId)).map((child) => child.type));
      const first = ANALYSIS_STEPS.find((step) => !done.has(step)) ?? ANALYSIS_STEPS[0];
      await this.enqueueStep(analysis, first, { siteId: analysis.siteId! });
      return true;
    }
    for (const child of stopped) {
      const reset = await this.jobs.resetForRetry(child.id);
      if (reset) await this.queue.dispatch(reset);
    }
    return true;
  }
}
