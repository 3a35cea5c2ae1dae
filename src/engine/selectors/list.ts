import type { CssSource, FieldType } from '../blueprint/schema.js';
import { allElements, isTag, isText, textOf, type Element } from '../extract/dom.js';
import { compileQuery, selectElements, type PageContext } from '../extract/runtime.js';
import { validity } from '../testing/validators.js';
import { comparable } from './values.js';
import { cssEscape, ownDescriptors, selectorsFor, stableClasses } from './css.js';
import type { CandidateSet, FieldCandidates, FieldSpec } from './generate.js';
import { newCandidateSet } from './generate.js';
import { profileField, tokenMatch } from './knowledge.js';

const MIN_ITEMS = 3;
/** Records must carry most of the page's text; a related-products strip on a detail page does not. */
const MIN_TEXT_SHARE = 0.35;

function signature(element: Element): string {
  const classes = stableClasses(element);
  return classes.length ? `${element.name}.${cssEscape(classes[0]!)}` : '';
}

/**
 * The repeated record of a listing page: sibling elements with the same tag and class, each with a
 * link, present on every sample and together holding a large share of the page text.
 */
export function detectListItems(pages: PageContext[]): string | null {
  const counts = new Map<string, number>();
  const first = pages[0];
  if (!first) return null;
  for (const parent of allElements(first.document)) {
    const groups = new Map<string, number>();
    for (const child of parent.children) {
      if (!isTag(child)) continue;
      const key = signature(child);
      if (key) groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    for (const [key, count] of groups) if (count >= MIN_ITEMS) counts.set(key, Math.max(counts.get(key) ?? 0, count));
  }
  let best: { selector: string; share: number } | null = null;
  for (const selector of counts.keys()) {
    const query = compileQuery(selector);
    let minShare = 1;
    for (const page of pages) {
      const items = selectElements(query, page.document).filter((item) => allElements(item).some((e) => e.name === 'a'));
      // Records link to their own pages; reviews and widgets repeat the same few links.
      const hrefs = items.map((item) => allElements(item).find((e) => e.name === 'a' && e.attribs.href)?.attribs.href ?? '');
      if (new Set(hrefs).size < hrefs.length * 0.8) {
        minShare = 0;
        break;
      }
      const body = textOf(page.document).length || 1;
      const share = items.length >= MIN_ITEMS ? items.reduce((sum, item) => sum + textOf(item).length, 0) / body : 0;
      minShare = Math.min(minShare, share);
    }
    if (minShare >= MIN_TEXT_SHARE && (!best || minShare > best.share)) best = { selector, share: minShare };
  }
  return best?.selector ?? null;
}

const READ_FOR_TYPE: Partial<Record<FieldType, { tag: string; read: string }>> = {
  url: { tag: 'a', read: 'attr:href' },
  image: { tag: 'img', read: 'attr:src' },
};

/** Records whose elements are searched for known values: enough to see the template, testing covers the rest. */
const EXAMPLE_ITEMS = 12;

/** Elements of a record whose text is one of the field's known values on the record's page. */
function exampleItemCandidates(set: CandidateSet, items: Element[], known: (string[] | undefined)[], multiple: boolean): void {
  const comparableSets = new Map<string[], Set<string>>();
  let searched = 0;
  for (const [index, item] of items.entries()) {
    const values = known[index];
    if (!values?.length) continue;
    if (searched++ === EXAMPLE_ITEMS) break;
    let wanted = comparableSets.get(values);
    if (!wanted) comparableSets.set(values, (wanted = new Set(values.map(comparable).filter(Boolean))));
    for (const element of allElements(item)) {
      if (!wanted.has(comparable(textOf(element)))) continue;
      for (const selector of selectorsFor(element, item, 3)) {
        if (selector.first || multiple) set.add({ css: selector.css }, 'example', 0.95);
      }
    }
  }
}

/**
 * Candidates for one field inside list items: elements holding a known value, named elements,
 * headings, links, images, typed text. `known[i]` holds the field's example values on the page of item i.
 */
function itemCandidates(set: CandidateSet, spec: FieldSpec, items: Element[], known: (string[] | undefined)[]): FieldCandidates {
  const profile = profileField(spec.name, spec.description);
  const type = spec.type ?? profile.type;
  const multiple = spec.multiple ?? profile.multiple;
  const byType = READ_FOR_TYPE[type];
  exampleItemCandidates(set, items, known, multiple);
  for (const item of items.slice(0, 4)) {
    // A record's name is often just the text of the link to its own page, with no heading around it.
    const ownLink = allElements(item).find((element) => element.name === 'a' && element.attribs.href && textOf(element));
    for (const element of allElements(item)) {
      const tokens = [...stableClasses(element), element.attribs.id ?? '', element.attribs.itemprop ?? ''].filter(Boolean);
      const named = Math.max(0, ...tokens.map((token) => tokenMatch(profile, token)));
      const text = textOf(element);
      const ownText = element.children.some((child) => isText(child) && child.data.trim());
      let prior = 0;
      if (named >= 0.8) prior = 0.75 * named;
      else if (profile.heading && /^h[1-6]$/.test(element.name) && text) prior = 0.6;
      else if (byType && element.name === byType.tag) prior = 0.5;
      else if (profile.heading && element === ownLink) prior = 0.5;
      else if (ownText && ['money', 'date', 'isbn13', 'gtin'].includes(profile.kind) && validity(profile.kind, text) === 1) prior = 0.45;
      if (!prior) continue;
      const read = byType && element.name === byType.tag ? byType.read : undefined;
      for (const selector of selectorsFor(element, item, 3)) {
        if (selector.first) set.add({ css: selector.css, ...(read ? { read } : {}) }, 'template', prior);
      }
    }
  }
  // Testing then rewards sources whose values are among the known ones, record by record.
  const examples = new Map(known.flatMap((values, index) => (values?.length ? [[index, values] as const] : [])));
  return { spec, profile, type, multiple, candidates: set.list, examples };
}

/**
 * Candidate sources for fields inside the records `items`. `examples(field)` gives, per item, the
 * field's known values on that item's page (all of its records' values, in any order).
 */
export function generateItemSelectors(
  items: Element[],
  fields: FieldSpec[],
  examples?: (field: string) => (string[] | undefined)[],
): FieldCandidates[] {
  return fields.map((spec) => itemCandidates(newCandidateSet(), spec, items, examples?.(spec.name) ?? []));
}

const NEXT_TEXT = /^(next|next page|more|older|›|»|>|→|suivant|weiter|siguiente)\b|^[›»>→]$/i;

/** The next-page link: rel=next, or a link whose text, class or label says "next". */
export function nextPageCandidates(pages: PageContext[]): CssSource[] {
  const out = new Map<string, CssSource>();
  for (const page of pages) {
    for (const element of allElements(page.document)) {
      if ((element.name !== 'a' && element.name !== 'link') || !element.attribs.href) continue;
      const rel = (element.attribs.rel ?? '').split(/\s+/).includes('next');
      const label = `${element.attribs['aria-label'] ?? ''} ${element.attribs.title ?? ''}`;
      const named = ownDescriptors(element).some((d) => /next/i.test(d)) || /next/i.test(label);
      if (!rel && !named && !NEXT_TEXT.test(textOf(element))) continue;
      for (const selector of selectorsFor(element, page.document, 3)) {
        if (selector.first) out.set(selector.css, { css: selector.css, read: 'attr:href' });
      }
      if (rel) out.set(`${element.name}[rel="next"]`, { css: `${element.name}[rel="next"]`, read: 'attr:href' });
    }
  }
  return [...out.values()];
}
