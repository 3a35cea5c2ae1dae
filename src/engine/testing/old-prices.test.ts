import { describe, expect, it } from 'vitest';
import { parseHtml } from '../extract/dom.js';
import { oldPriceAmounts } from './old-prices.js';

describe('old prices', () => {
  it('are the struck side of a was/now pair in a price box', () => {
    const page = parseHtml(`<div class="price"><h3>€ <span>17,10</span></h3>
      <div class="full-price"><span class="barred">€ 18,00</span> -5%</div></div>
      <p class="box"><span class="old-price">$20.00</span> <span class="special-price">$15.00</span></p>`);
    expect([...oldPriceAmounts(page)].sort()).toEqual([18, 20]);
  });

  it('pair a struck price alone in its element with the current one beside that element; a price only named old stays current alone', () => {
    const sale =
      parseHtml(`<div class="price__sale"><span class="visually-hidden">Regular price</span><span><s class="price-item">$1,499.00 USD</s></span>
      <span class="visually-hidden">Sale price</span><span class="price-item price-item--sale">$1,299.00 USD</span></div>`);
    expect([...oldPriceAmounts(sale)]).toEqual([1499]);
    const named = parseHtml(`<ul id="price-list"><li class="price"><span class="price-old-live">100.00€</span></li>
      <li class="price-tax">Excl. VAT: <span>81.97€</span></li></ul>`);
    expect(oldPriceAmounts(named).size).toBe(0);
  });

  it("are read with the site's decimal mark, as the field's values are", () => {
    const page = parseHtml(`<div class="price"><span class="now">$229.990</span> <s>$249.990</s></div>`);
    expect([...oldPriceAmounts(page)]).toEqual([249990]);
    expect([...oldPriceAmounts(page, '.')]).toEqual([249.99]);
  });

  it('leave out a struck price with nothing beside it, and the tiles of a related-items strip', () => {
    const tile = (old: string, now: string, state: string) =>
      `<li class="tile slide ${state}"><a href="/p">Other item</a><p><del>€ ${old}</del> <em>€ ${now}</em></p></li>`;
    const page = parseHtml(`<p><del>€ 30,00</del></p>
      <ul class="related">${tile('39,99', '27,95', 'slide-active')}${tile('49,99', '39,95', 'slide-next')}${tile('9,99', '5,00', '')}</ul>`);
    expect(oldPriceAmounts(page).size).toBe(0);
    const named = parseHtml(
      `<section class="related-products"><div class="card"><p><del>€ 39,99</del> <em>€ 27,95</em></p></div></section>`,
    );
    expect(oldPriceAmounts(named).size).toBe(0);
  });
});
