import { AhoCorasick } from '@monyone/aho-corasick/fast';

/**
 * Finds which of the signature database's literals a text contains, in one pass over the
 * text (Aho–Corasick). Testing thousands of literals with `includes` scanned every page
 * thousands of times; most literals are absent, and that was most of the fingerprinting time.
 */
export class LiteralFinder {
  private readonly automaton: AhoCorasick;

  /** `literals` in lower case. */
  constructor(literals: Iterable<string>) {
    this.automaton = new AhoCorasick([...new Set(literals)]);
  }

  /** The literals `text` contains, compared case-insensitively. */
  find(text: string): Set<string> {
    const found = new Set<string>();
    for (const match of this.automaton.matchInText(text.toLowerCase())) found.add(match.keyword);
    return found;
  }
}
