import type { Schemas } from '../../../api/client';

export type BlueprintContent = Schemas['BlueprintVersion']['content'];
export type BlueprintField = BlueprintContent['pageTypes'][number]['fields'][number];
export type BlueprintSource = BlueprintField['sources'][number];

/** One source as people read it: `css: h1.title`, `jsonld: offers.price (Product)`, `json: props.pageProps.product.sku (__NEXT_DATA__)`, `meta: og:title`, `label: isbn`. */
export function describeSource(source: BlueprintSource): string {
  const extras = [source.regex && `regex ${source.regex}`, source.transforms?.length && source.transforms.join(', ')].filter(Boolean);
  const suffix = extras.length ? ` · ${extras.join(' · ')}` : '';
  if ('css' in source) return `css: ${source.css}${source.read && source.read !== 'text' ? ` → ${source.read}` : ''}${suffix}`;
  if ('jsonld' in source) return `jsonld: ${source.jsonld}${source.type ? ` (${source.type})` : ''}${suffix}`;
  if ('json' in source) return `json: ${source.json}${source.script ? ` (${source.script})` : ''}${suffix}`;
  if ('meta' in source) return `meta: ${source.meta}${suffix}`;
  return `label: ${source.label.join(' | ')}${suffix}`;
}

/** An extracted value as text: money with its currency, lists joined, objects as JSON. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(displayValue).join(', ');
  if (typeof value === 'object') {
    const money = value as { amount?: unknown; currency?: unknown };
    if (typeof money.amount === 'number') return `${money.amount}${typeof money.currency === 'string' ? ` ${money.currency}` : ''}`;
    return JSON.stringify(value);
  }
  return String(value);
}

/**
 * A typed value as people read it, with its type: "24.99 EUR · money", "2021-06-05 · date";
 * the raw text when it did not parse ("not a gtin: 123").
 */
export function typedValueText(field: Schemas['TypedField'] | undefined): string {
  if (!field) return '—';
  if (!field.valid) return field.raw === null ? '—' : `not a ${field.type}: ${displayValue(field.raw)}`;
  return `${displayValue(field.value)} · ${field.type}`;
}
