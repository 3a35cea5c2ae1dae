import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inferUrlPattern, matchesUrlPattern } from './url-pattern.js';

const literal = fc.stringMatching(/^[a-z]{2,8}$/);
const slot = fc.constantFrom('id', 'slug');
/** A site's URL template: literal segments and parameter slots. */
const template = fc.array(
  fc.oneof(
    literal.map((value) => ({ literal: value })),
    slot.map((kind) => ({ kind })),
  ),
  {
    minLength: 1,
    maxLength: 6,
  },
);

function instance(parts: ({ literal: string } | { kind: string })[], seed: number): string {
  const path = parts
    .map((part, i) => ('literal' in part ? part.literal : part.kind === 'id' ? String(1000 + seed * 7 + i) : `item-${seed}-${i}x`))
    .join('/');
  return `https://site.example/${path}?ref=${seed}`;
}

describe('URL patterns', () => {
  it('infer literal and parameter segments', () => {
    expect(inferUrlPattern(['https://a.example/product/12', 'https://a.example/product/97'])).toBe('/product/:id');
    expect(
      inferUrlPattern([
        'http://s.example/some-title/jane-doe/9781602600157/pd/600150',
        'http://s.example/other-title/9781602600638/pd/600631',
      ]),
    ).toBe('/*/:slug/:id/pd/:id2');
  });

  it('match every example they were inferred from, and new pages of the same template', () => {
    fc.assert(
      fc.property(
        template,
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 10_001, max: 20_000 }),
        (parts, seeds, fresh) => {
          const pattern = inferUrlPattern(seeds.map((seed) => instance(parts, seed)));
          for (const seed of seeds) expect(matchesUrlPattern(pattern, instance(parts, seed))).toBe(true);
          expect(matchesUrlPattern(pattern, instance(parts, fresh))).toBe(true);
        },
      ),
    );
  });

  it('reject pages whose literal segments differ', () => {
    fc.assert(
      fc.property(
        template.filter((parts) => parts.some((part) => 'literal' in part)),
        fc.uniqueArray(fc.integer({ min: 1, max: 999 }), { minLength: 2, maxLength: 4 }),
        (parts, seeds) => {
          const pattern = inferUrlPattern(seeds.map((seed) => instance(parts, seed)));
          const changed = parts.map((part) => ('literal' in part ? { literal: `${part.literal}zz9` } : part));
          expect(matchesUrlPattern(pattern, instance(changed, seeds[0]!))).toBe(false);
        },
      ),
    );
  });

  it('match URLs of varying depth with * and ignore host and query', () => {
    expect(matchesUrlPattern('/*/:id/pd/:n', 'http://x.example/a/b/c/123/pd/9?x=1')).toBe(true);
    expect(matchesUrlPattern('/*/:id/pd/:n', 'http://x.example/123/pd/9')).toBe(true);
    expect(matchesUrlPattern('/*/:id/pd/:n', 'http://x.example/123/px/9')).toBe(false);
    expect(matchesUrlPattern('/jobs/:id', 'https://other.example/jobs/7/')).toBe(true);
  });
});
