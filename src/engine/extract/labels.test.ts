import { describe, expect, it } from 'vitest';
import { parseHtml } from './dom.js';
import { buildLabelIndex, normalizeLabel } from './labels.js';

const index = (html: string) =>
  Object.fromEntries(
    [...buildLabelIndex(parseHtml(html))].map(([label, values]) => [label, values.map((v) => (v.parts.length ? v.parts : v.text))]),
  );

describe('label–value pairs', () => {
  it('normalises labels', () => {
    expect(normalizeLabel('Pub. Date:')).toBe('pub date');
    expect(normalizeLabel('ISBN-13')).toBe('isbn 13');
    expect(normalizeLabel('Auteur(s)\u00a0:')).toBe('auteur s');
  });

  it('reads a number sign as the colon before a code, not a rank or a hashtag', () => {
    expect(
      index(`<div><p class="meta">Item # AB-1234</p><p>Model #XJ-90 <span>in grey</span></p>
        <p>#1 Best Seller</p><p>Tagged #summer</p></div>`),
    ).toEqual({ item: ['AB-1234'], model: ['XJ-90'] });
  });

  it('reads a number word abbreviated with a period as the end of a label', () => {
    expect(
      index(`<div><div class="number">Item No. <span class="product-id">LS-1042</span></div><p>Art.-Nr. 12-44</p>
        <ul><li><span>Model No.</span><span>GH-234</span></li></ul><p>No thanks</p><p>Réf. AB12 in stock</p></div>`),
    ).toEqual({ 'item no': ['LS-1042'], 'art nr': ['12-44'], 'model no': ['GH-234'], réf: ['AB12 in stock'] });
  });

  it('reads a whole pair inside an element whose class calls it a label or attribute', () => {
    expect(index(`<ul><li class="attribute-values">Brand: Acme</li><li class="attribute-values">GTIN: 4006381333931</li></ul>`)).toEqual({
      brand: ['Acme'],
      gtin: ['4006381333931'],
    });
  });

  it('reads labels that end in a fullwidth colon, as Chinese and Japanese pages write them', () => {
    expect(index(`<p>商品番号：LMP-4411</p><dl><dt>品番：</dt><dd>KRZ-2290</dd></dl>`)).toEqual({
      商品番号: ['LMP-4411'],
      品番: ['KRZ-2290'],
    });
  });

  it('reads a date line the words that name it open, without a colon', () => {
    expect(
      index(`<p>Published on March 4, 2021</p><span>Publié le 4 mars 2021 à 10h00</span><p>Veröffentlicht am 04.03.2021</p>
        <p>Published by Penguin Books in their classics series</p>`),
    ).toEqual({ 'published on': ['March 4, 2021'], 'publié le': ['4 mars 2021 à 10h00'], 'veröffentlicht am': ['04.03.2021'] });
  });

  it('reads several pairs on one line, parted by a middle dot or bar', () => {
    expect(index(`<p class="meta">Updated: 12 June 2022 · Published: 10 June 2022</p><p>Time: 10:30 | Room 4</p>`)).toEqual({
      updated: ['12 June 2022'],
      published: ['10 June 2022'],
      time: ['10:30 | Room 4'],
    });
  });

  it('reads the layouts pages use', () => {
    expect(
      index(`<div>
        <p><b>Format:</b> Paperback<br><b>Vendor:</b> Value&nbsp;Books<br>Availability: In Stock<br></p>
        <p><strong>ISBN-13</strong>: 978-0-316-76948-8</p>
        <p><span class="label">Publisher:</span> <span class="value">Penguin</span></p>
        <table><tr><th>Pages</th><td>96</td></tr><tr><td>Language</td><td>English</td></tr>
          <tr><td><b>Edition:</b></td><td>2nd</td></tr></table>
        <dl><dt>Series</dt><dd>Sea</dd></dl>
        <ul><li>Dimensions: 6 x 9 in</li></ul>
        <div class="byline">By: <a href="/a">Paul Kent</a></div>
        <p class="credits">by <a>A. Writer</a> and <a>B. Writer</a></p>
        <p><b>Author:</b> <a>A</a>, <a>B</a></p>
      </div>`),
    ).toEqual({
      format: ['Paperback'],
      vendor: ['Value Books'],
      availability: ['In Stock'],
      'isbn 13': ['978-0-316-76948-8'],
      publisher: ['Penguin'],
      pages: ['96'],
      language: ['English'],
      edition: ['2nd'],
      series: ['Sea'],
      dimensions: ['6 x 9 in'],
      by: ['Paul Kent', ['A. Writer', 'B. Writer']],
      author: [['A', 'B']],
    });
  });

  it('reads a label cell whose text sits in an element of its own', () => {
    expect(
      index(`<table><tr><td><b>Publisher</b></td><td>Vintage</td></tr><tr><th><span>Format</span></th><td>Paperback</td></tr>
        <tr><td><b>Pages</b> and more</td><td>287</td></tr></table>`),
    ).toEqual({ publisher: ['Vintage'], format: ['Paperback'] });
  });

  it('reads the labelled parts of a line of facts parted by bars, and a label ending in digits', () => {
    expect(
      index(`<p class="meta">Paperback | Vintage | Pub Date: 3/28/2006 | ISBN-13: 9780307387899</p>
        <ul><li>ISBN-13: 978-0307387899</li></ul><p>Doors open 10:30 | Room 4</p>`),
    ).toEqual({ 'pub date': ['3/28/2006'], 'isbn 13': ['9780307387899', '978-0307387899'] });
  });

  it('reads the role credited after each name as its label', () => {
    expect(
      index(`<div class="buying"><a href="/a/1">Neil Gaiman</a> (Author), <a href="/a/2">Terry Pratchett</a> (Author),
        <a href="/a/3">Jo Park</a> (Illustrator)</div><p><a href="/s">Sale</a> (ends Friday)</p>`),
    ).toEqual({ author: [['Neil Gaiman', 'Terry Pratchett']], illustrator: ['Jo Park'] });
  });

  it('reads an element that credits a name after "by" or "von", not a menu facet or a phrase', () => {
    expect(
      index(`<div><p>by Cormac McCarthy (Author)</p><span class="by">von Jane Doe</span><p class="byline">Written by Rosa Ewald<br>Edited by Bea Bayer</p>
        <span class="menu-head">By Category</span><p>by the way</p><li><a href="/b">Other Book</a><br>by Ade Bello</li></div>`),
    ).toEqual({ by: ['Cormac McCarthy (Author)'], von: ['Jane Doe'], 'written by': ['Rosa Ewald'] });
  });

  it('reads a credit word however deeply the markup indents it', () => {
    const indent = `\n${' '.repeat(28)}`;
    expect(index(`<div><p class="subtitle">${indent}by <a href="/writers/jane">Jane Doe</a>${indent}</p></div>`)).toEqual({
      by: ['Jane Doe'],
    });
    expect(index(`<div><p>${indent}<span>Written${indent}by</span> <a href="/writers/jane">Jane Doe</a></p></div>`)).toEqual({
      'written by': ['Jane Doe'],
    });
  });

  it('does not read the credits of reviews, comments or a sidebar’s story list as the page’s', () => {
    expect(
      index(`<div id="customer-reviews"><div class="review"><b>Great read</b><p class="meta">by Mike Jones</p></div></div>
        <ol class="comment-list"><li>By <a href="/u/2">Sam Ray</a></li></ol><aside><span class="byline">By Ada Lund</span></aside>
        <p class="byline">By <a href="/a/1">Jo Park</a></p>`),
    ).toEqual({ by: ['Jo Park'] });
  });

  it('reads the publisher a publication date line credits', () => {
    expect(index(`<div class="row">Published March 28th 2006 by Vintage Books</div><p>Published: May 2010 by Penguin</p>`)).toEqual({
      published: ['March 28th 2006', 'May 2010'],
      'published by': ['Vintage Books', 'Penguin'],
    });
  });

  it('ignores prose, scripts and times of day', () => {
    expect(
      index(`<p>Note: this sentence is much longer than any label would ever be, so it is prose and not a label at all.</p>
        <p>Doors open 10:30 daily</p><script>var a = {b: 1}</script><p>The meeting was at 10:30: bring coffee</p>`),
    ).toEqual({ note: ['this sentence is much longer than any label would ever be, so it is prose and not a label at all.'] });
  });
});
