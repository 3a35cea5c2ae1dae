import { ARTICLE_TYPES, PRODUCT_TYPES } from '../discover/naming.js';
import { allElements, textOf, type Element } from '../extract/dom.js';
import type { PageContext } from '../extract/runtime.js';
import { CONTAINER_TYPES, jsonLdTypes } from '../extract/structured.js';
import { BYLINE_WORD_PATTERN } from '../extract/labels.js';
import { comparable } from './values.js';

/**
 * What a page says its own name is, outside the visible heading: the document title, Open Graph,
 * Twitter, Dublin Core and Parse.ly titles, and the headline or name of its main structured-data
 * item. A visible heading that one of these agrees with is the item's name; a heading none of
 * them agrees with is a logo, a section title or a related item's name.
 */
export const TITLE_META = ['og:title', 'twitter:title', 'dc.title', 'dc:title', 'dcterms.title', 'parsely-title', 'title'];

const cache = new WeakMap<PageContext, string[]>();

/** Every title the page declares, one per declaration (the same text may come several times), comparable-normalised. */
function declarations(page: PageContext): string[] {
  const known = cache.get(page);
  if (known) return known;
  const texts = [page.title];
  for (const name of TITLE_META) texts.push(...(page.meta.get(name) ?? []).slice(0, 1));
  for (const object of page.jsonLd) {
    if (jsonLdTypes(object).some((type) => CONTAINER_TYPES.has(type))) continue;
    for (const key of ['headline', 'name']) if (typeof object[key] === 'string') texts.push(object[key]);
  }
  const titles = texts.map(comparable).filter(Boolean);
  cache.set(page, titles);
  return titles;
}

const distinctCache = new WeakMap<PageContext, string[]>();

/** The page's declared titles, comparable-normalised and without duplicates. */
export function declaredTitles(page: PageContext): string[] {
  let titles = distinctCache.get(page);
  if (!titles) distinctCache.set(page, (titles = [...new Set(declarations(page))]));
  return titles;
}

/**
 * A declared title agrees with a value when it is the value, or the value with the site's name,
 * a format or an author appended after a separator ("Mozilla - Wikipedia" agrees with
 * "Mozilla"), or prepended when the value is most of it ("Shop | Oak Lamp"), or when it holds
 * the value almost whole. A site name alone ("Wikipedia") ends every title of its site without
 * being any page's name, and a shorter name ("The Times") inside a longer one ("The Times
 * Español") is another name.
 */
export function agreesWith(declared: string, value: string): boolean {
  if (!value || !declared.includes(value)) return false;
  if (declared === value) return true;
  if (declared.startsWith(value) && (SEPARATOR_AFTER.test(declared.slice(value.length)) || CREDIT_AFTER.test(declared.slice(value.length))))
    return true;
  // A search phrase after the name ("Oak Lamp kaufen | Shop", "Oak Lamp kopen? | Shop"): a word
  // or two before the site's separator, after a name of two words or more. Without a separator
  // the words are part of another name ("The Times en Español").
  if (declared.startsWith(value) && value.includes(' ') && SEO_TAIL.test(declared.slice(value.length))) return true;
  const share = value.length / declared.length;
  if (declared.endsWith(value) && SEPARATOR_BEFORE.test(declared.slice(0, -value.length))) return share >= SUFFIX_SHARE;
  return share >= CONTAINED_SHARE;
}

const SUFFIX_SHARE = 0.4;
const SEO_TAIL = /^\s+\p{L}+(?:\s+\p{L}+)?[?!]?\s*[|–—·•»:_-]/u;
const CONTAINED_SHARE = 0.75;
const SEPARATOR_AFTER = /^\s*[|–—·•»:_(（-]/;
/** "The Road by Cormac McCarthy | Shop": a book's or article's credit follows its name. */
const CREDIT_AFTER = new RegExp(String.raw`^\s+${BYLINE_WORD_PATTERN}\s+\p{L}`, 'iu');
const SEPARATOR_BEFORE = /[|–—·•»:_)）-]\s*$/;

/** How many of the page's (distinct) declared titles agree with a value (0 when none does). */
export function titleSupport(page: PageContext, value: string): number {
  const normal = comparable(value);
  return declaredTitles(page).filter((title) => agreesWith(title, normal)).length;
}

const HEADING = /^h[1-3]$/;
const MAX_HEADINGS = 40;

/**
 * Whether a declared title is a visible heading with more appended or prepended ("Oak lamp |
 * Shop" over an "Oak lamp" heading): on an item page the heading is the name and the rest is the
 * shop's name, a format or an author.
 */
export function extendsHeading(page: PageContext, value: string): boolean {
  const declared = comparable(value);
  return headingTexts(page).some((heading) => heading !== declared && agreesWith(declared, heading));
}

/** A text's words without punctuation or possessive endings. */
const sameWords = (text: string) =>
  text
    .replace(/['’]s\b/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const headingCache = new WeakMap<PageContext, string[]>();

/** The texts of the page's first h1–h3 headings, comparable-normalised. */
function headingTexts(page: PageContext): string[] {
  const known = headingCache.get(page);
  if (known) return known;
  const texts: string[] = [];
  for (const element of allElements(page.document)) {
    if (!HEADING.test(element.name)) continue;
    const text = comparable(textOf(element));
    if (text) texts.push(text);
    if (texts.length >= MAX_HEADINGS) break;
  }
  headingCache.set(page, texts);
  return texts;
}

/**
 * Whether something else on the page confirms an article's declared headline: a second declared
 * title (the same text declared twice counts) or a visible heading that is the headline, holds it, or is held by it ("Oak lamp" under
 * a declared "Oak lamp | Shop"), or reads the same words but for punctuation and possessives
 * ("Oak's lamp - a guide" as "Oak lamp: a guide"). A structured-data headline that nothing else states (an
 * encyclopedia's one-line description) is not the title.
 */
export function headlineConfirmed(page: PageContext, value: string): boolean {
  const headline = comparable(value);
  if (!headline) return false;
  const words = sameWords(headline);
  const agree = (other: string) => agreesWith(headline, other) || agreesWith(other, headline) || sameWords(other) === words;
  return (
    declarations(page).filter(agree).length >= 2 ||
    declaredTitles(page).some((title) => title !== headline && agree(title)) ||
    headingTexts(page).some(agree)
  );
}

/**
 * Visible headings (h1–h3) that a declared title agrees with, most agreeing first: the item's
 * name where the page's h1 is its logo or a section title and the name sits in an h2.
 */
export function agreedHeadings(page: PageContext): Element[] {
  if (declaredTitles(page).length === 0) return [];
  const found: Array<{ element: Element; support: number; rank: number }> = [];
  let seen = 0;
  for (const element of allElements(page.document)) {
    if (!HEADING.test(element.name)) continue;
    if (++seen > MAX_HEADINGS) break;
    const support = titleSupport(page, textOf(element));
    if (support > 0) found.push({ element, support, rank: Number(element.name[1]) });
  }
  return found.sort((a, b) => b.support - a.support || a.rank - b.rank).map((entry) => entry.element);
}

const NOT_NAMES = new Set(['script', 'style', 'head', 'title', 'option', 'noscript', 'button', 'a', 'label']);
const MAX_NAME_TEXT = 200;
const MAX_SCANNED = 3000;

/**
 * Where no heading states the item's name, the first visible text the declared titles agree with
 * (`<font><b>Oak Lamp</b></font>` under "Oak Lamp - Shop", `<span class="ttl">`): old templates
 * style the name without heading markup. Links are other pages' names; buttons and labels are
 * controls. The caller weighs where the text sits (chrome, related items).
 */
export function agreedNameText(page: PageContext): Element | null {
  if (declaredTitles(page).length === 0) return null;
  let scanned = 0;
  for (const element of allElements(page.document)) {
    if (++scanned > MAX_SCANNED) break;
    if (NOT_NAMES.has(element.name) || HEADING.test(element.name)) continue;
    const own = element.children.some((child) => child.type === 'text' && child.data.trim());
    if (!own) continue;
    const text = textOf(element);
    if (text.length < 2 || text.length > MAX_NAME_TEXT) continue;
    if (titleSupport(page, text) > 0) return element;
  }
  return null;
}

/**
 * The last part of a document title after a spaced separator, when what remains is the longer
 * part: "Lorem ipsum dolor sit amet – My website" → "Lorem ipsum dolor sit amet". Sites append
 * their name this way; a one-page blueprint cannot learn the suffix from other pages.
 */
export const SITE_NAME_SUFFIX = String.raw`^(.{8,}?)\s+[|–—·•»-]\s+[^|–—·•»]{2,40}$`;

const articles = new WeakMap<PageContext, boolean>();

/**
 * Whether a page says it is an article: an Open Graph `og:type` of article, an article
 * publication time, a schema.org Article type (NewsArticle, BlogPosting…) in JSON-LD or
 * microdata, or an HTML <article> that holds a heading with its publication time or author link.
 * A page whose structured data describes a product is an item page whatever else it says (classified
 * ads publish their listings as Open Graph articles).
 */
export function declaresArticle(page: PageContext): boolean {
  const known = articles.get(page);
  if (known !== undefined) return known;
  const ogType = page.meta.get('og:type')?.[0]?.trim().toLowerCase();
  const itemTypes = (element: Element) =>
    element.attribs.itemscope !== undefined ? [element.attribs.itemtype?.split('/').pop() ?? ''] : [];
  const declaredTypes = new Set([...page.jsonLd.flatMap(jsonLdTypes), ...allElements(page.document).flatMap(itemTypes)]);
  const answer =
    ![...declaredTypes].some((type) => PRODUCT_TYPES.has(type)) &&
    (ogType === 'article' ||
      page.meta.has('article:published_time') ||
      [...declaredTypes].some((type) => ARTICLE_TYPES.has(type)) ||
      allElements(page.document).some((element) => element.name === 'article' && isDatedArticle(element)));
  articles.set(page, answer);
  return answer;
}

/** An <article> element with a heading and a publication time (<time datetime>) or an author link. */
function isDatedArticle(article: Element): boolean {
  const inside = allElements(article);
  return (
    inside.some((element) => element.name === 'h1' || element.name === 'h2') &&
    inside.some(
      (element) =>
        (element.name === 'time' && element.attribs.datetime !== undefined) ||
        (element.name === 'a' && /\bauthor\b/i.test(element.attribs.rel ?? '')),
    )
  );
}

/**
 * Where an article states its own headline, most authoritative first: its structured data, Dublin
 * Core (a bibliographic record), then the sharing metadata (Open Graph, Twitter, Parse.ly). An
 * article's title is what its publisher declares there, as written: that is the headline reader
 * views and link previews show, and the visible heading is often a shortened or restyled form
 * of it. An item page's name is its heading instead (agreedHeadings).
 */
export const ARTICLE_HEADLINE_META = ['dc:title', 'dc.title', 'dcterms.title', 'og:title', 'twitter:title', 'parsely-title'];
