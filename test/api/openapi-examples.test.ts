import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/app/openapi-document.js';
import recorded from '../../src/http/openapi-examples.json' with { type: 'json' };

// ajv-formats is CommonJS: under ESM its plugin is the module's `default` property.
const addFormats = ajvFormats.default;

interface Operation {
  operationId?: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * The document a client reads: every operation has an operationId and at least one example (the
 * answers the conformance suite recorded), each example is valid against its schema, and none is
 * left for an operation that no longer exists.
 */
describe('OpenAPI examples', () => {
  let document: { paths: Record<string, Record<string, Operation>>; externalDocs?: { url: string } };
  const operations: Array<{ path: string; method: string; operation: Operation }> = [];

  beforeAll(async () => {
    document = (await buildOpenApiDocument()) as typeof document;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) operations.push({ path, method, operation });
    }
  });

  it('every operation has an operationId and at least one example', () => {
    expect(operations.length).toBeGreaterThan(100);
    expect(operations.filter(({ operation }) => !operation.operationId).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    const withoutExample = operations.filter(({ operation }) =>
      Object.values(operation.responses).every((response) =>
        Object.values(response.content ?? {}).every((media) => media.example === undefined),
      ),
    );
    expect(
      withoutExample.map(({ operation }) => operation.operationId),
      'record them: RECORD_OPENAPI_EXAMPLES=1 npx vitest run test/api/openapi-conformance.test.ts',
    ).toEqual([]);
  });

  it('every example is valid against its schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema(document, 'openapi');
    const invalid: string[] = [];
    for (const { path, method, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [contentType, media] of Object.entries(response.content ?? {})) {
          if (media.example === undefined) continue;
          const validate = ajv.compile({
            $ref: `openapi#/${pointer('paths', path, method, 'responses', status, 'content', contentType, 'schema')}`,
          });
          if (!validate(media.example))
            invalid.push(`${operation.operationId} ${status} ${contentType}: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    expect(invalid).toEqual([]);
  });

  it('keeps no example of an operation the document no longer has', () => {
    const ids = new Set(operations.map(({ operation }) => operation.operationId));
    expect(Object.keys(recorded).filter((id) => !ids.has(id))).toEqual([]);
  });
});
