/** A compiled Wappalyzer pattern: `regex\;version:\1\;confidence:50`. */
export interface Pattern {
  readonly regex: RegExp;
  /** Lower-case texts of which any match contains at least one: a cheap test before the regex. */
  literals?: string[];
  version?: string;
  confidence: number;
}

/**
 * The regular expression is built on first use: most of the database's thousands of patterns
 * are never run on a given page (their literals are absent, or the header or meta tag they read
 * is), and building them all was a good part of what a process paid before its first fingerprint.
 */
class CompiledPattern implements Pattern {
  #regex: RegExp | undefined;
  literals?: string[];
  version?: string;
  confidence = 100;

  constructor(private readonly expression: string) {}

  get regex(): RegExp {
    return (this.#regex ??= safeRegex(this.expression));
  }
}

/**
 * `withLiterals` for the patterns run on a whole page (HTML, text, scripts, script URLs), whose
 * required literals gate them; the others read one short value and are not gated.
 */
export function compilePattern(source: string, withLiterals = false): Pattern {
  const [expression = '', ...tags] = source.split('\\;');
  const pattern = new CompiledPattern(expression);
  const literals = withLiterals ? requiredLiterals(expression) : undefined;
  if (literals) pattern.literals = literals;
  for (const tag of tags) {
    const colon = tag.indexOf(':');
    if (colon < 0) continue;
    const key = tag.slice(0, colon);
    const value = tag.slice(colon + 1);
    if (key === 'version') pattern.version = value;
    else if (key === 'confidence') pattern.confidence = Number(value) || 0;
  }
  return pattern;
}

function safeRegex(expression: string): RegExp {
  try {
    return new RegExp(expression, 'i');
  } catch {
    // A few community patterns use syntax JavaScript lacks; they simply never match.
    return /(?!)/;
  }
}

export function patternList(value: string | string[] | undefined, withLiterals = false): Pattern[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((source) => compilePattern(source, withLiterals));
}

/** The version a match reveals: `\1` style references and `\1?yes:no` ternaries resolved. */
export function resolveVersion(template: string | undefined, match: RegExpExecArray): string | undefined {
  if (!template) return undefined;
  let version = template;
  for (let i = 1; i <= 9; i++) {
    const group = match[i];
    const ternary = new RegExp(`\\\\${i}\\?([^:]*):(.*)$`);
    const found = ternary.exec(version);
    if (found) version = version.replace(found[0], group ? found[1]! : found[2]!);
    version = version.replaceAll(`\\${i}`, group ?? '');
  }
  version = version.trim();
  return version && version.length <= 40 ? version : undefined;
}

const ESCAPED_LITERALS = new Set([
  '.',
  '/',
  '-',
  '_',
  ':',
  '"',
  "'",
  '=',
  '<',
  '>',
  '@',
  '#',
  '%',
  '&',
  ' ',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '?',
  '*',
  '+',
  '$',
  '^',
  '|',
]);

/**
 * One required literal per top-level alternative (`a|b` needs the literal of a or of b), or
 * undefined when some alternative has none.
 */
export function requiredLiterals(expression: string): string[] | undefined {
  const alternatives = topLevelAlternatives(expression);
  const literals = alternatives.map(requiredLiteral);
  return literals.every((literal): literal is string => literal !== undefined) ? literals : undefined;
}

/**
 * The longest run of plain characters every match must contain, or undefined when the pattern
 * has alternatives or no run of three characters. Only text outside groups counts, and a
 * character made optional by the quantifier after it is left out.
 */
export function requiredLiteral(expression: string): string | undefined {
  if (hasTopLevelAlternative(expression)) return undefined;
  const runs: string[] = [];
  let run = '';
  let depth = 0;
  const flush = () => {
    if (run) runs.push(run);
    run = '';
  };
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i]!;
    const next = expression[i + 1];
    let literal: string | undefined;
    if (char === '\\') {
      const escaped = expression[++i];
      if (escaped !== undefined && ESCAPED_LITERALS.has(escaped)) literal = escaped;
    } else if (char === '[') {
      while (i < expression.length && expression[i] !== ']') i += expression[i] === '\\' ? 2 : 1;
    } else if (char === '{') {
      while (i < expression.length && expression[i] !== '}') i++;
    } else if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
    } else if (!'.^$*+?{}'.includes(char)) {
      literal = char;
    }
    const optional = next === '?' || next === '*' || (next === '{' && /^\{0/.test(expression.slice(i + 1)));
    if (literal === undefined || depth > 0 || optional) {
      flush();
      continue;
    }
    run += literal;
    if (next === '+' || next === '{') flush();
  }
  flush();
  const longest = runs.sort((a, b) => b.length - a.length)[0];
  return longest && longest.length >= 3 ? longest.toLowerCase() : undefined;
}

function topLevelAlternatives(expression: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i];
    if (char === '\\') i++;
    else if (char === '[') while (i < expression.length && expression[i] !== ']') i += expression[i] === '\\' ? 2 : 1;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === '|' && depth === 0) {
      alternatives.push(expression.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(expression.slice(start));
  return alternatives;
}

function hasTopLevelAlternative(expression: string): boolean {
  return topLevelAlternatives(expression).length > 1;
}
