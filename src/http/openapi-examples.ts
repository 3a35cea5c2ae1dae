import recorded from './openapi-examples.json' with { type: 'json' };

/** Answers recorded from the running app, by operationId, status and content type. */
export type RecordedExamples = Record<string, Record<string, Record<string, unknown>>>;

/** Where the recorded examples live, for the test that records them (RECORD_OPENAPI_EXAMPLES=1). */
export const OPENAPI_EXAMPLES_FILE = 'src/http/openapi-examples.json';

interface MediaType {
  example?: unknown;
}
interface OperationObject {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}

/**
 * Gives each response of the document the example recorded for it: real answers of the app,
 * captured by the OpenAPI conformance suite as it calls every operation (success and error cases),
 * with addresses and secrets made neutral.
 */
export function withRecordedExamples<Document extends { paths?: unknown }>(
  document: Document,
  examples = recorded as RecordedExamples,
): Document {
  for (const methods of Object.values((document.paths ?? {}) as Record<string, Record<string, OperationObject>>)) {
    for (const operation of Object.values(methods)) {
      const byStatus = operation.operationId ? examples[operation.operationId] : undefined;
      if (!byStatus || !operation.responses) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [contentType, media] of Object.entries(response.content ?? {})) {
          const example = byStatus[status]?.[contentType];
          if (example !== undefined) media.example = example;
        }
      }
    }
  }
  return document;
}
