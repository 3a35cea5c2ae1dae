import { writeFileSync } from 'node:fs';
import { OPENAPI_EXAMPLES_FILE, type RecordedExamples } from '../../src/http/openapi-examples.js';

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/;
const SECRET_KEY = /token|secret|password/i;
const MAX_ITEMS = 3;
const MAX_STRING = 400;

/**
 * Collects one real answer per (operation, status, content type) while the conformance suite
 * calls every operation, and writes them as the document's examples when RECORD_OPENAPI_EXAMPLES=1
 * (`src/http/openapi-examples.json`). Loopback addresses of the fixture shop become
 * https://books.example, secrets keep only their first characters, long lists and texts are cut.
 */
export class ExampleRecorder {
  readonly #examples: RecordedExamples = {};

  constructor(private readonly addresses: Record<string, string>) {}

  record(operationId: string, status: number, contentType: string, body: string): void {
    if (!JSON_TYPE.test(contentType) || !body) return;
    const byStatus = (this.#examples[operationId] ??= {});
    const byType = (byStatus[String(status)] ??= {});
    if (contentType in byType) return;
    byType[contentType] = this.#neutral(JSON.parse(body), '');
  }

  write(): void {
    const sorted = Object.fromEntries(Object.entries(this.#examples).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(OPENAPI_EXAMPLES_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
  }

  #neutral(value: unknown, key: string): unknown {
    if (typeof value === 'string') {
      let text = value;
      for (const [from, to] of Object.entries(this.addresses)) text = text.replaceAll(from, to);
      if (SECRET_KEY.test(key) && text.length > 8) return `${text.slice(0, 8)}…`;
      return text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
    }
    if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => this.#neutral(item, key));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.#neutral(item, name)]));
    }
    return value;
  }
}
