import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem.js';

/**
 * Where a parsed body carries a key that could reach an object's prototype when merged into
 * another object (`__proto__`, or `constructor` holding `prototype`), as a JSON pointer; undefined
 * when there is none.
 */
export function prototypeKeyPath(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = prototypeKeyPath(item, `${path}/${index}`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key === '__proto__') return here;
    if (key === 'constructor' && typeof item === 'object' && item !== null && Object.hasOwn(item, 'prototype')) return `${here}/prototype`;
    const found = prototypeKeyPath(item, here);
    if (found) return found;
  }
  return undefined;
}

/**
 * Replaces Fastify's JSON parser, which answers a prototype-poisoning body with the same
 * "Body is not valid JSON" as a syntax error: a client sending well-formed JSON deserves to hear
 * which key is refused and where.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(new HttpProblem(400, "The body is empty but content-type is 'application/json'"), undefined);
    let parsed: unknown;
    try {
      // JSON.parse makes "__proto__" an ordinary own property, so nothing is poisoned before the check below.
      parsed = JSON.parse(text);
    } catch (error) {
      return done(new HttpProblem(400, `The body is not valid JSON: ${(error as Error).message}`), undefined);
    }
    const refused = prototypeKeyPath(parsed);
    if (refused) {
      return done(
        new HttpProblem(
          400,
          `The body contains the key "${refused.split('/').pop()}" at ${refused}; keys that can alter object prototypes (__proto__, constructor.prototype) are refused`,
          {
            slug: 'forbidden-json-key',
            errors: [{ in: 'body', path: refused, message: 'keys that can alter object prototypes are refused' }],
          },
        ),
        undefined,
      );
    }
    return done(null, parsed);
  });
}
