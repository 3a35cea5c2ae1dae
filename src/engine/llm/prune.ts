import { parseDocument } from 'htmlparser2';
import { Comment, Element, Text, type ChildNode } from 'domhandler';
import { getOuterHTML } from 'domutils';
import { withSkippingTokenizer } from '../skipping-tokenizer.js';
import type * as GptTokenizer from 'gpt-tokenizer';
import { createRequire } from 'node:module';

// The tokenizer loads on first use: building its vocabulary is slow, and every process that
// imports the engine (the server among them) would pay for it without an LLM key.
const require = createRequire(import.meta.url);
let tokenizer: typeof GptTokenizer | undefined;
const gptTokenizer = () => (tokenizer ??= require('gpt-tokenizer') as typeof GptTokenizer);

/** Elements that carry no data a selector could target. */
const DROPPED_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'svg',
  'template',
  'iframe',
  'canvas',
  'link',
  'meta',
  'base',
  'object',
  'embed',
  'video',
  'audio',
  'source',
  'track',
  'path',
]);
/** Site chrome around the content; its text repeats on every page. */
const BOILERPLATE_TAGS = new Set(['nav', 'footer', 'aside']);
const BOILERPLATE_ROLES = new Set(['navigation', 'contentinfo', 'banner', 'search', 'complementary']);
const BOILERPLATE_WORDS = /(^|[\s_-])(cookie|consent|gdpr|newsletter|breadcrumbs?|social|share|advert|ads?)([\s_-]|$)/i;
/** Attributes a CSS selector or a value source would use. */
const KEPT_ATTRIBUTES = new Set([
  'id',
  'class',
  'itemprop',
  'itemtype',
  'itemscope',
  'href',
  'src',
  'datetime',
  'content',
  'title',
  'alt',
  'role',
  'name',
  'property',
  'lang',
]);

export interface PruneOptions {
  /** Upper bound on the output's tokens (o200k_base, the tokenizer of current OpenAI-family models). */
  maxTokens: number;
}

export interface PrunedHtml {
  html: string;
  tokens: number;
  /** True when even the tightest pruning level exceeded the budget and the output was cut. */
  truncated: boolean;
}

interface Level {
  textChars: number;
  urlChars: number;
  keepSiblings: number;
}

// Tried in order until one fits: each level keeps less text and fewer repeated siblings.
const LEVELS: Level[] = [
  { textChars: 300, urlChars: 80, keepSiblings: 3 },
  { textChars: 120, urlChars: 50, keepSiblings: 2 },
  { textChars: 50, urlChars: 30, keepSiblings: 1 },
];

/** Shrinks a page to what matters for choosing selectors, within a token budget. */
export function pruneHtml(html: string, options: PruneOptions): PrunedHtml {
  let last = '';
  for (const level of LEVELS) {
    const document = parseDocument(html, withSkippingTokenizer);
    const body = document.children.find((node): node is Element => node instanceof Element && node.name === 'html');
    const title = findTitle(document.children);
    const roots = body ? body.children : document.children;
    const kept = roots.flatMap((node) => prune(node, level));
    last = (title ? `<title>${escapeText(title)}</title>\n` : '') + getOuterHTML(kept, { encodeEntities: 'utf8' });
    const tokens = gptTokenizer().countTokens(last);
    if (tokens <= options.maxTokens) return { html: last, tokens, truncated: false };
  }
  const { countTokens, decode, encode } = gptTokenizer();
  const cut = decode(encode(last).slice(0, options.maxTokens));
  return { html: cut, tokens: countTokens(cut), truncated: true };
}

function findTitle(nodes: ChildNode[]): string | null {
  for (const node of nodes) {
    if (!(node instanceof Element)) continue;
    if (node.name === 'title') return textContent(node).trim();
    const inner = findTitle(node.children);
    if (inner) return inner;
  }
  return null;
}

function prune(node: ChildNode, level: Level): ChildNode[] {
  if (node instanceof Text) {
    const text = node.data.replace(/\s+/g, ' ');
    if (!text.trim()) return [];
    return [new Text(text.length > level.textChars ? `${text.slice(0, level.textChars)}…` : text)];
  }
  if (!(node instanceof Element)) return [];
  const name = node.name.toLowerCase();
  if (name === 'head') return [];
  if (DROPPED_TAGS.has(name) || isBoilerplate(node, name)) return [];
  const children = collapseRepeated(
    node.children.flatMap((child) => prune(child, level)),
    level.keepSiblings,
  );
  const attributes = keptAttributes(node.attribs, level.urlChars);
  // Wrappers without attributes or text add nesting but nothing to select by: keep their content only.
  if ((name === 'div' || name === 'span') && Object.keys(attributes).length === 0) return children;
  if (children.length === 0 && Object.keys(attributes).length === 0 && name !== 'br' && name !== 'hr') return [];
  const element = new Element(name, attributes, children);
  for (const child of children) child.parent = element;
  return [element];
}

function isBoilerplate(node: Element, name: string): boolean {
  if (BOILERPLATE_TAGS.has(name)) return true;
  if (node.attribs.role && BOILERPLATE_ROLES.has(node.attribs.role)) return true;
  // A header inside an article is the article's (title, byline); only the page header is chrome.
  if (name === 'header' && !hasAncestor(node, ['article', 'main'])) return true;
  return BOILERPLATE_WORDS.test(`${node.attribs.id ?? ''} ${node.attribs.class ?? ''}`);
}

function hasAncestor(node: Element, names: string[]): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent instanceof Element && names.includes(parent.name)) return true;
  }
  return false;
}

function keptAttributes(attribs: Record<string, string>, urlChars: number): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (!KEPT_ATTRIBUTES.has(name) && !name.startsWith('data-') && !name.startsWith('aria-')) continue;
    if ((name === 'href' || name === 'src') && value.length > urlChars) {
      kept[name] = value.startsWith('data:') ? 'data:…' : `${value.slice(0, urlChars)}…`;
    } else {
      kept[name] = value.length > 200 ? `${value.slice(0, 200)}…` : value;
    }
  }
  return kept;
}

/** Runs of siblings with one tag and class (list items, cards) keep their first few and a count of the rest. */
function collapseRepeated(children: ChildNode[], keep: number): ChildNode[] {
  const out: ChildNode[] = [];
  let index = 0;
  while (index < children.length) {
    const signature = siblingSignature(children[index]!);
    let end = index + 1;
    while (signature && end < children.length && siblingSignature(children[end]!) === signature) end++;
    const run = end - index;
    out.push(...children.slice(index, index + Math.min(run, keep)));
    if (run > keep) out.push(new Comment(` ${run - keep} more ${signature} `));
    index = end;
  }
  return out;
}

function siblingSignature(node: ChildNode): string | null {
  if (!(node instanceof Element)) return null;
  const classes = (node.attribs.class ?? '').trim().split(/\s+/).filter(Boolean).join('.');
  return classes ? `${node.name}.${classes}` : node.name;
}

function textContent(node: ChildNode): string {
  if (node instanceof Text) return node.data;
  if (node instanceof Element) return node.children.map(textContent).join('');
  return '';
}

function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
}
