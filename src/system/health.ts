import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';

/** A dependency the instance needs to serve traffic; throws (or rejects) when it is not ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 3_000;

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  })
  .meta({ id: 'Readiness' });

type Readiness = z.infer<typeof readinessSchema>;

async function runCheck(check: ReadinessCheck): Promise<Readiness['checks'][string]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(checks: ReadinessCheck[]): Promise<Readiness> {
  const results = await Promise.all(checks.map(async (check) => [check.name, await runCheck(check)] as const));
  const all = Object.fromEntries(results);
  return { status: results.every(([, result]) => result.ok) ? 'ready' : 'unavailable', checks: all };
}

export function registerHealthRoutes(app: AppInstance, checks: ReadinessCheck[]): void {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process is up and serving HTTP',
        response: { 200: z.object({ status: z.literal('live') }) },
      },
    },
    async () => ({ status: 'live' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: every dependency answers (503 lists those that do not)',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const result = await readiness(checks);
      return reply.status(result.status === 'ready' ? 200 : 503).send(result);
    },
  );
}
