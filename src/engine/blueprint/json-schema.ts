import { z } from 'zod';
import { Blueprint } from './schema.js';

/** The JSON Schema derived from the zod type; schemas/blueprint.schema.json is this, committed. */
export function blueprintJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://siteprint.dev/schemas/blueprint.schema.json',
    title: 'Siteprint blueprint',
    ...z.toJSONSchema(Blueprint, { target: 'draft-2020-12' }),
  };
}
