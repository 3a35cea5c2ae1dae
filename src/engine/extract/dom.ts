import type { AnyNode, Document, Element } from 'domhandler';
import { isTag, isText } from 'domhandler';
import { DomHandler, DomUtils, Parser, parseDocument } from 'htmlparser2';
import { withSkippingTokenizer } from '../skipping-tokenizer.js';

export type { AnyNode, Document, Element };
export { isTag, isText };

/** Containers whose white-space-only text is never rendered, so it need not become nodes. */
const NON_RENDERING = new Set([
  'html',
  'head',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'colgroup',
  'ul',
  'ol',
  'dl',
  'select',
  'optgroup',
]);

/**
 * A DOM builder that skips comments and layout white space: a quarter fewer nodes on typical
 * shop pages, and parsing is most of the extraction time.
 */
class LeanHandler extends DomHandler {
  override oncomment(): void {}
  override oncommentend(): void {}
  override ontext(data: string): void {
    if (this.lastNode === null) {
      const parent = this.tagStack[this.tagStack.length - 1];
      if (parent && 'name' in parent && NON_RENDERING.has(parent.name as string) && !/\S/.test(data)) return;
    }
    super.ontext(data);
  }
}

/** One parse per page: htmlparser2 decodes entities; every source is then evaluated on this tree. */
export function parseHtml(html: string): Document {
  const handler = new LeanHandler();
  new Parser(handler, { decodeEntities: true, lowerCaseAttributeNames: true, ...withSkippingTokenizer }).end(html);
  return handler.root;
}

const SKIPPED = new Set(['script', 'style', 'template', 'noembed']);

/** Elements whose boundaries separate words even without white space in the markup. */
export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'option',
  'caption',
  'title',
  'body',
]);

const INVISIBLE_SPACE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
const HAS_INVISIBLE_SPACE = new RegExp(INVISIBLE_SPACE.source);
/** Space a single ' ' does not already stand for: a run, or any other white space (\s covers no-break and wide spaces). */
const IRREGULAR_SPACE = /\s\s|[^\S ]/;

/**
 * White space collapsed, non-breaking and zero-width characters handled, outer space trimmed.
 * Tested before replaced: most texts need neither, and this runs on every text read.
 */
export function normalizeText(text: string): string {
  if (HAS_INVISIBLE_SPACE.test(text)) text = text.replace(INVISIBLE_SPACE, '');
  return (IRREGULAR_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
}

function collectText(node: AnyNode, out: string[], skip?: (element: Element) => boolean, price = false): void {
  if (isText(node)) {
    out.push(node.data);
    return;
  }
  if (!isTag(node)) {
    if ('children' in node) for (const child of node.children) collectText(child, out, skip, price);
    return;
  }
  if (SKIPPED.has(node.name) || skip?.(node)) return;
  const block = BLOCK_TAGS.has(node.name);
  // Cents set in superscript ("63<sup>07</sup> Lei") read as "63.07", as the eye reads them; in a
  // price, so do cents in an element of their own ("<span>19</span><span>99</span>").
  if (
    (node.name === 'sup' || (price && !block)) &&
    /\d$/.test(out[out.length - 1] ?? '') &&
    /^\s*\d{2}\s*$/.test(DomUtils.textContent(node))
  )
    out.push('.');
  if (block) out.push(' ');
  for (const child of node.children) collectText(child, out, skip, price);
  if (block) out.push(' ');
}

/** Visible text of a node as a reader sees it: blocks and <br> separate words. */
export function textOf(node: AnyNode): string {
  const out: string[] = [];
  collectText(node, out);
  return normalizeText(out.join(''));
}

const STRUCK_TAGS = new Set(['del', 's', 'strike']);
/** Class words shops give the price a visitor no longer pays: old, was, compare-at, crossed out, recommended. */
const OLD_PRICE_CLASS =
  /(?:^|[\s_-])(?:old|was|compare|strike|striked|strikethrough|through|crossed|barred|original|rrp|msrp|uvp|oldprice|priceold|wasprice)(?=$|[\s_-])/i;

/** A price struck through (<del>, <s>, a line-through style) or named as the old one. */
export function isStruck(element: Element): boolean {
  return isDrawnStruck(element) || OLD_PRICE_CLASS.test(element.attribs.class ?? '');
}

/** A price drawn struck through (<del>, <s>, a line-through style): shown as old, whatever its name says. */
export function isDrawnStruck(element: Element): boolean {
  return STRUCK_TAGS.has(element.name) || /line-through/i.test(element.attribs.style ?? '');
}

/** Whether an element is a struck price or inside one (the amount in `<span class="old-price"><span class="price">`). */
export function inStruckPrice(element: Element): boolean {
  let node: AnyNode | null = element;
  for (let depth = 0; node && isTag(node) && depth < 3; depth++, node = node.parent) if (isStruck(node)) return true;
  return false;
}

/**
 * A price's text without its struck-through parts: "€20,00 €15,00" with the first in <del> reads
 * "€15,00". All of it when nothing with a digit is left (only a struck price is shown).
 */
export function currentPriceText(element: Element): string {
  const text = unstruckText(element);
  return /\d/.test(text) ? text : textOf(element);
}

/** A price's text without its struck-through parts, empty when only those are shown. */
export function unstruckText(element: Element): string {
  const out: string[] = [];
  collectText(element, out, isStruck, true);
  return normalizeText(out.join(''));
}

/** Text of the element's own text nodes, ignoring its child elements. */
export function ownTextOf(element: Element): string {
  let text = '';
  for (const child of element.children) if (isText(child)) text += child.data;
  return normalizeText(text);
}

export function innerHtmlOf(element: Element): string {
  return DomUtils.getInnerHTML(element).trim();
}

export function attrOf(element: Element, name: string): string | undefined {
  return element.attribs[name];
}

/** Every element of the tree in document order. */
export function allElements(root: AnyNode): Element[] {
  return DomUtils.findAll(() => true, 'children' in root ? root.children : []);
}

/**
 * Tags read by name on every page (JSON-LD and state scripts, meta tags): found together in one walk
 * of the tree, the first time one is asked for. The document itself holds the result:
 * in a WeakMap keyed by documents, values that reach back into them make the garbage collector
 * trace every page as an ephemeron, which slowed parsing by a quarter and more here.
 */
const GATHERED = Symbol('scripts and meta tags');
interface Gathered {
  script: Element[];
  meta: Element[];
}
type GatheringDocument = Document & { [GATHERED]?: Gathered };

/** The scripts and meta tags of a document in document order; names compared, not hashed: this visits every element. */
function gather(document: Document): Gathered {
  const gathered: Gathered = { script: [], meta: [] };
  const pending: AnyNode[] = [...document.children].reverse();
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (!isTag(node)) continue;
    if (node.name === 'script') gathered.script.push(node);
    else if (node.name === 'meta') gathered.meta.push(node);
    else for (let at = node.children.length - 1; at >= 0; at--) pending.push(node.children[at]!);
  }
  return gathered;
}

/** Elements of a tag in document order. */
export function elementsByTag(root: Document, name: string): readonly Element[] {
  if (name !== 'script' && name !== 'meta') return DomUtils.getElementsByTagName(name, root, true);
  const document: GatheringDocument = root;
  return (document[GATHERED] ??= gather(document))[name];
}

/** Decodes entities left inside strings that were not parsed as HTML (JSON-LD values, attribute text). */
export function decodeEntities(text: string): string {
  return text.includes('&') ? textOf(parseDocument(`<p>${text}</p>`)) : normalizeText(text);
}
