import { compileQuery, selectElements } from '../extract/runtime.js';
import { isTag, type AnyNode, type Element } from '../extract/dom.js';

/*
 * Robust CSS selectors for an element of a server-side parsed page. A maintained generator such as
 * @medv/finder was considered: it needs a browser DOM (ownerDocument.querySelectorAll, classList,
 * parentElement), so on Node it would need a second parse into jsdom/linkedom per page, and it
 * optimises for uniqueness on one page, not for stability across a site's pages. This small
 * generator works on the same htmlparser2 tree the extractor uses and lets testing pick the
 * selector that holds across samples.
 */

const UTILITY_CLASS =
  /^(d|w|h|text|bg|col|row|flex|grid|float|font|border|rounded|shadow|gap|justify|items|align|order|offset|visible|hidden|is|has|js|u)-/i;
/**
 * Spacing utilities take a size ("pb-4", "mt-md-2", "px-[3px]", "m-auto", "-mt-1"); with a word
 * after the same letters the class names a part ("pb-byline", "p-article").
 */
const SPACING_CLASS = /^-?(m|p|mt|mb|ml|mr|mx|my|pt|pb|pl|pr|px|py|ms|me|ps|pe)-(?:(?:sm|md|lg|xl|xxl|2xl)-)?(?:\d|px$|auto$|\[|n\d)/i;
const STATE_CLASS =
  /^(active|selected|current|open|closed|hidden|show|visible|first|last|odd|even|clearfix|cleartype|clear|left|right|center|row|col|container|wrapper|inner|outer|content|block|item|box|fl|fr|on|off|disabled|enabled|new|sale|lazy|lazyload|loaded|fade|in)$/i;
const GENERATED_PREFIX = /^(css|sc|jsx|emotion|styled|svelte|astro|tw|chakra|mui|makeStyles|ember|ng)-/i;

/** Hash-like tokens: a run of 5+ characters mixing digits and letters, or long digit runs. */
function looksGenerated(token: string): boolean {
  if (GENERATED_PREFIX.test(token)) return true;
  if (/\d{3,}/.test(token)) return true;
  return token
    .split(/[-_]+/)
    .some((part) => part.length >= 5 && /\d/.test(part) && /[a-z]/i.test(part) && (part.match(/\d/g)?.length ?? 0) >= 2);
}

export function isStableClass(name: string): boolean {
  return (
    name.length >= 2 &&
    name.length <= 40 &&
    /^[a-z_-]/i.test(name) &&
    !looksGenerated(name) &&
    !UTILITY_CLASS.test(name) &&
    !SPACING_CLASS.test(name) &&
    !STATE_CLASS.test(name)
  );
}

export function isStableId(id: string): boolean {
  return id.length >= 2 && id.length <= 50 && /^[a-z]/i.test(id) && !looksGenerated(id);
}

const SEMANTIC_DATA_ATTRIBUTE =
  /^data-(testid|test-id|test|qa|cy|field|name|role|type|component|section|element|automation-id|attribute|prop|property|label|content-type)$/;

export function cssEscape(identifier: string): string {
  return identifier.replace(/^(\d)/, '\\3$1 ').replace(/[^a-zA-Z0-9_-]/g, (ch) => `\\${ch}`);
}

const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

export function stableClasses(element: Element): string[] {
  return (element.attribs.class ?? '').split(/\s+/).filter(isStableClass);
}

/** How the element can be named on its own, most robust first: id, itemprop, data attributes, classes. */
export function ownDescriptors(element: Element): string[] {
  const out: string[] = [];
  const { id, itemprop } = element.attribs;
  if (id && isStableId(id)) out.push(`#${cssEscape(id)}`);
  if (itemprop && !looksGenerated(itemprop)) out.push(`[itemprop=${quoted(itemprop)}]`);
  for (const [name, value] of Object.entries(element.attribs)) {
    if (SEMANTIC_DATA_ATTRIBUTE.test(name) && value && value.length <= 40 && !looksGenerated(value)) {
      out.push(`[${name}=${quoted(value)}]`);
    }
  }
  for (const name of stableClasses(element).slice(0, 3)) out.push(`${element.name}.${cssEscape(name)}`);
  return out;
}

function anchorsOf(element: Element, limit: number, root: AnyNode): string[] {
  const anchors: string[] = [];
  for (let node = element.parent; node && node !== root && isTag(node) && anchors.length < limit; node = node.parent) {
    if (node.name === 'body' || node.name === 'html') break;
    const descriptor = ownDescriptors(node)[0];
    if (descriptor) anchors.push(descriptor.replace(/^[a-z\d]+(?=\.)/, ''));
  }
  return anchors;
}

export interface SelectorCandidate {
  css: string;
  /** The element is the first match in document order, so single-valued reads get it. */
  first: boolean;
  /** Number of elements the selector matches on the page. */
  matches: number;
}

/**
 * Short selectors, relative to `root` (a page or a list item), that reach the element: its own descriptors, then each anchored on one of its
 * nearest stable ancestors. Positional chains are never produced; only selectors that actually
 * select the element on this page are returned.
 */
export function selectorsFor(element: Element, root: AnyNode, limit = 6): SelectorCandidate[] {
  const own = ownDescriptors(element);
  const leaf = own.filter((d) => !d.startsWith('#'));
  const tails = [...new Set([...leaf.slice(0, 2), element.name])];
  const candidates = [...own.map((d) => d.replace(/^[a-z\d]+(?=\.)/, '')), ...own];
  for (const anchor of anchorsOf(element, 3, root)) for (const tail of tails) candidates.push(`${anchor} ${tail}`);
  candidates.push(element.name);
  const out: SelectorCandidate[] = [];
  for (const css of [...new Set(candidates)]) {
    const matched = selectElements(compileQuery(css), root);
    const index = matched.indexOf(element);
    if (index < 0) continue;
    out.push({ css, first: index === 0, matches: matched.length });
    if (out.length >= limit) break;
  }
  return out;
}
