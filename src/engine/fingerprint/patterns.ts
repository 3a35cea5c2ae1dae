/**
 * What every match of a pattern contains, in lower case: a literal, all of several requirements,
 * or any one of several (one per alternative of `a|b`).
 */
export type Requirement = string | { all: Requirement[] } | { any: Requirement[] };

/** A compiled Wappalyzer pattern: `regex\;version:\1\;confidence:50`. */
export interface Pattern {
  readonly regex: RegExp;
  /**
   * Lower-case texts of which any match contains at least one (the rarest-looking literal of each
   * alternative): the technologies a page can match are looked up by these.
   */
  literals?: string[];
  /** Everything a match must contain: a cheap test before the regex, stricter than `literals`. */
  requirement?: Requirement;
  version?: string;
  confidence: number;
}

/** Whether a text whose literals are `present` can satisfy `requirement`. */
export function satisfied(requirement: Requirement, present: Set<string>): boolean {
  if (typeof requirement === 'string') return present.has(requirement);
  if ('all' in requirement) return requirement.all.every((part) => satisfied(part, present));
  return requirement.any.some((part) => satisfied(part, present));
}

/** Every literal a requirement names, for the automaton that finds them in a page. */
export function requirementLiterals(requirement: Requirement): string[] {
  if (typeof requirement === 'string') return [requirement];
  return ('all' in requirement ? requirement.all : requirement.any).flatMap(requirementLiterals);
}

/**
 * Literals of which every text satisfying `requirement` contains one: one literal when all of
 * several are needed (the longest, as the rarest-looking), one of each alternative's otherwise.
 */
function indexLiterals(requirement: Requirement): string[] {
  if (typeof requirement === 'string') return [requirement];
  if ('any' in requirement) return requirement.any.flatMap(indexLiterals);
  // The option whose shortest literal is longest: `class="` is on every page, while
  // `(?:uk-container|uk-section)` is rarely. Ties go to the option with fewer literals.
  const shortest = (option: string[]) => Math.min(...option.map((literal) => literal.length));
  return requirement.all.map(indexLiterals).sort((a, b) => shortest(b) - shortest(a) || a.length - b.length)[0]!;
}

/**
 * The regular expression is built on first use: most of the database's thousands of patterns
 * are never run on a given page (their literals are absent, or the header or meta tag they read
 * is), and building them all was a good part of what a process paid before its first fingerprint.
 */
class CompiledPattern implements Pattern {
  #regex: RegExp | undefined;
  literals?: string[];
  requirement?: Requirement;
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
  const requirement = withLiterals ? patternRequirement(expression) : undefined;
  if (requirement) {
    pattern.requirement = requirement;
    pattern.literals = [...new Set(indexLiterals(requirement))];
  }
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
 * What every match of a regular expression must contain, or undefined when nothing (no run of
 * three plain characters) can be relied on. Runs of plain characters outside and inside groups
 * count, with alternatives (`a|b`, `(?:a|b)`) as "any of"; what a quantifier may repeat zero
 * times and what a negative lookaround names do not count.
 */
export function patternRequirement(expression: string): Requirement | undefined {
  return new RequirementParser(expression).alternation();
}

const MIN_LITERAL = 3;

class RequirementParser {
  private at = 0;

  constructor(private readonly expression: string) {}

  /** Alternatives up to the end or the `)` closing the current group. */
  alternation(): Requirement | undefined {
    const alternatives = [this.sequence()];
    while (this.expression[this.at] === '|') {
      this.at++;
      alternatives.push(this.sequence());
    }
    if (alternatives.length === 1) return alternatives[0];
    return alternatives.every((alternative) => alternative !== undefined) ? simplify({ any: alternatives }) : undefined;
  }

  /** Terms up to `|`, `)` or the end; all of their requirements hold together. */
  private sequence(): Requirement | undefined {
    const { expression } = this;
    const parts: Requirement[] = [];
    let run = '';
    const flush = () => {
      if (run.length >= MIN_LITERAL) parts.push(run.toLowerCase());
      run = '';
    };
    while (this.at < expression.length) {
      const char = expression[this.at]!;
      if (char === '|' || char === ')') break;
      if (char === '(') {
        flush();
        const group = this.group();
        const optional = this.optionalQuantifier();
        this.skipQuantifier();
        if (group !== undefined && !optional) parts.push(group);
        continue;
      }
      const literal = this.atom();
      if (literal === undefined || this.optionalQuantifier()) {
        // An optional character may be absent, so the run on either side of it is not contiguous.
        flush();
        this.skipQuantifier();
        continue;
      }
      run += literal;
      // A repeated character is in the match, but what follows it may not be adjacent to the run.
      if (this.skipQuantifier()) flush();
    }
    flush();
    return parts.length === 0 ? undefined : simplify({ all: parts });
  }

  /** A group from its `(`: its requirement, or undefined for negative lookarounds and unanalysable ones. */
  private group(): Requirement | undefined {
    const { expression } = this;
    this.at++; // (
    let negative = false;
    if (expression[this.at] === '?') {
      const kind = expression.slice(this.at, this.at + 3);
      negative = kind.startsWith('?!') || kind === '?<!';
      if (kind.startsWith('?:') || kind.startsWith('?=') || kind.startsWith('?!')) this.at += 2;
      else if (kind === '?<=' || kind === '?<!') this.at += 3;
      else if (kind.startsWith('?<')) this.at = expression.indexOf('>', this.at) + 1 || expression.length;
      else this.at++;
    }
    const inner = this.alternation();
    if (expression[this.at] === ')') this.at++;
    return negative ? undefined : inner;
  }

  /**
   * One atom that is not a group: the plain character it matches (lower case later), or undefined
   * for classes, escapes of character classes and anything else that is not one fixed character.
   */
  private atom(): string | undefined {
    const { expression } = this;
    const char = expression[this.at]!;
    if (char === '\\') {
      const escaped = expression[this.at + 1];
      this.at += 2;
      if (escaped === undefined) return undefined;
      if (ESCAPED_LITERALS.has(escaped)) return escaped;
      // Escapes with a payload: \xHH, \uHHHH, \cX, \k<name>, back-references \12.
      if (escaped === 'x') this.at += 2;
      else if (escaped === 'u') this.at += expression[this.at] === '{' ? expression.indexOf('}', this.at) - this.at + 1 : 4;
      else if (escaped === 'c') this.at += 1;
      else if (escaped === 'k' && expression[this.at] === '<') this.at = expression.indexOf('>', this.at) + 1 || expression.length;
      else if (/[0-9]/.test(escaped)) while (/[0-9]/.test(expression[this.at] ?? '')) this.at++;
      return undefined;
    }
    if (char === '[') {
      this.at++;
      while (this.at < expression.length && expression[this.at] !== ']') this.at += expression[this.at] === '\\' ? 2 : 1;
      this.at++;
      return undefined;
    }
    this.at++;
    // A brace that does not start a quantifier is a plain character; treated as unknown, as before.
    return '.^$*+?{}'.includes(char) ? undefined : char;
  }

  /** Whether the quantifier at the current position lets the atom before it occur zero times. */
  private optionalQuantifier(): boolean {
    const next = this.expression[this.at];
    return next === '?' || next === '*' || (next === '{' && /^\{0*(?:,\d*)?\}/.test(this.expression.slice(this.at)));
  }

  /** Skips a quantifier (and its lazy `?`) at the current position; whether there was one. */
  private skipQuantifier(): boolean {
    const { expression } = this;
    const next = expression[this.at];
    if (next === '?' || next === '*' || next === '+') this.at++;
    else if (next === '{' && /^\{\d*(?:,\d*)?\}/.test(expression.slice(this.at))) this.at = expression.indexOf('}', this.at) + 1;
    else return false;
    if (expression[this.at] === '?') this.at++;
    return true;
  }
}

/** Nested "all of" and "any of" flattened, and a single requirement unwrapped. */
function simplify(requirement: Requirement): Requirement {
  if (typeof requirement === 'string') return requirement;
  const all = 'all' in requirement;
  const parts = (all ? requirement.all : requirement.any).flatMap((part) =>
    typeof part !== 'string' && all === 'all' in part
      ? all
        ? (part as { all: Requirement[] }).all
        : (part as { any: Requirement[] }).any
      : [part],
  );
  const unique = [...new Set(parts)];
  if (unique.length === 1) return unique[0]!;
  return all ? { all: unique } : { any: unique };
}
