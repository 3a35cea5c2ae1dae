import type { Blueprint } from '../../src/engine/blueprint/index.js';

/**
 * A blueprint with one product page type (pages at `/p/:id`) reading the title from `h1`;
 * `version` changes its content hash, so each version is a new blueprint version.
 */
export function productTitleBlueprint(url: string, version = 1): Blueprint {
  return {
    schemaVersion: 1,
    site: url,
    version,
    contentHash: `${url}#${version}`,
    pageTypes: [
      {
        name: 'product',
        kind: 'detail',
        match: { urlPattern: '/p/:id', examples: [] },
        fields: [
          {
            name: 'title',
            type: 'text',
            multiple: false,
            required: true,
            mode: 'heuristic',
            sources: [{ css: 'h1' }],
            quality: { coverage: 1, confidence: 0.9 },
          },
        ],
        list: null,
      },
    ],
    validation: { samplePages: 3, coverage: 0.9 },
  };
}
