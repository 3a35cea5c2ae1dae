import { describe, expect, it } from 'vitest';
import { buildBlueprint } from '../blueprint/build.js';
import { extractPage, PageContext } from '../extract/runtime.js';
import { testSelectors } from '../testing/test-selectors.js';
import { isValidIsbn10, isValidIsbn13, validity } from '../testing/validators.js';
import { isStableClass, selectorsFor } from './css.js';
import { generateSelectors } from './generate.js';
import { labelMatch, profileField } from './knowledge.js';

const page = (id: number, body: string) =>
  new PageContext(`https://s.example/item/${id}`, `<html><head><title>Item ${id} | Shop</title></head><body>${body}</body></html>`);

/** Per field, the first values the best-ranked candidate reads on each page. */
const bestValues = (contexts: PageContext[], names: string[]) =>
  testSelectors(
    generateSelectors(
      contexts,
      [],
      names.map((name) => ({ name })),
    ),
    contexts,
  ).fields.map((field) => field.candidates[0]!.values.map((values) => values[0]));

describe('selector generation', () => {
  it('prefers ids, itemprop, data attributes and semantic classes; skips hashed and utility classes', () => {
    expect(['css-1x9f2k', 'jsx-3017', 'sc-a3f9k2', 'mt-2', 'active', 'title_a8f3k2']).not.toContain(
      ['css-1x9f2k', 'jsx-3017', 'sc-a3f9k2', 'mt-2', 'active', 'title_a8f3k2'].find(isStableClass),
    );
    expect(['product-title', 'price', 'book__author'].every(isStableClass)).toBe(true);
    // Spacing utilities take sizes; the same letters before a word name a part of the page.
    expect(['pb-4', 'mt-md-2', 'px-[3px]', 'm-auto', '-mt-1', 'py-0'].some(isStableClass)).toBe(false);
    expect(['pb-byline', 'p-article', 'mt-headline'].every(isStableClass)).toBe(true);
    const context = page(
      1,
      '<div class="css-19ak2x"><div id="details"><span class="sc-x81k2a">one</span><span data-testid="price" class="css-9x8c7v">9</span></div></div>',
    );
    const selectors = selectorsFor(findByText(context, '9'), context.document).map((s) => s.css);
    expect(selectors[0]).toBe('[data-testid="price"]');
    expect(selectors.join(' ')).not.toMatch(/css-|sc-|nth/);
    const anchored = selectorsFor(findByText(context, 'one'), context.document).map((s) => s.css);
    expect(anchored).toContain('#details span');
  });

  it('understands field names through synonyms, not sites', () => {
    const date = profileField('publication_date');
    expect(date.type).toBe('date');
    expect(labelMatch(date, 'pub date')).toBeGreaterThan(0.9);
    expect(labelMatch(profileField('isbn_13'), 'isbn 13')).toBe(1);
    // Shops label product facts in their own language.
    expect(labelMatch(profileField('brand'), 'marke')).toBeGreaterThan(0.5);
    expect(labelMatch(profileField('brand'), 'fabricant')).toBeGreaterThan(0.5);
    expect(labelMatch(profileField('price'), 'prix')).toBeGreaterThan(0.5);
    expect(labelMatch(profileField('gtin'), 'ean code')).toBeGreaterThan(0.5);
    expect(labelMatch(profileField('gtin'), 'ean13')).toBeGreaterThan(0.5);
    expect(labelMatch(profileField('sku'), 'réf')).toBeGreaterThan(0.5);
    expect(labelMatch(profileField('sku'), 'code')).toBeGreaterThan(0.5);
    expect(labelMatch(profileField('author'), 'by')).toBeGreaterThan(0.9);
    // Bookshops label a book's facts in their own language too (above a weak label's 0.55).
    expect(labelMatch(profileField('author'), 'autor')).toBeGreaterThan(0.7);
    expect(labelMatch(profileField('publisher'), 'verlag')).toBeGreaterThan(0.7);
    expect(labelMatch(profileField('publisher'), 'éditeur')).toBeGreaterThan(0.7);
    expect(labelMatch(date, 'erscheinungsdatum')).toBeGreaterThan(0.7);
    expect(labelMatch(date, 'on sale')).toBeGreaterThan(0.7);
    expect(profileField('author').multiple).toBe(true);
    // A byline is its own concept: the author's evidence, one credit line kept as stated.
    expect(profileField('byline')).toMatchObject({ concept: 'byline', kind: 'byline', multiple: false });
    expect(labelMatch(profileField('byline'), 'by')).toBeGreaterThan(0.9);
    const unknown = profileField('shippingWeight');
    expect(unknown).toMatchObject({ concept: null, type: 'number', labels: ['shipping weight'] });
  });

  it('validates identifiers by check digit and values by type', () => {
    expect(isValidIsbn13('978-1-60260-015-7')).toBe(true);
    expect(isValidIsbn13('9781602600158')).toBe(false);
    expect(isValidIsbn10('1602600155')).toBe(true);
    expect(validity('date', 'March 2010')).toBe(1);
    expect(validity('date', 'Value Books / 2008 / Paperback')).toBeLessThan(0.5);
    expect(validity('money', 'call us')).toBe(0);
    expect(validity('person', 'Penguin / 2008 / Paperback')).toBeLessThan(0.5);
    // A credit line is longer than a name and may carry another credit in parentheses; a date is another field.
    expect(validity('person', 'Written by Rosa Ewald Edited by Bea Bayer')).toBeLessThan(0.5);
    expect(validity('byline', 'Written by Rosa Ewald Edited by Bea Bayer')).toBe(1);
    expect(validity('byline', 'Par Jean Dupont (avec Ana Lima)')).toBe(1);
    expect(validity('byline', 'By Jane Doe, May 3, 2024')).toBeLessThan(0.5);
  });

  const pages = [
    { title: 'Salt and Cedar', isbn: '9781250301697', date: '2015' },
    { title: 'Counting Rivers', isbn: '9780553213119', date: '2011' },
    { title: 'Winter Orchard', isbn: '9780316769488', date: '2001' },
  ].map((book, i) =>
    page(
      i,
      `<h2 class="section-title">Details</h2><h1 class="book-title">${book.title}</h1>
       <table><tr><td><b>ISBN:</b></td><td>${book.isbn.slice(3)}</td></tr><tr><td><b>ISBN-13:</b></td><td>${book.isbn}</td></tr>
       <tr><td>Released</td><td>${i === 2 ? '' : book.date}</td></tr></table>`,
    ),
  );

  it('ranks candidates by coverage, validity and variation and reports failing pages', () => {
    const fields = generateSelectors(pages, [], [{ name: 'title' }, { name: 'isbn_13' }, { name: 'publication_date' }]);
    const result = testSelectors(fields, pages.slice(0, 2), pages.slice(2), ['a.htm', 'b.htm', 'c.htm']);
    const [title, isbn, date] = result.fields;
    expect(title!.sources[0]).toEqual({ css: '.book-title' });
    // The constant "Details" heading is template, not data.
    expect(title!.candidates.find((c) => 'css' in c.source && c.source.css === '.section-title')?.varies ?? false).toBe(false);
    expect(isbn!.sources[0]).toEqual({ label: ['isbn 13'] });
    expect(isbn!.candidates.find((c) => 'label' in c.source && c.source.label[0] === 'isbn')?.validity).toBe(0);
    expect(date!.sources[0]).toEqual({ label: ['released'] });
    expect(date!.quality).toMatchObject({ coverage: 0.667, failingPages: ['c.htm'] });
    expect(result.failing).toEqual([{ field: 'publication_date', pages: ['c.htm'] }]);
    expect(result.quality).toBeGreaterThan(0.5);
  });

  it('reads identifiers out of label values that carry more text, or out of the right one of repeated labels', () => {
    const contexts = ['9780310205715 (0310205719)', '978-0-316-76948-8'].map((isbn, i) =>
      page(i, `<ul><li><b>ISBN-13:</b> ${isbn}</li><li><b>Publisher:</b> Zondervan; 2 edition (May 2, 2003)</li></ul>`),
    );
    const [isbn, publisher, date] = testSelectors(
      generateSelectors(contexts, [], [{ name: 'isbn_13' }, { name: 'publisher' }, { name: 'publication_date' }]),
      contexts,
    ).fields;
    expect(isbn!.candidates[0]!.values.map((v) => v[0])).toEqual(['9780310205715', '978-0-316-76948-8']);
    const repeated = ['0310205719', '0316769487'].map((isbn10, i) =>
      page(i, `<p><b>ISBN:</b> ${isbn10}<br><b>ISBN:</b> ${['9780310205715', '9780316769488'][i]}</p>`),
    );
    const [code] = testSelectors(generateSelectors(repeated, [], [{ name: 'isbn_13' }]), repeated).fields;
    expect(code!.sources[0]).toEqual({ label: ['isbn'], regex: String.raw`\b(97[89](?:-?\d){10})\b` });
    expect(code!.candidates[0]!.values.map((v) => v[0])).toEqual(['9780310205715', '9780316769488']);
    expect(publisher!.candidates[0]!.values.map((v) => v[0])).toEqual(['Zondervan', 'Zondervan']);
    expect(date!.candidates[0]!.values.map((v) => v[0])).toEqual(['May 2, 2003', 'May 2, 2003']);
  });

  it("prefers the page's own name (echoed in its <title>) over a related item's name that comes first", () => {
    const books = ['Salt and Cedar', 'Counting Rivers', 'Winter Orchard', 'Maps of the Inner Sea'];
    const contexts = books.map(
      (title, i) =>
        new PageContext(
          `https://x.example/b/${i}`,
          `<html><head><title>${title} - Shop</title></head><body>
          <div class="strip"><div class="product-title">${books[(i + 1) % 4]}</div><div class="product-title">${books[(i + 2) % 4]}</div></div>
          <div class="main"><h1>${title}</h1></div></body></html>`,
        ),
    );
    expect(bestValues(contexts, ['title'])[0]).toEqual(books);
  });

  it("takes a heading's own words for the name when it holds other facts in child elements", () => {
    const items = ['Oak Dining Table', 'Linen Sofa Cover', 'Brass Floor Lamp'];
    const contexts = items.map(
      (name, i) =>
        new PageContext(
          `https://x.example/p/${i}`,
          `<html><head><title>${name} | Home Shop</title></head><body><main>
          <h1 class="product-name">${name} <small class="sku">SKU ${1000 + i}</small></h1><p class="price">$${100 + i}</p></main></body></html>`,
        ),
    );
    expect(bestValues(contexts, ['title'])[0]).toEqual(items);
  });

  const BOOKS = [
    ['The Salt Road', 'Mara Ellison'],
    ['Counting Rivers', 'Jon Park'],
    ['Winter Orchard', 'Ade Bello'],
  ] as const;
  const TITLES = BOOKS.map(([title]) => title);
  /** The title read from three book pages, each built from its title and author. */
  const bookTitles = (html: (title: string, author: string) => string) => {
    const contexts = BOOKS.map(([title, author], i) => new PageContext(`https://x.example/b/${i}`, html(title, author)));
    return bestValues(contexts, ['title'])[0];
  };

  it("takes the heading for a book's name when the document title adds its author after 'by'", () => {
    const titles = bookTitles(
      (title, author) => `<html><head><title>${title} by ${author} | Bookshop</title></head><body><div class="product"><h1>${title}</h1>
        <p class="price">£7.99</p></div></body></html>`,
    );
    expect(titles).toEqual(TITLES);
  });

  it('takes the name an old template styles without heading markup, where the document title agrees with it', () => {
    const titles = bookTitles(
      (
        title,
        author,
      ) => `<html><head><title>${title} - ${author} - Bookshop</title></head><body><table class="layout"><tr><td class="right">
        <font size="4"><b>${title}</b></font><br><b>ISBN-13:</b> 9780307387899<br><b>Publisher:</b> Vintage</td></tr></table></body></html>`,
    );
    expect(titles).toEqual(TITLES);
  });

  it('reads a name from a class that runs a qualifier and the field word together', () => {
    const items = ['Oak Dining Table', 'Linen Sofa Cover', 'Brass Floor Lamp'];
    const contexts = items.map((name, i) => page(i, `<div class="prodtitle">${name}</div><div class="prodprice">$${100 + i}.00</div>`));
    expect(bestValues(contexts, ['title', 'price'])).toEqual([items, ['$100.00', '$101.00', '$102.00']]);
  });

  it('reads a code with a valid check digit beside a label the field does not name', () => {
    const isbns = ['9780307387899', '9780060853983', '9780060652920'];
    const contexts = isbns.map((isbn, i) =>
      page(
        i,
        `<h1>Book ${i}</h1><table class="specs"><tr><td><b>Publisher</b></td><td>Vintage</td></tr><tr><td><b>UPC</b></td><td>${isbn}</td></tr></table>`,
      ),
    );
    expect(bestValues(contexts, ['isbn_13', 'publisher'])).toEqual([isbns, ['Vintage', 'Vintage', 'Vintage']]);
  });

  it('takes the heading for the name when the document title adds a search word to it', () => {
    const items = ['Linen Shirt', 'Wool Scarf', 'Denim Jacket'];
    const contexts = items.map(
      (name, i) =>
        new PageContext(
          `https://x.example/p/${i}`,
          `<html><head><title>${name} ${i % 2 ? 'kopen?' : 'kaufen'} | Laden</title></head><body><main>
          <h1>${name}</h1><p class="preis">${20 + i},00 €</p></main></body></html>`,
        ),
    );
    expect(bestValues(contexts, ['name'])[0]).toEqual(items);
  });

  it('knows the price and the item code by the words shops use for them in their own language', () => {
    const rows = [
      ['129,99', 'LMP-4411'],
      ['1 299,00', 'KRZ-2290'],
      ['459,50', 'STL-7781'],
    ];
    const contexts = rows.map(([price, code], i) =>
      page(i, `<h1>Lampa ${i}</h1><div class="cena">${price} zł</div><p>Kod produktu: ${code}</p><p>Wysyłka 24 h</p>`),
    );
    const [price, sku] = bestValues(contexts, ['price', 'sku']);
    expect(price).toEqual(rows.map((row) => `${row[0]} zł`));
    expect(sku).toEqual(rows.map((row) => row[1]));
  });

  it("finds an unnamed price after the heading where the only named prices are other items'", () => {
    const prices = ['$49.90', '$1,299.00', '$12.50'];
    const contexts = prices.map((price, i) =>
      page(
        i,
        `<h1>Lamp ${i}</h1><ul><li>Product Code: L-${i}</li></ul><ul><li><h2>${price}</h2></li><li>Ex Tax: ${price}</li></ul>
        <section class="related"><h3>You may also like</h3><div class="tile"><a href="/p/9">Belt</a><span class="price">$19.00</span></div></section>`,
      ),
    );
    expect(bestValues(contexts, ['price'])[0]).toEqual(prices);
  });

  it('reads the vendor a shop names as the brand', () => {
    const brands = ['Acme', 'Borealis', 'Stormline'];
    const contexts = brands.map((brand, i) => page(i, `<h1>Jacket ${i}</h1><p class="product-single__vendor">${brand}</p>`));
    expect(bestValues(contexts, ['brand'])[0]).toEqual(brands);
  });

  it('drops a label that opens the value without a colon', () => {
    const codes = ['LS-1042', 'WS-2201', 'CS-0093'];
    const contexts = codes.map((code, i) => page(i, `<h1>Shirt ${i}</h1><p class="sku">SKU ${code}</p>`));
    expect(bestValues(contexts, ['sku'])[0]).toEqual(codes);
  });

  it("reads a brand shown as its logo from the image's alt text", () => {
    const brands = ['Acme', 'Borealis', 'Stormline'];
    const contexts = brands.map((brand, i) =>
      page(
        i,
        `<h1>Jacket ${i}</h1><div class="product-manufacturer"><a href="/brand/${i}"><img src="/m/${i}.png" alt="${brand}"></a></div>`,
      ),
    );
    expect(bestValues(contexts, ['brand'])[0]).toEqual(brands);
  });

  it('splits values that every page lays out as separated parts', () => {
    const rows = [
      ['Value Books', '2008'],
      ['Barbour Publishing', '2010'],
      ['Tyndale House', '2007'],
    ];
    const contexts = rows.map(([publisher, year], i) =>
      page(i, `<h1>Book ${i}</h1><div class="product-publisher">${publisher} / ${year} / Paperback</div>`),
    );
    const [publisher, date] = testSelectors(
      generateSelectors(contexts, [], [{ name: 'publisher' }, { name: 'publication_date' }]),
      contexts,
    ).fields;
    expect(publisher!.candidates[0]!.values.map((v) => v[0])).toEqual(rows.map((row) => row[0]));
    expect(date!.candidates[0]!.values.map((v) => v[0])).toEqual(rows.map((row) => row[1]));
  });

  it('splits names written as one text for list fields', () => {
    const names = ['Jon Park and Lena Ruiz', 'Mara Ellison', 'Ade Bello, Chris Moreau & Sun-mi Cho'];
    const contexts = names.map((authors, i) => page(i, `<h1>Book ${i}</h1><p class="author">${authors}</p>`));
    const [author] = testSelectors(generateSelectors(contexts, [], [{ name: 'author' }]), contexts).fields;
    expect(author!.candidates[0]!.values).toEqual([
      ['Jon Park', 'Lena Ruiz'],
      ['Mara Ellison'],
      ['Ade Bello', 'Chris Moreau', 'Sun-mi Cho'],
    ]);
  });

  it('splits the names a credit word opens, in an element named in the page’s language', () => {
    const names = ['von Jon Park', 'von Mara Ellison, Ade Bello', 'von Lena Ruiz'];
    const contexts = names.map((authors, i) => page(i, `<h1>Buch ${i}</h1><p class="autor">${authors}</p>`));
    const [author] = testSelectors(generateSelectors(contexts, [], [{ name: 'author' }]), contexts).fields;
    expect(author!.candidates[0]!.values).toEqual([['Jon Park'], ['Mara Ellison', 'Ade Bello'], ['Lena Ruiz']]);
  });

  it('treats text every page repeats around a value as template', () => {
    const titles = ['Salt and Cedar', 'Counting Rivers', 'Winter Orchard - Deluxe'];
    const contexts = titles.map(
      (title, i) =>
        new PageContext(
          `https://x.example/p/${i}`,
          `<html><head><meta property="og:title" content="${title} | Books Example"></head><body></body></html>`,
        ),
    );
    const [field] = testSelectors(generateSelectors(contexts, [], [{ name: 'title' }]), contexts).fields;
    expect(field!.sources[0]).toEqual({ meta: 'og:title', regex: String.raw`^(.+?)\s*(?:\| Books Example)?$` });
    expect(field!.candidates[0]!.values.map((v) => v[0])).toEqual(titles);
  });

  it('keeps what an identifier shares across pages: glued on, it is part of the value', () => {
    const codes = ['WH-1007-Q', 'WH-1014-Q', 'WH-1021-Q'];
    const contexts = codes.map((code, i) => page(i, `<h1>Lamp ${i}</h1><dl><dt>Warehouse code</dt><dd class="code">${code}</dd></dl>`));
    const [field] = testSelectors(generateSelectors(contexts, [], [{ name: 'warehouse_code' }]), contexts).fields;
    expect(field!.candidates[0]!.values.map((v) => v[0])).toEqual(codes);
    expect(JSON.stringify(field!.sources)).not.toContain('regex');
  });

  it('finds example values and generalises them to the other samples', () => {
    const fields = generateSelectors(pages, ['a.htm', 'b.htm', 'c.htm'], [{ name: 'headline' }, { name: 'code' }], {
      examples: [{ file: 'b.htm', values: { headline: 'Counting Rivers', code: '9780553213119' } }],
    });
    const [headline, code] = testSelectors(fields, pages).fields;
    expect(headline).toMatchObject({ mode: 'example', sources: [{ css: '.book-title' }] });
    expect(code!.sources[0]).toEqual({ label: ['isbn 13'] });
    expect(code!.candidates[0]!.values.map((v) => v[0])).toEqual(['9781250301697', '9780553213119', '9780316769488']);
  });
});

function findByText(context: PageContext, text: string) {
  const stack = [...context.document.children];
  while (stack.length) {
    const node = stack.shift()!;
    if ('children' in node) {
      if ('name' in node && node.children.length === 1 && 'data' in node.children[0]! && node.children[0].data === text) return node;
      stack.push(...node.children);
    }
  }
  throw new Error(`no element with text ${text}`);
}

describe('listing records', () => {
  const people = ['Ada Palmer', 'Ted Chiang', 'Mary Beard', 'Ken Liu', 'Tom Holland', 'Robert Caro'];
  const shelf = (id: number) => {
    const records = people.map((person, i) => ({ title: `Book ${id}-${i}`, person }));
    const html = `<html><body><section class="shelf">${records
      .map(
        (record) =>
          `<div class="tile"><h3><a href="/book/${record.title}">${record.title}</a></h3><p class="tile__line">${record.person}</p></div>`,
      )
      .join('')}</section></body></html>`;
    return { url: `https://s.example/shelf/${id}`, html, records };
  };

  it('learns a record field whose markup says nothing from the values the records are known to hold', () => {
    const pages = [1, 2, 3].map(shelf);
    const fields = [{ name: 'title' }, { name: 'author' }];
    const unaided = buildBlueprint(pages, { fields }).blueprint.pageTypes[0]!;
    expect(unaided.list?.fields.find((field) => field.name === 'author')).toMatchObject({ sources: [] });

    const examples = [{ url: pages[0]!.url, values: { author: people } }];
    const taught = buildBlueprint(pages, { fields, examples }).blueprint;
    expect(taught.pageTypes[0]!.list?.fields.find((field) => field.name === 'author')).toMatchObject({
      mode: 'example',
      sources: [{ css: '.tile__line' }],
    });
    const items = extractPage(taught, pages[2]!).items!;
    expect(items.map((item) => [item.title?.value, [item.author?.value].flat()])).toEqual(
      pages[2]!.records.map((record) => [record.title, [record.person]]),
    );
  });
});
