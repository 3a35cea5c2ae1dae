import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';

export interface SerializedBody {
  json: Buffer;
  /** A strong validator of exactly these bytes. */
  etag: string;
}

/**
 * Response bodies written once per source object, for answers served from a cache: while the cache
 * hands out the same object, the body is the same, so it is validated, encoded and stringified once
 * (as every response is) instead of on every request. A new object from the cache gets a new body.
 */
export function serializedOnce<T extends z.ZodType>(schema: T, route: { method: string; url: string }) {
  const serialize = serializerCompiler({ schema, ...route }) as (data: unknown) => string;
  const bodies = new WeakMap<object, SerializedBody>();
  return (source: object, build: () => z.input<T>): SerializedBody => {
    let body = bodies.get(source);
    if (!body) {
      const json = Buffer.from(serialize(build()));
      bodies.set(source, (body = { json, etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"` }));
    }
    return body;
  };
}

/**
 * Sends a body made by `serializedOnce` (JSON already, so Fastify sends it as it is) with its ETag,
 * or 304 Not Modified when the client already holds it (If-None-Match).
 */
export function sendSerialized(request: FastifyRequest, reply: FastifyReply, body: SerializedBody): FastifyReply {
  reply.header('etag', body.etag);
  const held = request.headers['if-none-match'];
  if (held !== undefined && held.split(',').some((tag) => tag.trim().replace(/^W\//, '') === body.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(body.json);
}
