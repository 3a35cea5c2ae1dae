import { describe, expect, it } from 'vitest';
import { buildBlueprint } from '../blueprint/build.js';
import { parseBlueprint, type Blueprint } from '../blueprint/schema.js';
import { parseHtml } from './dom.js';
import { embeddedStates } from './embedded-json.js';
import { extractPage } from './runtime.js';

describe('embedded application state', () => {
  it('reads JSON script blocks and literal state assigned to globals, without running anything', () => {
    const html = `<html><head>
      <script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"product":{"sku":"NX-1"}}}}</script>
      <script type="application/ld+json">{"@type":"Product","sku":"LD-1"}</script>
      <script>window.__INITIAL_STATE__ = {product: {price: 12.5, 'name': 'Lamp', tags: ['a', \`b\`], gone: undefined, at: new Date()}, n: -3};
        window["dataLayerState"] = JSON.parse("{\\"page\\":\\"pdp\\"}"); var cart = {items: []}, unrelated = compute();
        function later() { window.hidden = {secret: 1}; }</script>
      <script type="application/json">{broken</script>
      <script>document.title = 'x'</script>
    </head><body></body></html>`;
    const states = embeddedStates(parseHtml(html));
    expect(states).toEqual([
      { name: '__NEXT_DATA__', value: { props: { pageProps: { product: { sku: 'NX-1' } } } } },
      { name: '__INITIAL_STATE__', value: { product: { price: 12.5, name: 'Lamp', tags: ['a', 'b'] }, n: -3 } },
      { name: 'dataLayerState', value: { page: 'pdp' } },
      { name: 'cart', value: { items: [] } },
    ]);
    // A named state is found the same way when only the scripts that can hold it are parsed.
    expect(embeddedStates(parseHtml(html), '__INITIAL_STATE__')).toEqual([states[1]]);
    expect(embeddedStates(parseHtml(html), '__NEXT_DATA__')).toEqual([states[0]]);
    expect(embeddedStates(parseHtml(html), 'hidden')).toEqual([]);
  });

  it('reads a script that is one assignment of JSON as it reads the same state written as JavaScript', () => {
    const state = '{"product":{"sku":"A-1","price":[1.5,null,true],"name":"Lamp \\u0022Nova\\u0022"}}';
    const read = (script: string) => embeddedStates(parseHtml(`<html><head><script>${script}</script></head></html>`));
    const expected = [{ name: '__STATE__', value: { product: { sku: 'A-1', price: [1.5, null, true], name: 'Lamp "Nova"' } } }];
    expect(read(`window.__STATE__ = ${state};`)).toEqual(expected);
    expect(read(`\n  window["__STATE__"]=${state}\n`)).toEqual(expected);
    // More than the assignment, or JavaScript beyond JSON: the same state, through the JavaScript parser.
    expect(read(`window.__STATE__ = ${state}; window.ready = true;`)).toEqual(expected);
    expect(read(`var __STATE__ = {product: {sku: 'A-1', price: [1.5, null, true], name: 'Lamp "Nova"', gone: undefined}};`)).toEqual(
      expected,
    );
    // State serialisers write undefined for unset fields: such a field holds nothing, as in JavaScript.
    expect(read(`window.__data={"product":{"sku":"A-1","ean":undefined,"note":"\\"not\\" undefined"},"list":[undefined,2]};`)).toEqual([
      { name: '__data', value: { product: { sku: 'A-1', ean: null, note: '"not" undefined' }, list: [null, 2] } },
    ]);
  });

  const blueprint = (sources: Blueprint['pageTypes'][number]['fields'][number]['sources']): Blueprint =>
    parseBlueprint({
      schemaVersion: 1,
      site: null,
      version: 1,
      pageTypes: [
        {
          name: 'product',
          kind: 'detail',
          match: { urlPattern: '*', examples: [] },
          list: null,
          fields: [{ name: 'price', type: 'money', multiple: false, required: true, mode: 'manual', sources }],
        },
      ],
    });

  it('is a blueprint source: a dotted path, in one named state or in any', () => {
    const html = `<script>window.__STATE__ = {"pdp": {"offers": [{"price": "1.299,00 €"}]}}</script>
      <script id="other" type="application/json">{"pdp": {"offers": [{"price": 5}]}}</script>`;
    const named = extractPage(blueprint([{ json: 'pdp.offers.price', script: 'other' }]), { url: 'https://shop.example/p', html });
    expect(named.fields.price).toMatchObject({ typed: { amount: 5, currency: null }, raw: '5', valid: true });
    const any = extractPage(blueprint([{ json: 'pdp.offers.price' }]), { url: 'https://shop.example/p', html });
    expect(any.fields.price).toMatchObject({ value: '1.299,00 €', typed: { amount: 1299, currency: 'EUR' }, source: 0 });
    expect(() => blueprint([{ json: '' }])).toThrow(/invalid blueprint/);
  });

  it('is found by blueprint generation for a shop that states its product only in embedded state', () => {
    const page = (n: number) => ({
      url: `https://shop.example/item/${n}`,
      html: `<html><head><title>Item ${n}</title></head><body><div id="root"></div>
        <script id="__NEXT_DATA__" type="application/json">${JSON.stringify({
          props: {
            pageProps: {
              related: [{ sku: `R-${n}`, price: 1 }],
              product: {
                title: `Item ${n}`,
                sku: `SKU-${1000 + n}`,
                gtin13: ['4006381333931', '5901234123457', '9780306406157'][n - 1],
                price: { amount: `${n}9.90`, currency: 'EUR' },
              },
            },
          },
        })}</script></body></html>`,
    });
    const pages = [page(1), page(2), page(3)];
    const built = buildBlueprint(pages, { fields: [{ name: 'sku' }, { name: 'gtin' }] }).blueprint;
    const fields = Object.fromEntries(built.pageTypes[0]!.fields.map((field) => [field.name, field]));
    expect(fields.sku!.sources[0]).toEqual({ json: 'props.pageProps.product.sku', script: '__NEXT_DATA__' });
    expect(fields.gtin!.type).toBe('gtin');
    const records = pages.map((p) => extractPage(built, p).fields);
    expect(records.map((r) => r.sku?.value)).toEqual(['SKU-1001', 'SKU-1002', 'SKU-1003']);
    expect(records.map((r) => r.gtin?.typed)).toEqual(['4006381333931', '5901234123457', '9780306406157']);
  });

  it('reads a price its key holds under "price" and a stock flag, when only the state states them', () => {
    const page = (n: number, inStock: boolean) => ({
      url: `https://app.example/p/${n}`,
      html: `<html><head><title>Thing ${n}</title></head><body><div id="__next"><h1 class="x9f8e">Thing ${n}</h1></div>
        <script id="__NEXT_DATA__" type="application/json">${JSON.stringify({
          props: { pageProps: { product: { title: `Thing ${n}`, price: { current: 10 + n + 0.5, regular: 40 }, inventory: { inStock } } } },
        })}</script></body></html>`,
    });
    const pages = [page(1, true), page(2, false), page(3, true)];
    const built = buildBlueprint(pages, { fields: [{ name: 'price' }, { name: 'availability' }] }).blueprint;
    const records = pages.map((p) => extractPage(built, p).fields);
    expect(records.map((r) => (r.price?.typed as { amount: number } | null)?.amount)).toEqual([11.5, 12.5, 13.5]);
    expect(records.map((r) => r.availability?.typed)).toEqual(['InStock', 'OutOfStock', 'InStock']);
  });
});
