import { describe, expect, it } from 'vitest';
import type { Blueprint } from '../blueprint/schema.js';
import { extractPage } from '../extract/runtime.js';
import { combineAvailability, parseAvailability } from './availability.js';
import { identifierShape, isValidGtin } from './identifier.js';
import { currencyOf, decimalMarkOf, parseMoney } from './money.js';

describe('money', () => {
  it('reads thousands separators and decimal commas', () => {
    expect(parseMoney('24,99 €')).toEqual({ amount: 24.99, currency: 'EUR' });
    expect(parseMoney('$1,299.00')).toEqual({ amount: 1299, currency: 'USD' });
    expect(parseMoney('1.299,00 €')).toEqual({ amount: 1299, currency: 'EUR' });
    expect(parseMoney('CLP 24.990')).toEqual({ amount: 24990, currency: 'CLP' });
    expect(parseMoney('€1.299')).toEqual({ amount: 1299, currency: 'EUR' });
    // Three-decimal currencies keep their minor units.
    expect(parseMoney('KWD 1.250')).toEqual({ amount: 1.25, currency: 'KWD' });
  });

  it('reads the one ambiguous case, a lone separator before three digits, with a known decimal mark', () => {
    expect(parseMoney('$24.990', '.')?.amount).toBe(24.99);
    expect(parseMoney('12,500 kr', ',')?.amount).toBe(12.5);
    // Texts that say how they are written do not need the mark.
    expect(parseMoney('$1.234.567', '.')?.amount).toBe(1234567);
    expect(parseMoney('1.299,00 €', '.')?.amount).toBe(1299);
    expect(parseMoney('$24.99', ',')?.amount).toBe(24.99);
  });

  it('learns the decimal mark only from an example a page writes ambiguously and nowhere plainly', () => {
    expect(decimalMarkOf('24.99', ['Add to cart', '$24.990'])).toBe('.');
    expect(decimalMarkOf('12.5', ['12,500 kr'])).toBe(',');
    // The page also states the amount plainly: "24.990" there is another number.
    expect(decimalMarkOf('24.99', ['$24.990', 'Now $24.99'])).toBeNull();
    // The example reads the page's text as written.
    expect(decimalMarkOf('24990', ['$24.990'])).toBeNull();
    expect(decimalMarkOf('In stock', ['$24.990'])).toBeNull();
  });

  it('takes the current side of a was/now pair, the lower end of a range, and not the unit price', () => {
    expect(parseMoney('Was £20.00 Now £15.00')?.amount).toBe(15);
    expect(parseMoney('statt 20 € jetzt 15 €')?.amount).toBe(15);
    expect(parseMoney('€10 – €20')?.amount).toBe(10);
    expect(parseMoney('£2.50 (£1.25/kg)')?.amount).toBe(2.5);
    expect(parseMoney('3,20 € 6,40 €/kg')?.amount).toBe(3.2);
    // The unit price set small before the price, as grocers often do.
    expect(parseMoney('2,50 € / 1 l 9,50 €')).toEqual({ amount: 9.5, currency: 'EUR' });
    expect(parseMoney('(Grundpreis: 12,45 € pro kg) 4,98 €')).toEqual({ amount: 4.98, currency: 'EUR' });
  });

  it('joins cents written apart', () => {
    expect(parseMoney('63 07 Lei')).toEqual({ amount: 63.07, currency: 'RON' });
    expect(parseMoney('1 299,00 €')?.amount).toBe(1299);
  });

  it('names currencies by code before symbol, the longest symbol first', () => {
    expect(currencyOf('US$ 5')).toBe('USD');
    expect(currencyOf('R$ 5')).toBe('BRL');
    expect(currencyOf('5 kr')).toBe('SEK');
    expect(currencyOf('Krone')).toBeNull();
    expect(currencyOf('MX$1,299.00')).toBe('MXN');
    expect(currencyOf('S/ 59.90')).toBe('PEN');
    expect(currencyOf('S/M')).toBeNull();
    expect(currencyOf('Ksh 1,299')).toBe('KES');
  });

  it('reads superscript cents from the page as the visitor sees them', () => {
    const blueprint: Blueprint = {
      schemaVersion: 1,
      site: null,
      version: 1,
      pageTypes: [
        {
          name: 'p',
          kind: 'detail',
          match: { urlPattern: '*', examples: [] },
          list: null,
          fields: [{ name: 'price', type: 'money', multiple: false, required: true, mode: 'manual', sources: [{ css: '.price' }] }],
        },
      ],
    };
    const record = extractPage(blueprint, { url: 'https://shop.example/p', html: '<p class="price">63<sup>07</sup> Lei</p>' });
    expect(record.fields.price?.typed).toEqual({ amount: 63.07, currency: 'RON' });
    expect(record.fields.price?.value).toBe('63.07 Lei');
  });
});

describe('availability', () => {
  it('maps structured data tokens and URLs, never returning the raw URL', () => {
    expect(parseAvailability('http://schema.org/InStock')).toBe('InStock');
    expect(parseAvailability('https://schema.org/OutOfStock')).toBe('OutOfStock');
    expect(parseAvailability('PreOrder')).toBe('PreOrder');
    expect(parseAvailability('in_stock')).toBe('InStock');
    expect(parseAvailability('OUT_OF_STOCK')).toBe('OutOfStock');
  });

  it('reads stock texts in several languages, negations first', () => {
    expect(parseAvailability('Only 3 left in stock')).toBe('LimitedAvailability');
    expect(parseAvailability('Sold out')).toBe('OutOfStock');
    expect(parseAvailability('NOT SOLD')).toBe('InStock');
    expect(parseAvailability('Not available')).toBe('OutOfStock');
    expect(parseAvailability('Auf Lager')).toBe('InStock');
    expect(parseAvailability('Nicht lieferbar')).toBe('OutOfStock');
    expect(parseAvailability('Épuisé')).toBe('OutOfStock');
    expect(parseAvailability('Disponibile')).toBe('InStock');
    expect(parseAvailability('Agotado')).toBe('OutOfStock');
    expect(parseAvailability('Pre-order now')).toBe('PreOrder');
    expect(parseAvailability('Нет в наличии')).toBe('OutOfStock');
    // A negation in the Scandinavian languages reads the in-stock phrase it contains.
    expect(parseAvailability('Ikke på lager')).toBe('OutOfStock');
    expect(parseAvailability('Inte i lager')).toBe('OutOfStock');
    expect(parseAvailability('I lager')).toBe('InStock');
    expect(parseAvailability('Stokta yok')).toBe('OutOfStock');
    expect(parseAvailability('Stokta')).toBe('InStock');
    expect(parseAvailability('Vyprodáno')).toBe('OutOfStock');
    expect(parseAvailability('Blue')).toBeNull();
  });

  it('reads a count of none, and a promise of return, as out of stock', () => {
    expect(parseAvailability('0 in stock')).toBe('OutOfStock');
    expect(parseAvailability('0 items available')).toBe('OutOfStock');
    expect(parseAvailability('10 in stock')).toBe('InStock');
    expect(parseAvailability('Back in stock soon')).toBe('OutOfStock');
    expect(parseAvailability('Coming soon')).toBe('OutOfStock');
    expect(parseAvailability('Demnächst wieder verfügbar')).toBe('OutOfStock');
  });

  it('reads a promised dispatch time as in stock, unless the text says otherwise', () => {
    expect(parseAvailability('Usually ships in 24 hours')).toBe('InStock');
    expect(parseAvailability('Dispatched within 2 working days')).toBe('InStock');
    expect(parseAvailability('Versandfertig in 1-2 Tagen')).toBe('InStock');
    expect(parseAvailability('Expédié sous 48h')).toBe('InStock');
    expect(parseAvailability('Spedizione in 24/48 ore')).toBe('InStock');
    expect(parseAvailability('Out of stock: ships in 3 weeks when back')).toBe('OutOfStock');
    expect(parseAvailability('Free shipping on orders over $50')).toBeNull();
  });

  it('reads the call to action a shop shows only when it sells the item', () => {
    expect(parseAvailability('Add to basket')).toBe('InStock');
    expect(parseAvailability('In den Warenkorb')).toBe('InStock');
    expect(parseAvailability('Notify me when available')).toBe('OutOfStock');
  });

  it('an item is in stock when any of its offers is', () => {
    expect(combineAvailability(['OutOfStock', 'InStock', 'OutOfStock'])).toBe('InStock');
    expect(combineAvailability(['OutOfStock', 'PreOrder'])).toBe('PreOrder');
    expect(combineAvailability(['OutOfStock', 'OutOfStock'])).toBe('OutOfStock');
    expect(combineAvailability([])).toBeNull();
  });

  it('extracts the schema.org name as the value, keeps the text read, and combines offers', () => {
    const jsonLd = {
      '@type': 'Product',
      name: 'Dress',
      offers: [{ availability: 'http://schema.org/OutOfStock' }, { availability: 'http://schema.org/InStock' }],
    };
    const blueprint: Blueprint = {
      schemaVersion: 1,
      site: null,
      version: 1,
      pageTypes: [
        {
          name: 'product',
          kind: 'detail',
          dataType: 'Product',
          match: { urlPattern: '*', examples: [] },
          list: null,
          fields: [
            {
              name: 'availability',
              type: 'availability',
              multiple: false,
              required: true,
              mode: 'manual',
              sources: [{ jsonld: 'offers.availability' }],
            },
          ],
        },
      ],
    };
    const html = `<script type="application/ld+json">${JSON.stringify(jsonLd)}</script>`;
    const field = extractPage(blueprint, { url: 'https://shop.example/p', html }).fields.availability;
    expect(field).toMatchObject({ value: 'InStock', typed: 'InStock', raw: 'http://schema.org/InStock', valid: true });
  });
});

describe('identifiers', () => {
  it('checks GTIN check digits', () => {
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('4006381333932')).toBe(false);
    expect(isValidGtin('036000291452')).toBe(true);
  });

  it('tells a code from a word or a name fragment', () => {
    for (const code of ['VE900', '002.937.72', '466/7999', 'HOM21C023-Q11', 'RW-SSJ-M', '12185160']) expect(identifierShape(code)).toBe(1);
    expect(identifierShape('Fake Wounds')).toBeLessThan(0.3);
    expect(identifierShape('Black')).toBeLessThan(0.3);
    expect(identifierShape('X1')).toBeLessThan(0.5);
  });
});
