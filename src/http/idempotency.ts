import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema/index.js';
import type { AppInstance } from './app-instance.js';
import { HttpProblem } from './problem.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const RETENTION_HOURS = 24;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Creating POST routes honour the Idempotency-Key header. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  /** Claims the key for this request; returns the earlier row when the key is taken. */
  async claim(scope: string, key: string, fingerprint: string) {
    await this.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${RETENTION_HOURS})`));
    const [claimed] = await this.db.insert(idempotencyKeys).values({ scope, key, fingerprint }).onConflictDoNothing().returning();
    if (claimed) return { claimed: true as const };
    const [existing] = await this.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    return { claimed: false as const, existing: existing! };
  }

  async complete(scope: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.db
      .update(idempotencyKeys)
      .set({ statusCode, body: body as object })
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  }
}

/**
 * Idempotency-Key for creating requests: the first request with a key runs and its response
 * is stored; a repeat gets the stored response (with `Idempotent-Replayed: true`) instead of
 * creating twice. A server error frees the key, so the client may try again.
 */
export function registerIdempotency(
  app: AppInstance,
  repository: IdempotencyRepository,
  scopeOf: (request: FastifyRequest) => string,
): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.routeOptions.config.idempotent) return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new HttpProblem(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
        slug: 'validation',
        errors: [{ in: 'headers', path: '/idempotency-key', message: 'invalid' }],
      });
    }
    const scope = scopeOf(request);
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.routeOptions.url}\n${JSON.stringify(request.params)}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const result = await repository.claim(scope, key, fingerprint);
    if (result.claimed) {
      request.idempotency = { scope, key };
      return;
    }
    const { existing } = result;
    if (existing.fingerprint !== fingerprint) {
      throw new HttpProblem(422, 'This Idempotency-Key was used for a different request', { slug: 'idempotency-key-reused' });
    }
    if (existing.statusCode === null) {
      throw new HttpProblem(409, 'A request with this Idempotency-Key is still being processed', { slug: 'idempotency-key-in-use' });
    }
    return reply.status(existing.statusCode).header('idempotent-replayed', 'true').send(existing.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500) await repository.release(claim.scope, claim.key);
    else await repository.complete(claim.scope, claim.key, reply.statusCode, typeof payload === 'string' ? JSON.parse(payload) : null);
    return payload;
  });
}
