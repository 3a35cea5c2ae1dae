import { parse as parseJs, type Expression, type Node, type Pattern, type Program } from 'acorn';
import { elementsByTag, type Document } from './dom.js';
import { valuesAtPath, type JsonObject } from './structured.js';

/**
 * Application state a page embeds for its scripts: `<script type="application/json">` blocks
 * (Next.js `__NEXT_DATA__`, Nuxt, hydration payloads) and object literals assigned to globals
 * (`window.__INITIAL_STATE__ = {…}`, `var product = {…}`, `window.__data = JSON.parse("…")`).
 * Single-page shops often state a product's price, codes and stock only there. JSON is read with
 * JSON.parse; scripts are parsed as JavaScript (acorn) and only literal values are kept, so
 * nothing on the page is ever evaluated.
 */
export interface EmbeddedState {
  /** The script's id, or the global the script assigns; null for an anonymous JSON block. */
  name: string | null;
  value: unknown;
}

/** Scripts that may assign state: a global's property or a top-level variable, set to a literal or JSON.parse. */
const ASSIGNS_STATE =
  /(?:\b(?:window|self|globalThis)\s*(?:\.\s*[\w$]+|\[\s*["'][^"']+["']\s*\])|\b(?:var|let|const)\s+[\w$]+)\s*=\s*(?:[{[]|JSON\.parse\s*\()/;
/**
 * A script that is one assignment of a JSON text (`window.__DATA__ = {"…": …};`), as hydration
 * payloads mostly are: JSON.parse reads it many times faster than a JavaScript parser. The target's
 * name is one of the four groups.
 */
const JSON_ASSIGNMENT =
  /^\s*(?:(?:window|self|globalThis)\s*(?:\.\s*([\w$]+)|\[\s*["']([^"']+)["']\s*\])|(?:var|let|const)\s+([\w$]+)|([\w$]+))\s*=\s*(?=[{[])/;

/** The state a script assigns when the whole script is one assignment of JSON; null otherwise. */
function jsonAssignment(text: string): EmbeddedState | null {
  const target = JSON_ASSIGNMENT.exec(text);
  if (!target) return null;
  const name = target[1] ?? target[2] ?? target[3] ?? target[4]!;
  const value = parseStateJson(text.slice(target[0].length).trimEnd().replace(/;$/, ''));
  // Otherwise more than one statement, or JavaScript beyond JSON (unquoted keys): parsed as JavaScript.
  return isState(value) ? { name, value } : null;
}

/** `undefined` where JSON has a value, outside strings: state serialisers write it for unset fields. */
const UNDEFINED_VALUE = /"[^"\\]*(?:\\.[^"\\]*)*"|\bundefined\b/g;

/**
 * A JSON text, or one with `undefined` values, read as null: a property holding either says
 * nothing to a path read (the JavaScript parser drops it). Undefined when it is neither.
 */
function parseStateJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    if (!json.includes('undefined')) return undefined;
  }
  try {
    return JSON.parse(json.replace(UNDEFINED_VALUE, (token) => (token === 'undefined' ? 'null' : token))) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a script may assign a global of this name (`window.NAME =`, `window["NAME"] =`, `var NAME =`): a cheap superset. */
function assignsName(text: string, name: string): boolean {
  let at = text.indexOf(name);
  while (at >= 0) {
    const before = text[at - 1];
    if (before === undefined || !/[\w$]/.test(before)) {
      const after = /^["']?\s*\]?\s*=(?!=)/.exec(text.slice(at + name.length, at + name.length + 24));
      if (after) return true;
    }
    at = text.indexOf(name, at + 1);
  }
  return false;
}

/** Larger scripts are bundles, not state. */
const MAX_SCRIPT = 2_000_000;

const scriptText = (script: { children: unknown[] }) => (script.children as { data?: string }[]).map((child) => child.data ?? '').join('');

/** A JavaScript literal expression as a value; undefined for anything computed (calls, identifiers, functions). */
function literalValue(node: Expression | Pattern | null | undefined): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'Literal':
      return 'regex' in node && node.regex ? undefined : node.value;
    case 'TemplateLiteral':
      return node.expressions.length === 0 ? node.quasis.map((quasi) => quasi.value.cooked ?? '').join('') : undefined;
    case 'UnaryExpression': {
      const operand = literalValue(node.argument);
      if (typeof operand !== 'number') return undefined;
      return node.operator === '-' ? -operand : node.operator === '+' ? operand : undefined;
    }
    case 'ArrayExpression':
      return node.elements.map((element) => (element && element.type !== 'SpreadElement' ? (literalValue(element) ?? null) : null));
    case 'ObjectExpression': {
      const object: Record<string, unknown> = {};
      for (const property of node.properties) {
        if (property.type !== 'Property' || property.kind !== 'init') continue;
        const key = property.computed
          ? literalValue(property.key as Expression)
          : property.key.type === 'Identifier'
            ? property.key.name
            : literalValue(property.key as Expression);
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        const value = literalValue(property.value as Expression);
        if (value !== undefined) object[String(key)] = value;
      }
      return object;
    }
    case 'CallExpression': {
      // JSON.parse("…"): state shipped as a string to spare the JS parser.
      const callee = node.callee;
      const isJsonParse =
        callee.type === 'MemberExpression' &&
        callee.object.type === 'Identifier' &&
        callee.object.name === 'JSON' &&
        callee.property.type === 'Identifier' &&
        callee.property.name === 'parse';
      const argument = node.arguments[0];
      if (!isJsonParse || !argument || argument.type === 'SpreadElement') return undefined;
      const text = literalValue(argument);
      if (typeof text !== 'string') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

/** The global a left-hand side names: `window.X`, `window["X"]`, `self.X` or a plain identifier. */
function assignedName(target: Pattern | Expression): string | null {
  if (target.type === 'Identifier') return target.name;
  if (target.type !== 'MemberExpression' || target.object.type !== 'Identifier') return null;
  if (!['window', 'self', 'globalThis'].includes(target.object.name)) return null;
  if (!target.computed && target.property.type === 'Identifier') return target.property.name;
  const key = target.computed ? literalValue(target.property as Expression) : undefined;
  return typeof key === 'string' ? key : null;
}

const isState = (value: unknown) => value !== null && typeof value === 'object';

/** Top-level assignments of literal state in a script's program (nested functions are not run, so not read). */
function assignedStates(program: Program, out: EmbeddedState[]): void {
  const visit = (node: Node) => {
    if (node.type === 'ExpressionStatement') {
      const statement = node as Extract<Program['body'][number], { type: 'ExpressionStatement' }>;
      // `a = b = {…}` and `x = {…}, y = {…}` both occur in minified output.
      const expressions = statement.expression.type === 'SequenceExpression' ? statement.expression.expressions : [statement.expression];
      for (let expression of expressions) {
        while (expression.type === 'AssignmentExpression' && expression.operator === '=') {
          const name = assignedName(expression.left);
          const value = literalValue(expression.right);
          if (name && isState(value)) out.push({ name, value });
          expression = expression.right;
        }
      }
    } else if (node.type === 'VariableDeclaration') {
      const declaration = node as Extract<Program['body'][number], { type: 'VariableDeclaration' }>;
      for (const declarator of declaration.declarations) {
        const value = literalValue(declarator.init);
        if (declarator.id.type === 'Identifier' && isState(value)) out.push({ name: declarator.id.name, value });
      }
    }
  };
  for (const node of program.body) visit(node);
}

/**
 * Every embedded state of a page in document order, or with `name` only the states of that name:
 * then only the scripts that can assign it are parsed, which spares parsing a shop's other scripts
 * on every page. Malformed blocks and scripts are skipped.
 */
export function embeddedStates(document: Document, name?: string): EmbeddedState[] {
  const states: EmbeddedState[] = [];
  for (const script of elementsByTag(document, 'script')) {
    const type = (script.attribs.type ?? '').toLowerCase().trim();
    const text = scriptText(script);
    if (!text.trim() || text.length > MAX_SCRIPT) continue;
    if (/^application\/(?:[\w.+-]+\+)?json$/.test(type) && !type.includes('ld+json')) {
      const blockName = script.attribs.id ?? script.attribs['data-target'] ?? null;
      if (name !== undefined && blockName !== name) continue;
      try {
        const value = JSON.parse(text) as unknown;
        if (isState(value)) states.push({ name: blockName, value });
      } catch {
        // A broken block says nothing; the page's other evidence still applies.
      }
    } else if (
      (type === '' || /javascript|ecmascript|^module$/.test(type)) &&
      (name === undefined || assignsName(text, name)) &&
      ASSIGNS_STATE.test(text)
    ) {
      const assigned = jsonAssignment(text);
      if (assigned) {
        states.push(assigned);
        continue;
      }
      let program: Program;
      try {
        program = parseJs(text, {
          ecmaVersion: 'latest',
          sourceType: type === 'module' ? 'module' : 'script',
          allowReturnOutsideFunction: true,
        });
      } catch {
        continue;
      }
      assignedStates(program, states);
    }
  }
  return name === undefined ? states : states.filter((state) => state.name === name);
}

/** Values at a dotted path in the embedded states, from the first state that has any. */
export function embeddedValues(states: EmbeddedState[], path: string): string[] {
  for (const state of states) {
    const values = valuesAtPath(state.value as JsonObject, path);
    if (values.length) return values;
  }
  return [];
}
