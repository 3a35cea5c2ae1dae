/** A compiled Wappalyzer pattern: `regex\;version:\1\;confidence:50`. */
export interface Pattern {
  regex: RegExp;
  /** Lower-case text any match must contain: a cheap test before running the regex. */
  literal?: string;
  version?: string;
  confidence: number;
}

export function compilePattern(source: string): Pattern {
  const [expression = '', ...tags] = source.split('\\;');
  const literal = requiredLiteral(expression);
  const pattern: Pattern = { regex: safeRegex(expression), confidence: 100, ...(literal ? { literal } : {}) };
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

export function patternList(value: string | string[] | undefined): Pattern[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(compilePattern);
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

const ESCAPED_LITERALS = new Set(['.', '/', '-', '_', ':', '"', "'", '=', '<', '>', '@', '#', '%', '&', ' ', '(', ')', '[', ']', '{', '}', '?', '*', '+', '$', '^', '|']);

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

function hasTopLevelAlternative(expression: string): boolean {
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i];
    if (char === '\\') i++;
    else if (char === '[') while (i < expression.length && expression[i] !== ']') i += expression[i] === '\\' ? 2 : 1;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === '|' && depth === 0) return true;
  }
  return false;
}
