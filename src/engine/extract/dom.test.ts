import { DomUtils } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { elementsByTag, parseHtml } from './dom.js';

describe('parsed pages', () => {
  it('finds every script and meta tag in document order, wherever the page puts them', () => {
    const html = `<!doctype html><html><head><meta charset="utf-8"><script type="application/ld+json">{"@type":"Product"}</script>
      <meta name="description" content="A lamp"></head><body><div><p><script>window.__STATE__ = {"a": 1};</script></p>
      <meta itemprop="price" content="12.50"><template><script>var later = {}</script></template>
      <svg><script>void 0</script></svg><noscript><meta http-equiv="refresh" content="0"></noscript></div>
      <script src="/app.js"></script></body></html>`;
    const document = parseHtml(html);
    for (const tag of ['script', 'meta']) {
      const found = elementsByTag(document, tag);
      expect(found).toEqual(DomUtils.getElementsByTagName(tag, document, true));
      expect(found.length).toBeGreaterThan(2);
    }
    expect(
      elementsByTag(document, 'script').map((script) => script.attribs.type ?? script.attribs.src ?? DomUtils.textContent(script)),
    ).toEqual(['application/ld+json', 'window.__STATE__ = {"a": 1};', 'var later = {}', 'void 0', '/app.js']);
    expect(elementsByTag(document, 'p')).toHaveLength(1);
  });
});
