import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, SDK_TYPES_FILE, apiTypesSource } from '../../scripts/api-types.js';

describe('the generated API types', () => {
  it.each([
    ['the dashboard', API_TYPES_FILE],
    ['the TypeScript SDK', SDK_TYPES_FILE],
  ])('of %s are generated from the current OpenAPI document (run npm run web:api-types after changing a route)', async (_, file) => {
    expect(readFileSync(file, 'utf8')).toBe(await apiTypesSource());
  });
});
