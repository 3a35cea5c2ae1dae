import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { AnalysisCoordinator, ANALYSIS_STEPS, type StepWork } from '../../src/pipeline/analysis.js';
import { ANALYZE_SITE } from '../../src/pipeline/job-types.js';
import {
  createJobQueue,
  JobsRepository,
  PermanentJobError,
  Priority,
  type JobHandler,
  type JobHandlers,
  type JobQueue,
  type JobRecord,
} from '../../src/queue/index.js';
import { SitesRepository } from '../../src/sites/sites.repository.js';
import { createTestWorkspace, databaseTargets, type TestDatabase } from '../support/databases.js';

const logger = createLogger({ level: 'silent' });

/**
 * The coordinator's own rules, with step work written here: how steps chain and hand output
 * on, and how failure, cancellation and retry of one step reach the analysis and its site.
 */
describe.each(databaseTargets())('analysis coordinator on $name', (target) => {
  let database: TestDatabase;
  let queue: JobQueue;
  let jobs: JobsRepository;
  let sites: SitesRepository;
  let analysis: AnalysisCoordinator;

  afterEach(async () => {
    await queue?.close(2_000);
    await database?.close();
  });

  /**
   * `after` runs once a step's handler has returned, before the queue records the step's end.
   * Changes `heard` refuses never reach the coordinator, as when its process dies before they do.
   */
  async function setUp(
    work: Partial<Record<(typeof ANALYSIS_STEPS)[number], StepWork>>,
    { after, heard }: { after?: (job: JobRecord) => Promise<void>; heard?: (job: JobRecord) => boolean } = {},
  ) {
    database = await target.open();
    jobs = new JobsRepository(database.db);
    sites = new SitesRepository(database.db);
    queue = await createJobQueue({
      database,
      logger,
      jobTypes: ANALYSIS_STEPS,
      backoffBaseMs: 50,
      pollIntervalMs: 25,
      onChange: async (job) => {
        if (heard?.(job) ?? true) await analysis.onJobChange(job);
      },
    });
    analysis = new AnalysisCoordinator(jobs, queue, sites);
    const passThrough: StepWork = async (context) => ({ [`${context.job.type}Done`]: true });
    const handlers: JobHandlers = Object.fromEntries(
      ANALYSIS_STEPS.map((step) => {
        const handler = analysis.step(work[step] ?? passThrough);
        const run: JobHandler = async (context) => {
          const output = await handler(context);
          await after?.(context.job);
          return output;
        };
        return [step, run];
      }),
    );
    await queue.work(handlers, { concurrency: 2 });
    return sites.insert({ workspaceId: await createTestWorkspace(database), url: `https://${randomUUID()}.example`, name: 'site' });
  }

  async function until(id: string, predicate: (job: JobRecord) => boolean): Promise<JobRecord> {
    // A deadline, not a count of polls: on a loaded two-core machine each poll takes longer.
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      const job = await jobs.get(id);
      if (job && predicate(job)) return job;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`analysis ${id} did not settle: ${JSON.stringify(await jobs.get(id))}`);
  }
  const settled = (id: string) => until(id, (job) => job.status !== 'running' && job.status !== 'queued');

  it('runs the five steps in order, each able to read what the previous ones produced', async () => {
    const seen: Array<[string, Record<string, unknown>, unknown]> = [];
    const record: StepWork = async (context) => {
      const step = context.job.type as (typeof ANALYSIS_STEPS)[number];
      const previous = ANALYSIS_STEPS[ANALYSIS_STEPS.indexOf(step) - 1];
      seen.push([step, context.job.payload, previous && (await analysis.output(context.job, previous))]);
      return { [step]: 'done' };
    };
    const site = await setUp(Object.fromEntries(ANALYSIS_STEPS.map((step) => [step, record])));
    const started = await analysis.start(site, Priority.user);
    expect(started).toMatchObject({ type: 'analyze_site', status: 'running' });
    expect((await sites.get(site.id))?.status).toBe('analyzing');

    const done = await settled(started.id);
    expect(done).toMatchObject({ status: 'succeeded', progress: 1 });
    expect(seen.map(([type]) => type)).toEqual([...ANALYSIS_STEPS]);
    // A step's payload names only its site; each output is stored on its own step job.
    expect(seen.every(([, payload]) => JSON.stringify(payload) === JSON.stringify({ siteId: site.id }))).toBe(true);
    expect(seen.slice(1).map(([, , previous]) => previous)).toEqual(ANALYSIS_STEPS.slice(0, -1).map((step) => ({ [step]: 'done' })));
    expect((await sites.get(site.id))?.status).toBe('ready');
    expect((await jobs.children(started.id)).map((step) => [step.type, step.status])).toEqual(
      ANALYSIS_STEPS.map((step) => [step, 'succeeded']),
    );
  });

  it('ends the analysis only once its last step is recorded as succeeded, never while that step still runs', async () => {
    const analysisWhenStepReturned = new Map<string, string | undefined>();
    const site = await setUp(
      {},
      {
        after: async (step) => {
          analysisWhenStepReturned.set(step.type, (await jobs.get(step.parentId!))?.status);
        },
      },
    );
    const started = await analysis.start(site, Priority.user);
    expect(await settled(started.id)).toMatchObject({ status: 'succeeded', result: { update_blueprintDone: true } });
    // Keyed by step, not in order seen: the next step may start and return before this hook's read ends.
    expect(Object.fromEntries(analysisWhenStepReturned)).toEqual(Object.fromEntries(ANALYSIS_STEPS.map((step) => [step, 'running'])));
    expect((await jobs.children(started.id)).every((step) => step.status === 'succeeded')).toBe(true);
  });

  it('fails the analysis with the failing step named, then resumes from that step on retry', async () => {
    let attempts = 0;
    const site = await setUp({
      generate_selectors: async () => {
        attempts++;
        if (attempts <= 3) throw new Error('selector generation exploded');
        return {};
      },
    });
    const started = await analysis.start(site, Priority.user);
    const failed = await settled(started.id);
    expect(failed).toMatchObject({ status: 'failed', error: 'generate_selectors: selector generation exploded' });
    expect((await sites.get(site.id))?.status).toBe('failed');

    expect(await analysis.retry(started.id)).toBe(true);
    expect(await settled(started.id)).toMatchObject({ status: 'succeeded' });
    const steps = await jobs.children(started.id);
    // Each step ran once more at most: retry resumed at the failed step, not from the start.
    expect(steps.filter((step) => step.type === 'fingerprint_site')).toHaveLength(1);
    expect(steps.find((step) => step.type === 'fingerprint_site')?.attempts).toBe(1);
    expect((await sites.get(site.id))?.status).toBe('ready');
  });

  it('cancels the analysis: the running step stops at its checkpoint and nothing after it starts', async () => {
    let reached = false;
    const site = await setUp({
      discover_categories: async (context) => {
        reached = true;
        for (;;) {
          await context.checkpoint();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      },
    });
    const started = await analysis.start(site, Priority.user);
    await until(started.id, (job) => job.step === 'discover_categories');
    await expect.poll(() => reached).toBe(true);
    await analysis.cancel(started.id);
    expect(await settled(started.id)).toMatchObject({ status: 'cancelled' });
    const steps = await jobs.children(started.id);
    expect(steps.map((step) => [step.type, step.status])).toEqual([
      ['fingerprint_site', 'succeeded'],
      ['discover_categories', 'cancelled'],
    ]);
    expect((await sites.get(site.id))?.status).toBe('pending');
  });

  describe('moving on stalled analyses', () => {
    const stepStatuses = async (id: string) => (await jobs.children(id)).map((step) => `${step.type}:${step.status}`);

    it('ends an analysis whose last step succeeded unheard, once the grace period has passed', async () => {
      const site = await setUp({}, { heard: (job) => !(job.type === 'update_blueprint' && job.status === 'succeeded') });
      const started = await analysis.start(site, Priority.user);
      await expect.poll(() => stepStatuses(started.id), { timeout: 45_000 }).toEqual(ANALYSIS_STEPS.map((step) => `${step}:succeeded`));
      // Within the grace period the change listener may still be at work.
      expect(await analysis.resumeStalled(60)).toBe(0);
      expect((await jobs.get(started.id))?.status).toBe('running');

      expect(await analysis.resumeStalled(0)).toBe(1);
      expect(await jobs.get(started.id)).toMatchObject({ status: 'succeeded', result: { update_blueprintDone: true } });
      expect((await sites.get(site.id))?.status).toBe('ready');
      expect(await analysis.resumeStalled(0)).toBe(0);
    });

    it('fails an analysis whose step failed unheard, naming the step', async () => {
      const site = await setUp(
        {
          generate_selectors: async () => {
            throw new PermanentJobError('no selector held');
          },
        },
        { heard: (job) => job.status !== 'failed' },
      );
      const started = await analysis.start(site, Priority.user);
      await expect.poll(() => stepStatuses(started.id), { timeout: 45_000 }).toContain('generate_selectors:failed');
      expect((await jobs.get(started.id))?.status).toBe('running');

      expect(await analysis.resumeStalled(0)).toBe(1);
      expect(await jobs.get(started.id)).toMatchObject({ status: 'failed', error: 'generate_selectors: no selector held' });
      expect((await sites.get(site.id))?.status).toBe('failed');
    });

    it('gives an analysis that never got its first step that step, and it runs to the end', async () => {
      const site = await setUp({});
      // What start() leaves when its process dies between recording the analysis and queueing a step.
      const orphan = await jobs.insertTracking({
        workspaceId: site.workspaceId,
        siteId: site.id,
        type: ANALYZE_SITE,
        payload: { siteId: site.id },
        priority: Priority.user,
      });
      expect(await analysis.resumeStalled(0)).toBe(1);
      expect(await settled(orphan.id)).toMatchObject({ status: 'succeeded' });
      expect(await stepStatuses(orphan.id)).toEqual(ANALYSIS_STEPS.map((step) => `${step}:succeeded`));
    });

    it('leaves alone an analysis with a step queued or running', async () => {
      let release = false;
      const site = await setUp({
        discover_categories: async () => {
          while (!release) await new Promise((resolve) => setTimeout(resolve, 20));
          return {};
        },
      });
      const started = await analysis.start(site, Priority.user);
      await until(started.id, (job) => job.step === 'discover_categories');
      expect(await analysis.resumeStalled(0)).toBe(0);
      release = true;
      expect(await settled(started.id)).toMatchObject({ status: 'succeeded' });
    });
  });
});
