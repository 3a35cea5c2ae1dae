import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { Element } from 'domhandler';
import { databaseFiles, objectMembers, type DatabaseFiles, type TechnologyDefinition } from './database.js';
import { LiteralFinder } from './literals.js';
import { patternList, requirementLiterals, type Pattern } from './patterns.js';

export interface DomCheck {
  selector: string;
  /** One token list per selector of a list (a, b): the check can only match if all tokens of one list are in the page. */
  tokens: string[][];
  /** Compiled on first use; null when the selector is not supported. */
  query?: ((node: Element) => boolean) | null;
  /**
   * The tag name every element the selector selects has (`a.x, a[href]`: a), read with the query;
   * null when a selector of the list names none (`.x`, `*`) or they differ.
   */
  subject?: string | null;
  exists?: Pattern;
  text?: Pattern;
  attributes?: Array<[string, Pattern]>;
}

export interface CompiledTechnology {
  name: string;
  categories: string[];
  implies: Array<{ name: string; confidence: number; version?: string }>;
  excludes: string[];
  requires: string[];
  headers: Array<[string, Pattern]>;
  cookies: Array<[string, Pattern]>;
  meta: Array<[string, Pattern]>;
  js: Array<[string, Pattern]>;
  html: Pattern[];
  text: Pattern[];
  scripts: Pattern[];
  scriptSrc: Pattern[];
  url: Pattern[];
  dom: DomCheck[];
}

/**
 * Which technologies a page can possibly match, by number (their order in the database): most of
 * the database's thousands have no literal, header, cookie or meta tag on a given page.
 */
export interface CandidateIndex {
  /** Technologies with a page-wide pattern or DOM check that no literal gates, or a URL pattern. */
  always: number[];
  byLiteral: Map<string, number[]>;
  byHeader: Map<string, number[]>;
  byCookie: Map<string, number[]>;
  /** Technologies with a cookie name ending in `*`: candidates whenever the page sets a cookie. */
  anyCookie: number[];
  byMeta: Map<string, number[]>;
  /** Technologies with JavaScript-global patterns: candidates when the page was rendered. */
  js: number[];
}

/** The compiled database. A technology is compiled when a page first may match it (or one it implies). */
export interface Signatures {
  technology(at: number): CompiledTechnology;
  named(name: string): CompiledTechnology | undefined;
  /** Every literal the page-wide patterns and DOM selectors require, to find all present ones in one pass. */
  literals: LiteralFinder;
  /**
   * Whether every literal an inline script contains is also found in the HTML around it, which
   * holds unless a literal spans the line break that joins two scripts.
   */
  scriptsInHtml: boolean;
  candidates: CandidateIndex;
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const keyed = (record: Record<string, string | string[]> | undefined, lower = true): Array<[string, Pattern]> =>
  Object.entries(record ?? {}).flatMap(([key, value]) =>
    patternList(value).map((pattern) => [lower ? key.toLowerCase() : key, pattern] as [string, Pattern]),
  );

/** The selectors of a selector list, split at commas outside quotes, brackets and parentheses. */
function selectorList(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '(' || char === '[') depth++;
    else if (char === ')' || char === ']') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
}

/**
 * Ids, class names, attribute names and quoted attribute values one selector needs, all of
 * which appear verbatim in the source of a page it matches. What a :not() names is left out,
 * since the selector matches where it is absent.
 */
function selectorTokens(selector: string): string[] {
  const positive = selector.replace(/:not\((?:[^()]|\([^()]*\))*\)/g, '');
  // Ids and classes are read outside attribute brackets, where a dot is part of a value.
  const outsideBrackets = positive.replace(/\[[^\]]*\]/g, ' ');
  const tokens = [
    ...[...outsideBrackets.matchAll(/[#.]([\w-]{3,})/g)].map((match) => match[1]!),
    ...[...positive.matchAll(/\[\s*([\w-]{3,})/g)].map((match) => match[1]!),
    ...[...positive.matchAll(/["']([^"']{3,})["']/g)].map((match) => match[1]!),
    // Unquoted attribute values: `[href*=katex]`.
    ...[...positive.matchAll(/\[\s*[\w-]+\s*[~|^$*]?=\s*([\w-]{3,})\s*(?:[iIsS]\s*)?\]/g)].map((match) => match[1]!),
  ];
  return tokens.map((token) => token.toLowerCase());
}

function compileDom(dom: TechnologyDefinition['dom']): DomCheck[] {
  if (!dom) return [];
  if (typeof dom === 'string' || Array.isArray(dom)) {
    return list(dom).map((selector) => ({ selector, tokens: selectorList(selector).map(selectorTokens), exists: patternList('')[0] }));
  }
  return Object.entries(dom).map(([selector, checks]) => ({
    selector,
    tokens: selectorList(selector).map(selectorTokens),
    ...(checks.exists !== undefined ? { exists: patternList(checks.exists)[0] } : {}),
    ...(checks.text !== undefined ? { text: patternList(checks.text)[0] } : {}),
    ...(checks.attributes ? { attributes: keyed(checks.attributes, false) } : {}),
  }));
}

type Categories = Record<string, { name: string }>;

function compileTechnology(name: string, definition: TechnologyDefinition, categories: Categories): CompiledTechnology {
  return {
    name,
    categories: (definition.cats ?? []).map((id) => categories[String(id)]?.name ?? String(id)),
    implies: list(definition.implies).map((entry) => {
      const pattern = patternList(entry)[0]!;
      return { name: entry.split('\\;')[0]!, confidence: pattern.confidence, ...(pattern.version ? { version: pattern.version } : {}) };
    }),
    excludes: list(definition.excludes).map((entry) => entry.split('\\;')[0]!),
    requires: list(definition.requires).map((entry) => entry.split('\\;')[0]!),
    headers: keyed(definition.headers),
    cookies: keyed(definition.cookies),
    meta: keyed(definition.meta),
    js: keyed(definition.js, false),
    html: patternList(definition.html, true),
    text: patternList(definition.text, true),
    scripts: patternList(definition.scripts, true),
    scriptSrc: patternList(definition.scriptSrc, true),
    url: patternList(definition.url),
    dom: compileDom(definition.dom),
  };
}

function candidateIndex(technologies: CompiledTechnology[]): CandidateIndex {
  const index: CandidateIndex = {
    always: [],
    byLiteral: new Map(),
    byHeader: new Map(),
    byCookie: new Map(),
    anyCookie: [],
    byMeta: new Map(),
    js: [],
  };
  const add = (map: Map<string, number[]>, key: string, at: number) => {
    const known = map.get(key);
    if (!known) map.set(key, [at]);
    else if (known[known.length - 1] !== at) known.push(at);
  };
  technologies.forEach((technology, at) => {
    let ungated = technology.url.length > 0;
    for (const patterns of [technology.html, technology.text, technology.scripts, technology.scriptSrc]) {
      for (const pattern of patterns) {
        if (!pattern.literals) ungated = true;
        else for (const literal of pattern.literals) add(index.byLiteral, literal, at);
      }
    }
    for (const check of technology.dom) {
      for (const tokens of check.tokens) {
        // A selector needs all of its tokens, so any one of them indexes it: the longest, as the
        // rarest-looking (an attribute name such as `href` is on every page).
        if (tokens.length === 0) ungated = true;
        else
          add(
            index.byLiteral,
            tokens.reduce((longest, token) => (token.length > longest.length ? token : longest)),
            at,
          );
      }
    }
    if (ungated) index.always.push(at);
    for (const [name] of technology.headers) add(index.byHeader, name, at);
    for (const [name] of technology.cookies) {
      if (name.endsWith('*')) index.anyCookie.push(at);
      else add(index.byCookie, name, at);
    }
    for (const [name] of technology.meta) add(index.byMeta, name, at);
    if (technology.js.length) index.js.push(at);
  });
  return index;
}

/**
 * What finding a page's candidates needs, derived from every technology of the database: kept
 * on disk between processes, since deriving it (analysing thousands of patterns) was most of a
 * one-page `siteprint fingerprint` run.
 */
interface SignatureIndex {
  names: string[];
  /** Where each technology's definition is in the database file: start, end, start, end… (bytes). */
  ranges: number[];
  literals: string[];
  candidates: {
    always: number[];
    byLiteral: Array<[string, number[]]>;
    byHeader: Array<[string, number[]]>;
    byCookie: Array<[string, number[]]>;
    anyCookie: number[];
    byMeta: Array<[string, number[]]>;
    js: number[];
  };
}

function buildIndex(files: DatabaseFiles, categories: Categories): { index: SignatureIndex; technologies: CompiledTechnology[] } {
  const members = objectMembers(files.technologies);
  const technologies = members.map(({ name, start, end }) =>
    compileTechnology(name, JSON.parse(files.technologies.toString('utf8', start, end)) as TechnologyDefinition, categories),
  );
  const literals = technologies.flatMap((technology) => [
    ...[technology.html, technology.text, technology.scripts, technology.scriptSrc]
      .flat()
      .flatMap((pattern) => (pattern.requirement ? requirementLiterals(pattern.requirement) : [])),
    ...technology.dom.flatMap((check) => check.tokens.flat()),
  ]);
  const candidates = candidateIndex(technologies);
  return {
    index: {
      names: members.map((member) => member.name),
      ranges: members.flatMap((member) => [member.start, member.end]),
      literals: [...new Set(literals)],
      candidates: {
        ...candidates,
        byLiteral: [...candidates.byLiteral],
        byHeader: [...candidates.byHeader],
        byCookie: [...candidates.byCookie],
        byMeta: [...candidates.byMeta],
      },
    },
    technologies,
  };
}

function signaturesFrom(
  files: DatabaseFiles,
  categories: Categories,
  index: SignatureIndex,
  compiled: CompiledTechnology[] = [],
): Signatures {
  const numbers = new Map(index.names.map((name, at) => [name, at]));
  const technology = (at: number) =>
    (compiled[at] ??= compileTechnology(
      index.names[at]!,
      JSON.parse(files.technologies.toString('utf8', index.ranges[2 * at], index.ranges[2 * at + 1])) as TechnologyDefinition,
      categories,
    ));
  return {
    technology,
    named: (name) => {
      const at = numbers.get(name);
      return at === undefined ? undefined : technology(at);
    },
    literals: new LiteralFinder(index.literals),
    scriptsInHtml: !index.literals.some((literal) => literal.includes('\n')),
    candidates: {
      ...index.candidates,
      byLiteral: new Map(index.candidates.byLiteral),
      byHeader: new Map(index.candidates.byHeader),
      byCookie: new Map(index.candidates.byCookie),
      byMeta: new Map(index.candidates.byMeta),
    },
  };
}

const sha256 = (...parts: Array<string | Buffer>) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

/**
 * One file per installation of the engine (its directory): a checkout's sources, run by the tests,
 * and its build, run by the CLI, have different code, and sharing one file they replaced each
 * other's index on every switch. A new version installed in place replaces its predecessor's.
 */
export function signatureCacheFile(cacheDir: string): string {
  const installation = sha256(path.dirname(fileURLToPath(import.meta.url))).slice(0, 12);
  return path.join(cacheDir, `fingerprint-signatures-${installation}.json`);
}

/** Where compiled signatures are kept: SITEPRINT_CACHE_DIR, or the user's cache directory. */
export function signatureCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SITEPRINT_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'siteprint');
}

/**
 * The cache's key: the database files and the code of this directory (how signatures are compiled
 * and indexed), so that a new database or a changed engine never reads an index made by another.
 * Undefined when the code cannot be read (bundled), which leaves the cache unused.
 */
function cacheKey(files: DatabaseFiles): string | undefined {
  try {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const code = readdirSync(dir)
      .filter((file) => /\.[jt]s$/.test(file) && !/\.(?:test|d)\.[jt]s$/.test(file))
      .sort()
      .map((file) => readFileSync(path.join(dir, file)));
    return sha256(files.technologies, files.categories, ...code);
  } catch {
    return undefined;
  }
}

/**
 * The index in the cache file if it was made for `key` and is intact: its first line holds the
 * key and a checksum of the rest, so a stale, truncated or altered file is never used.
 */
function readCache(file: string, key: string): SignatureIndex | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const newline = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, newline)) as { key?: unknown; checksum?: unknown };
    const body = text.slice(newline + 1);
    if (newline < 0 || header.key !== key || header.checksum !== sha256(body)) return undefined;
    const index = JSON.parse(body) as SignatureIndex;
    return index.ranges.length === 2 * index.names.length ? index : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a file of its own and renamed into place, so processes starting together never read half a file. */
function writeCache(file: string, key: string, index: SignatureIndex): void {
  const body = JSON.stringify(index);
  // Engine threads of one process may write at the same moment: the thread is part of the name.
  const temporary = `${file}.${process.pid}.${threadId}.${Date.now()}.tmp`;
  // A cache that cannot be written (read-only home, full disk) only costs the next process the compile.
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify({ key, checksum: sha256(body) })}\n${body}`);
  } catch {
    return;
  }
  try {
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/**
 * The signatures, from the cache in `cacheDir` when it holds an index for this database and
 * engine, compiled (and the cache rewritten) otherwise. `from` says which.
 */
export function loadSignatures(cacheDir: string | undefined): { signatures: Signatures; from: 'cache' | 'compiled' } {
  const files = databaseFiles();
  const categories = JSON.parse(files.categories.toString('utf8')) as Categories;
  const key = cacheDir === undefined ? undefined : cacheKey(files);
  const file = key && cacheDir !== undefined ? signatureCacheFile(cacheDir) : undefined;
  if (key && file) {
    const cached = readCache(file, key);
    if (cached) return { signatures: signaturesFrom(files, categories, cached), from: 'cache' };
  }
  const { index, technologies } = buildIndex(files, categories);
  if (key && file) writeCache(file, key, index);
  return { signatures: signaturesFrom(files, categories, index, technologies), from: 'compiled' };
}
