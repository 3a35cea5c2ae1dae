import { compile as compileSelector } from 'css-select';
import { parse as parseSelector, SelectorType } from 'css-what';
import { hasChildren, isComment, isTag, isText, type AnyNode, type Document, type Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { flattenDeepNesting } from '../nesting.js';
import { withSkippingTokenizer } from '../skipping-tokenizer.js';
import { resolveVersion, satisfied, type Pattern } from './patterns.js';
import { loadSignatures, signatureCacheDir, type CompiledTechnology, type DomCheck, type Signatures } from './signatures.js';
import type { Fingerprint, Technology } from '../blueprint/schema.js';

/** What a page reveals about the software behind it. */
export interface PageSignals {
  url: string;
  html: string;
  headers?: Record<string, string>;
  /** JavaScript globals read in a browser (rendered pages only): dotted path → string value. */
  js?: Record<string, string>;
}

// One shape from detection to storage to the API: a version that cannot be read is null.
export type { Fingerprint, Technology } from '../blueprint/schema.js';

let loaded: Signatures | undefined;

/** The signatures, loaded once per process on first use. */
function signatures(): Signatures {
  return (loaded ??= loadSignatures(signatureCacheDir()).signatures);
}

function compiledQuery(check: DomCheck): ((node: Element) => boolean) | null {
  if (check.query === undefined) {
    try {
      check.query = compileSelector<AnyNode, Element>(check.selector);
      check.subject = subjectTag(check.selector);
    } catch {
      check.query = null; // selectors css-select does not support
    }
  }
  return check.query;
}

const COMBINATORS = new Set<string>([
  SelectorType.Child,
  SelectorType.Descendant,
  SelectorType.Sibling,
  SelectorType.Adjacent,
  SelectorType.Parent,
  SelectorType.ColumnCombinator,
]);

/**
 * The tag name of the elements a selector list selects, read with css-select's own parser: the
 * type selector of each selector's last compound (`footer > div`: div). Only those elements need
 * the query then, instead of every element of the page.
 */
export function subjectTag(selector: string): string | null {
  const subjects = new Set<string | null>();
  for (const tokens of parseSelector(selector)) {
    // The parent combinator (`a < b`) selects the left side: no subject to read.
    if (tokens.some((token) => token.type === SelectorType.Parent)) return null;
    let last = tokens.length;
    while (last > 0 && !COMBINATORS.has(tokens[last - 1]!.type)) last--;
    const tag = tokens.slice(last).find((token) => token.type === SelectorType.Tag);
    subjects.add(tag && tag.type === SelectorType.Tag && tag.namespace == null ? tag.name.toLowerCase() : null);
  }
  const [only] = subjects;
  return subjects.size === 1 && only ? only : null;
}

/** The elements of a page in document order, as css-select's selectAll visits them, and by tag name. */
interface PageElements {
  /** Without the content of `<template>` elements, which selectAll leaves out. */
  queryable: Element[];
  byTag: Map<string, Element[]>;
  /** Every script and meta element (templates' included, as domutils' getElementsByTagName finds them). */
  scripts: Element[];
  meta: Element[];
  body: Element | undefined;
}

/** One walk over the document instead of one per tag name and per DOM check. */
function pageElements(document: Document): PageElements {
  const found: PageElements = { queryable: [], byTag: new Map(), scripts: [], meta: [], body: undefined };
  const stack: Array<[AnyNode, boolean]> = [];
  for (let i = document.children.length - 1; i >= 0; i--) stack.push([document.children[i]!, false]);
  while (stack.length) {
    const [node, inTemplate] = stack.pop()!;
    if (!isTag(node)) continue;
    const { name } = node;
    if (!inTemplate) {
      found.queryable.push(node);
      const sameTag = found.byTag.get(name);
      if (sameTag) sameTag.push(node);
      else found.byTag.set(name, [node]);
    }
    if (name === 'script') found.scripts.push(node);
    else if (name === 'meta') found.meta.push(node);
    else if (name === 'body') found.body ??= node;
    const childrenInTemplate = inTemplate || name === 'template';
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i]!, childrenInTemplate]);
  }
  return found;
}

/**
 * The text of a node as domutils' `textContent` gives it (comments left out), collected into one
 * array and joined once: domutils builds and joins a string per element, which on large pages was
 * one of the biggest costs of a fingerprint (the body's text, every selected node's text).
 */
function textContent(node: AnyNode): string {
  const parts: string[] = [];
  const stack: AnyNode[] = [node];
  while (stack.length) {
    const current = stack.pop()!;
    if (isText(current)) parts.push(current.data);
    else if (hasChildren(current) && !isComment(current)) {
      for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i]!);
    }
  }
  return parts.join('');
}

/** Cookie names and values from Set-Cookie headers (joined with ", " by the fetcher). */
function cookiesFrom(headers: Record<string, string>): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (headers['set-cookie'] ?? '').split(/,(?=\s*[^;,=\s]+=)/)) {
    const [pair] = part.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) cookies.set(pair.slice(0, eq).trim().toLowerCase(), pair.slice(eq + 1).trim());
  }
  return cookies;
}

interface Detection {
  confidence: number;
  version?: string;
}

/**
 * Detects technologies with the community Wappalyzer-format signatures, evaluated on one
 * parse of the page: headers, cookies, HTML, inline and external scripts, meta tags, the URL,
 * DOM selectors, and JavaScript globals when the page was rendered. Implied technologies are
 * added and excluded ones removed as the format defines.
 */
export function fingerprintPage(page: PageSignals): Fingerprint {
  const headers = Object.fromEntries(Object.entries(page.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const cookies = cookiesFrom(headers);
  const document = parseDocument(page.html, withSkippingTokenizer);
  flattenDeepNesting(document);
  const elements = pageElements(document);
  const scriptElements = elements.scripts;
  const scriptSrc = scriptElements.flatMap((element) => (element.attribs.src ? [element.attribs.src] : []));
  const scripts = scriptElements
    .filter((element) => !element.attribs.src)
    .map((element) => textContent(element))
    .join('\n')
    .slice(0, 500_000);
  const meta = new Map<string, string[]>();
  for (const element of elements.meta) {
    const key = (element.attribs.name ?? element.attribs.property ?? element.attribs['http-equiv'] ?? '').toLowerCase();
    if (key) meta.set(key, [...(meta.get(key) ?? []), element.attribs.content ?? '']);
  }
  const html = page.html.slice(0, 1_000_000);
  const { body } = elements;
  // DOM checks read the text of what they select, often the body or a large container: each
  // element's text is computed once per page.
  const texts = new Map<AnyNode, string>();
  const textOf = (node: AnyNode) => {
    let known = texts.get(node);
    if (known === undefined) texts.set(node, (known = textContent(node)));
    return known;
  };
  const text = (body ? textOf(body) : '').replace(/\s+/g, ' ').slice(0, 200_000);
  const { technology: compiled, literals, candidates, scriptsInHtml } = signatures();
  const presentInHtml = literals.find(html);
  const present = {
    html: presentInHtml,
    // Inline scripts are part of the HTML: its literals are a superset of theirs, unless the HTML
    // was cut short. A superset only lets more regular expressions run, never fewer.
    scripts: scriptsInHtml && html.length === page.html.length ? presentInHtml : literals.find(scripts),
    text: literals.find(text),
    scriptSrc: literals.find(scriptSrc.join('\n')),
  };
  const detections = new Map<string, Detection>();

  // Most signatures are absent from a page: the literals a pattern requires reject them before its regex runs.
  const possible = (pattern: Pattern, literalsIn: Set<string>) => !pattern.requirement || satisfied(pattern.requirement, literalsIn);
  const hit = (technology: CompiledTechnology, pattern: Pattern, value: string, literalsIn?: Set<string>) => {
    if (literalsIn && !possible(pattern, literalsIn)) return;
    const match = pattern.regex.exec(value);
    if (!match) return;
    const found = detections.get(technology.name) ?? { confidence: 0 };
    found.confidence = Math.min(100, found.confidence + pattern.confidence);
    const version = resolveVersion(pattern.version, match);
    if (version && (!found.version || version.length > found.version.length)) found.version = version;
    detections.set(technology.name, found);
  };

  // A superset of the technologies the checks below can detect, in database order (so versions and
  // confidences come out as when every technology was checked).
  const candidateSet = new Set(candidates.always);
  const include = (found: number[] | undefined) => {
    if (found) for (const at of found) candidateSet.add(at);
  };
  for (const found of new Set([present.html, present.scripts, present.text, present.scriptSrc]))
    for (const literal of found) include(candidates.byLiteral.get(literal));
  for (const name of Object.keys(headers)) include(candidates.byHeader.get(name));
  for (const name of cookies.keys()) include(candidates.byCookie.get(name));
  if (cookies.size) include(candidates.anyCookie);
  for (const name of meta.keys()) include(candidates.byMeta.get(name));
  if (page.js) include(candidates.js);

  for (const at of [...candidateSet].sort((a, b) => a - b)) {
    const technology = compiled(at);
    for (const [name, pattern] of technology.headers) if (headers[name] !== undefined) hit(technology, pattern, headers[name]);
    for (const [name, pattern] of technology.cookies) {
      const matching = name.endsWith('*')
        ? [...cookies].find(([cookie]) => cookie.startsWith(name.slice(0, -1)))
        : cookies.has(name)
          ? [name, cookies.get(name)!]
          : undefined;
      if (matching) hit(technology, pattern, matching[1]!);
    }
    for (const [name, pattern] of technology.meta) for (const content of meta.get(name) ?? []) hit(technology, pattern, content);
    for (const [path, pattern] of technology.js) if (page.js?.[path] !== undefined) hit(technology, pattern, page.js[path]);
    for (const pattern of technology.scriptSrc)
      if (possible(pattern, present.scriptSrc)) for (const src of scriptSrc) hit(technology, pattern, src);
    for (const pattern of technology.html) hit(technology, pattern, html, present.html);
    for (const pattern of technology.scripts) if (scripts) hit(technology, pattern, scripts, present.scripts);
    for (const pattern of technology.text) hit(technology, pattern, text, present.text);
    for (const pattern of technology.url) hit(technology, pattern, page.url);
    for (const check of technology.dom) {
      if (!check.tokens.some((tokens) => tokens.every((token) => present.html.has(token)))) continue;
      const query = compiledQuery(check);
      if (!query) continue;
      // What selectAll would return, in document order: the query run over the page's elements.
      const nodes = (check.subject ? (elements.byTag.get(check.subject) ?? []) : elements.queryable).filter(query);
      if (!nodes.length) continue;
      if (check.exists) hit(technology, check.exists, '');
      // A node's text is in the page's HTML (or, entity-decoded, in the body's text): a text pattern
      // whose literals are in neither cannot match any node, and reading every selected node's text
      // (each <div> of a large page) is the costly part of a check.
      if (check.text && (possible(check.text, present.html) || possible(check.text, present.text)))
        for (const node of nodes) hit(technology, check.text, textOf(node));
      for (const [attribute, pattern] of check.attributes ?? []) {
        for (const node of nodes) {
          const value = node.attribs[attribute];
          if (value !== undefined) hit(technology, pattern, value);
        }
      }
    }
  }
  return { technologies: resolve(detections) };
}

/** Adds implied technologies, then drops excluded ones and those whose requirements are missing. */
function resolve(detections: Map<string, Detection>): Technology[] {
  const { named } = signatures();
  const queue = [...detections.keys()];
  while (queue.length) {
    const name = queue.shift()!;
    const source = detections.get(name)!;
    for (const implied of named(name)?.implies ?? []) {
      if (!named(implied.name)) continue;
      const confidence = Math.min(source.confidence, implied.confidence);
      const existing = detections.get(implied.name);
      if (!existing) {
        detections.set(implied.name, { confidence, ...(implied.version ? { version: implied.version } : {}) });
        queue.push(implied.name);
      } else if (existing.confidence < confidence) {
        existing.confidence = confidence;
      }
    }
  }
  // Strongest evidence first, and an excluded technology excludes nothing itself: when two exclude
  // each other (Angular, AngularJS) one survives, as in Wappalyzer, instead of both vanishing.
  const byEvidence = [...detections].sort(([a, x], [b, y]) => y.confidence - x.confidence || a.localeCompare(b));
  for (const [name] of byEvidence) {
    if (!detections.has(name)) continue;
    for (const excluded of named(name)?.excludes ?? []) detections.delete(excluded);
  }
  for (const name of [...detections.keys()]) {
    if ((named(name)?.requires ?? []).some((required) => !detections.has(required))) detections.delete(name);
  }
  return [...detections]
    .map(([name, detection]) => ({
      name,
      categories: named(name)!.categories,
      version: detection.version ?? null,
      confidence: detection.confidence,
    }))
    .sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name));
}

/** One fingerprint for a whole site: the strongest evidence for each technology across its pages. */
export function fingerprintSite(pages: PageSignals[]): Fingerprint {
  return mergeFingerprints(pages.map(fingerprintPage));
}

/** Pages' fingerprints as one, for callers that fingerprint page by page (to report progress between pages). */
export function mergeFingerprints(fingerprints: Fingerprint[]): Fingerprint {
  const merged = new Map<string, Technology>();
  for (const fingerprint of fingerprints) {
    for (const technology of fingerprint.technologies) {
      const known = merged.get(technology.name);
      if (!known) merged.set(technology.name, { ...technology });
      else {
        known.confidence = Math.max(known.confidence, technology.confidence);
        if (technology.version && (!known.version || technology.version.length > known.version.length)) known.version = technology.version;
      }
    }
  }
  return { technologies: [...merged.values()].sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name)) };
}
