import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintPage, fingerprintSite, subjectTag, type PageSignals } from './fingerprint.js';
import { LiteralFinder } from './literals.js';

const page = (head: string, body = '', headers: Record<string, string> = {}): PageSignals => ({
  url: 'https://site.example/',
  html: `<!doctype html><html><head>${head}</head><body>${body}</body></html>`,
  headers,
});

function detected(signals: PageSignals) {
  return new Map(fingerprintPage(signals).technologies.map((technology) => [technology.name, technology]));
}

describe('fingerprinting with the community signature database', () => {
  it.each([
    [
      'WordPress',
      page('<meta name="generator" content="WordPress 6.4.2"><link rel="stylesheet" href="/wp-content/themes/x/style.css">'),
      '6.4.2',
    ],
    ['Shopify', page('<script src="https://cdn.shopify.com/s/files/1/theme.js"></script>'), null],
    [
      'Drupal',
      page('<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">', '', {
        'x-generator': 'Drupal 10 (https://www.drupal.org)',
      }),
      '10',
    ],
    ['Joomla', page('<meta name="generator" content="Joomla! 4.2 - Open Source Content Management">'), '4.2'],
    [
      'Magento',
      page(
        '<script type="text/x-magento-init">{}</script><script src="/static/version1/frontend/Magento/luma/en_US/requirejs/require.js"></script>',
      ),
      null,
    ],
    ['Next.js', page('', '<div id="__next"></div>', { 'x-powered-by': 'Next.js 14.2.3' }), '14.2.3'],
    [
      'React',
      page('<script src="https://unpkg.com/react@18.2.0/umd/react.production.min.js"></script>', '<div data-reactroot=""></div>'),
      null,
    ],
    [
      'Vue.js',
      page('<script src="https://cdn.example.com/vue-2.7.14.min.js"></script>', '<div data-v-7ba5bd90 class="card"></div>'),
      '2.7.14',
    ],
    ['Nuxt.js', page('<script src="/_nuxt/entry.abc123.js"></script>', '<div id="__nuxt"></div>'), null],
    ['Angular', page('', '<app-root ng-version="17.1.2"></app-root>'), '17.1.2'],
    ['jQuery', page('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'), '3.7.1'],
    ['Google Analytics', page('<script async src="https://www.google-analytics.com/analytics.js"></script>'), null],
    ['Google Tag Manager', page('<script src="https://www.googletagmanager.com/gtm.js?id=GTM-ABC123"></script>'), null],
    ['Cloudflare', page('', '', { server: 'cloudflare', 'cf-ray': '8a1b2c3d4e5f-AMS' }), null],
    ['Nginx', page('', '', { server: 'nginx/1.25.3' }), '1.25.3'],
    ['Apache HTTP Server', page('', '', { server: 'Apache/2.4.58 (Debian)' }), '2.4.58'],
  ])('detects %s', (name, signals, version) => {
    const technology = detected(signals).get(name);
    expect(technology, `${name} not detected`).toBeDefined();
    expect(technology!.categories.length).toBeGreaterThan(0);
    expect(technology!.confidence).toBeGreaterThan(0);
    if (version) expect(technology!.version).toBe(version);
  });

  it('adds what a technology implies (WordPress runs on PHP and MySQL)', () => {
    const found = detected(page('<meta name="generator" content="WordPress 6.4.2">'));
    expect(found.get('WordPress')?.categories).toContain('CMS');
    expect(found.has('PHP')).toBe(true);
    expect(found.has('MySQL')).toBe(true);
  });

  it('resolves mutual exclusions to one technology (Angular and AngularJS exclude each other)', () => {
    const names = [
      ...detected(
        page('<script src="/js/angular-1.8.2.min.js"></script>', '<div ng-app="shop"></div><app-root ng-version="17.1.2"></app-root>'),
      ).keys(),
    ];
    expect(names.filter((name) => name === 'Angular' || name === 'AngularJS')).toHaveLength(1);
  });

  it('finds nothing on a plain page', () => {
    expect(fingerprintPage(page('<title>Plain</title>', '<p>Just text.</p>')).technologies).toEqual([]);
  });

  it('merges the evidence of several pages of one site', () => {
    const site = fingerprintSite([
      page('', '', { server: 'nginx' }),
      page('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>', '', { server: 'nginx/1.25.3' }),
    ]);
    const names = site.technologies.map((technology) => technology.name);
    expect(names).toEqual(expect.arrayContaining(['Nginx', 'jQuery']));
    expect(site.technologies.find((technology) => technology.name === 'Nginx')?.version).toBe('1.25.3');
  });

  it('matches a DOM selector list by any of its selectors', () => {
    // 33Across has a DOM-only signature: "iframe[src*='.33across.com'], link[href*='.33across.com'], link[href*='.tynt.com']".
    expect(detected(page('<link rel="preconnect" href="https://cdn.tynt.com/">')).has('33Across')).toBe(true);
    expect(detected(page('<link rel="preconnect" href="https://cdn.example.com/">')).has('33Across')).toBe(false);
  });
});

describe('LiteralFinder', () => {
  it('finds every literal a text contains in one pass, ignoring case, overlaps included', () => {
    const finder = new LiteralFinder(['wp-content', 'content/', 'jquery', 'absent']);
    expect([...finder.find('<link href="/WP-Content/themes/x.css"><script src="jQuery.js">')].sort()).toEqual([
      'content/',
      'jquery',
      'wp-content',
    ]);
    expect(finder.find('').size).toBe(0);
  });

  it('finds exactly the literals a text contains, for any literals and text (its table is built as scanning needs it)', () => {
    // A small alphabet makes literals overlap, share prefixes and contain one another.
    // Texts also have characters whose lower case is special: İ (two code units), the Kelvin sign (k), Σ.
    const word = (minLength: number, ...special: string[]) =>
      fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'x', 'i', 'k', ...special), minLength, maxLength: 6 });
    fc.assert(
      fc.property(
        fc.array(
          word(1, 'é').map((literal) => literal.toLowerCase()),
          { maxLength: 12 },
        ),
        fc.array(word(0, 'İ', '\u212a', 'K', 'Σ', 'é', 'É'), { maxLength: 5 }),
        (literals, texts) => {
          const finder = new LiteralFinder(literals);
          for (const text of texts.map((part) => part.repeat(3))) {
            const expected = new Set(literals.filter((literal) => text.toLowerCase().includes(literal)));
            expect(finder.find(text)).toEqual(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('gated checks still find what they gate', () => {
  it('a regular expression gated by literals inside its alternatives (UIkit)', () => {
    expect(detected(page('', '<div class="page uk-container">x</div>')).has('UIKit')).toBe(true);
    expect(detected(page('', '<div class="page container">x</div>')).has('UIKit')).toBe(false);
  });

  it('a tag-only selector checks the elements of that tag, leaving out template content as selectAll does', () => {
    expect(detected(page('', '<model-viewer src="a.glb"></model-viewer>')).has('<model-viewer>')).toBe(true);
    expect(detected(page('', '<template><model-viewer></model-viewer></template>')).has('<model-viewer>')).toBe(false);
    expect(detected(page('', '<div>no viewer</div>')).has('<model-viewer>')).toBe(false);
  });

  it('an unquoted attribute value gates its selector (KaTeX: link[href*=katex])', () => {
    expect(detected(page('<link rel="stylesheet" href="/css/katex.min.css">')).has('KaTeX')).toBe(true);
    expect(detected(page('<link rel="stylesheet" href="/css/site.css">')).has('KaTeX')).toBe(false);
  });
});

describe('subjectTag', () => {
  it('reads the tag of the elements a selector list selects', () => {
    expect(subjectTag('footer > div')).toBe('div');
    expect(subjectTag('a.x, A[href]')).toBe('a');
    expect(subjectTag('div:not(p) span')).toBe('span');
    expect(subjectTag('.x')).toBeNull();
    expect(subjectTag('a, b')).toBeNull();
    expect(subjectTag('*')).toBeNull();
  });
});
