import type { AppInstance } from '../../src/http/app-instance.js';

const FINAL = ['succeeded', 'failed', 'cancelled'];

/** The job once it has finished, read through GET /api/v1/jobs/{id} as a client polls it. */
export async function finishedJob(app: AppInstance, headers: Record<string, string>, jobId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = (await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers })).json();
    if (FINAL.includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}
