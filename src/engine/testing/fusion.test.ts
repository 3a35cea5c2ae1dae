import { describe, expect, it } from 'vitest';
import { buildBlueprint } from '../blueprint/build.js';
import { extractPage } from '../extract/runtime.js';

/**
 * A product page as many shops build it: a strip of related items above the product (their
 * prices come first in the document, in the same "price" class), the product's price shown to
 * the visitor with a decimal comma, the same price in microdata nested in its Offer, and in
 * JSON-LD either plainly or per size offer.
 */
function productPage(n: number, price: string, related: string, sizes: string[]): { url: string; html: string } {
  const [units, cents] = price.split('.');
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: `Lamp ${n}`,
    sku: `LMP-${100 + n}`,
    offers: sizes.map((availability) => ({
      '@type': 'Offer',
      price,
      priceCurrency: 'EUR',
      availability: `http://schema.org/${availability}`,
    })),
  };
  return {
    url: `https://shop.example/p/lamp-${n}`,
    html: `<html><head><title>Lamp ${n}</title><script type="application/ld+json">${JSON.stringify(jsonLd)}</script></head><body>
      <div class="related"><div class="tile"><a href="/p/x${n}">Other lamp</a><span class="price">${related} €</span></div></div>
      <main itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Lamp ${n}</h1>
        <div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="${price}">
          <p class="product-price"><span class="amount">${units},${cents} €</span></p></div>
        <p>Art. no. LMP-${100 + n}</p><button class="add">Add to cart</button></main></body></html>`,
  };
}

describe('evidence fusion', () => {
  const pages = [
    productPage(1, '24.90', '9,99', ['OutOfStock', 'InStock']),
    productPage(2, '119.00', '14,50', ['InStock']),
    productPage(3, '7.50', '3,20', ['OutOfStock', 'OutOfStock']),
  ];
  const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'price' }, { name: 'availability' }, { name: 'sku' }] });
  const fields = Object.fromEntries(blueprint.pageTypes[0]!.fields.map((field) => [field.name, field]));

  it('declares product field types', () => {
    expect(fields.price?.type).toBe('money');
    expect(fields.availability?.type).toBe('availability');
    expect(fields.sku?.type).toBe('identifier');
  });

  it('reads the price every kind of evidence agrees on, the visible one first, not a related item', () => {
    const first = fields.price!.sources[0]!;
    expect('css' in first && !first.read).toBe(true);
    // The structured source stays as a fallback because it states the same amounts.
    expect(fields.price!.sources.some((source) => 'jsonld' in source || ('css' in source && source.read === 'attr:content'))).toBe(true);
    const extracted = pages.map((page) => extractPage(blueprint, page).fields.price);
    expect(extracted.map((field) => field?.typed)).toEqual([
      { amount: 24.9, currency: 'EUR' },
      { amount: 119, currency: 'EUR' },
      { amount: 7.5, currency: 'EUR' },
    ]);
    expect(extracted[0]?.value).toBe('24,90 €');
  });

  it('an item with any offer in stock is in stock', () => {
    expect(pages.map((page) => extractPage(blueprint, page).fields.availability?.value)).toEqual(['InStock', 'InStock', 'OutOfStock']);
  });

  it('reads the sku as an identifier', () => {
    expect(pages.map((page) => extractPage(blueprint, page).fields.sku?.typed)).toEqual(['LMP-101', 'LMP-102', 'LMP-103']);
  });
});

describe('item codes without a labelled code', () => {
  // A marketplace page: the item number is only in the canonical URL; "MPN" holds words.
  const page = (n: number, words: string) => ({
    url: `https://market.example/itm/${n}`,
    html: `<html><head><link rel="canonical" href="https://market.example/itm/red-lamp-${n}/${3024741518 + n}"></head><body>
      <h1 class="title___x7Kq2">Lamp ${n}</h1><div class="status___1CZcC"><span class="price___2QlEj">$${20 + n}</span></div>
      <table><tr><th>MPN</th><td itemprop="mpn">${words}</td></tr></table></body></html>`,
  });
  const pages = [page(1, 'Fake Wounds'), page(2, 'Does not apply'), page(3, 'Blue Shade')];
  const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'sku' }, { name: 'price' }] });

  it('reads the item number closing the canonical URL rather than words under a code label', () => {
    expect(pages.map((p) => extractPage(blueprint, p).fields.sku?.value)).toEqual(['3024741519', '3024741520', '3024741521']);
  });

  it('sees the author’s class name through a CSS-modules hash', () => {
    expect(pages.map((p) => (extractPage(blueprint, p).fields.price?.typed as { amount: number } | null)?.amount)).toEqual([21, 22, 23]);
  });
});

/**
 * Discounted items show the old price struck through beside the new one, in the ways the common
 * shop systems write it; items without a discount show one price in the same place.
 */
describe('the price a visitor pays, not the struck-through one', () => {
  const templates: Record<string, (now: string, was: string | null) => string> = {
    'del and ins in one price element': (now, was) =>
      `<p class="price">${was ? `<del><span class="amount">€${was}</span></del> <ins><span class="amount">€${now}</span></ins>` : `<span class="amount">€${now}</span>`}</p>`,
    'an <s> compare-at price after the sale price': (now, was) =>
      `<div class="price"><span class="price-item price-item--sale">$${now}</span>${was ? `<s class="price-item price-item--regular">$${was}</s>` : ''}</div>`,
    'an old-price box before the special price': (now, was) =>
      was
        ? `<div class="price-box"><span class="old-price"><span class="price">$${was}</span></span><span class="special-price"><span class="price">$${now}</span></span></div>`
        : `<div class="price-box"><span class="regular-price"><span class="price">$${now}</span></span></div>`,
    'an old price first, in a class that runs the words together': (now, was) =>
      `<div class="slider-price">${was ? `<div class="slider-priceold">${was} Kn</div>` : ''}<div class="slider-pricenew">${now} Kn</div></div>`,
    'dollars and cents in elements of their own': (now) =>
      `<div class="price-format__main-price"><span>$</span><span>${now.split('.')[0]}</span><span>${now.split('.')[1]}</span></div>`,
    'a line-through class inside the price': (now, was) =>
      `<div class="product-price">${was ? `<span class="line-through">£${was}</span> ` : ''}<span>£${now}</span></div>`,
  };
  const prices = [
    ['15.00', '20.00'],
    ['9.50', null],
    ['42.00', '55.00'],
    ['7.25', null],
  ] as const;
  for (const [name, template] of Object.entries(templates)) {
    it(name, () => {
      const pages = prices.map(([now, was], i) => ({
        url: `https://shop.example/p/${i}`,
        html: `<html><head><title>Thing ${i} | Shop</title></head><body><main><h1>Thing ${i}</h1>${template(now, was)}
          <p>All about thing ${i}.</p><button>Add to cart</button></main></body></html>`,
      }));
      const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'price' }] });
      const amounts = pages.map((page) => (extractPage(blueprint, page).fields.price?.typed as { amount: number } | null)?.amount);
      expect(amounts).toEqual([15, 9.5, 42, 7.25]);
    });
  }
});

/** Items in and out of stock, stated in the ways shops state it when their markup names nothing. */
describe('availability from what the page states', () => {
  const templates: Record<string, (inStock: boolean) => string> = {
    'a microdata <link> to the schema.org value': (inStock) =>
      `<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><link itemprop="availability" href="https://schema.org/${inStock ? 'InStock' : 'OutOfStock'}"><span itemprop="price" content="10">$10</span></div>`,
    'a stock text in an unnamed element': (inStock) =>
      `<div class="lieferstatus">${inStock ? 'Sofort lieferbar' : 'Derzeit nicht verfügbar'}</div>`,
    'a stock text in a definition list, told from the other definitions only by its label': (inStock) =>
      `<dl class="details"><dt>Art.-Nr.:</dt><dd>A-1</dd><dt>Lieferzeit:</dt><dd>${inStock ? 'Sofort lieferbar' : 'Derzeit nicht verfügbar'}</dd></dl>`,
    'a stock text in Japanese': (inStock) => `<p class="zaiko">${inStock ? '在庫あり' : '在庫なし'}</p>`,
    'the buy button, which reads otherwise when the item is gone': (inStock) =>
      inStock ? `<button class="cta">Add to basket</button>` : `<button class="cta" disabled>Notify me when available</button>`,
  };
  const states = [true, false, true, false];
  for (const [name, template] of Object.entries(templates)) {
    it(name, () => {
      const pages = states.map((inStock, i) => ({
        url: `https://shop.example/p/${i}`,
        html: `<html><head><title>Thing ${i} | Shop</title></head><body><main><h1>Thing ${i}</h1><p class="price">$${10 + i}.00</p>
          ${template(inStock)}<p>All about thing ${i}.</p></main></body></html>`,
      }));
      const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'availability' }] });
      expect(pages.map((page) => extractPage(blueprint, page).fields.availability?.value)).toEqual([
        'InStock',
        'OutOfStock',
        'InStock',
        'OutOfStock',
      ]);
    });
  }
});
