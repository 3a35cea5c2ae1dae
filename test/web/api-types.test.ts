import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/api-types.js';

describe('the generated API types', () => {
  it('are generated from the current OpenAPI document (run npm run web:api-types after changing a route)', async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypesSource());
  });
});
