/**
 * Finds which of the signature database's literals a text contains, in one pass over the text
 * (Aho–Corasick). Testing thousands of literals with `includes` scanned every page thousands
 * of times; most literals are absent, and that was most of the fingerprinting time.
 *
 * The automaton is built here rather than with a library: the double-array one used before
 * took seconds to build for the database's ≈ 5 000 literals, which every process paid on its
 * first fingerprint (most of what `siteprint fingerprint` spent), and it followed failure links
 * and allocated an object per match while scanning. This one is a complete transition table
 * (one array read per character of the page), built in milliseconds.
 */
export class LiteralFinder {
  private readonly literals: string[];
  /** Code unit → symbol (1…n); 0 for code units no literal contains, which lead back to the root. */
  private readonly symbolOf: Uint16Array;
  private readonly width: number;
  /** The state after each (state, symbol): `next[state * width + symbol]`. */
  private readonly next: Uint16Array | Uint32Array;
  /** The literal a state completes, or -1. */
  private readonly completes: Int32Array;
  /** The nearest state along the failure links that completes a literal, or 0 (the root completes none). */
  private readonly nextMatch: Int32Array;

  /** `literals` in lower case. */
  constructor(literals: Iterable<string>) {
    this.literals = [...new Set(literals)].filter((literal) => literal.length > 0);
    this.symbolOf = new Uint16Array(0x10000);
    let symbols = 0;
    for (const literal of this.literals) {
      for (let i = 0; i < literal.length; i++) {
        const unit = literal.charCodeAt(i);
        if (this.symbolOf[unit] === 0) this.symbolOf[unit] = ++symbols;
      }
    }
    const width = (this.width = symbols + 1);

    // The trie, written straight into a transition table (0 = no child yet) sized for the worst
    // case: a literal adds at most one state per character. Children are also linked (first
    // child, next sibling) so the breadth-first pass visits them without scanning whole rows.
    const capacity = this.literals.reduce((sum, literal) => sum + literal.length, 1);
    const trie = new Uint32Array(capacity * width);
    const firstChild = new Int32Array(capacity);
    const nextSibling = new Int32Array(capacity);
    const symbolOfState = new Int32Array(capacity);
    const completes = new Int32Array(capacity).fill(-1);
    let states = 1;
    this.literals.forEach((literal, index) => {
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const symbol = this.symbolOf[literal.charCodeAt(i)]!;
        const slot = state * width + symbol;
        if (trie[slot] === 0) {
          const child = states++;
          trie[slot] = child;
          symbolOfState[child] = symbol;
          nextSibling[child] = firstChild[state]!;
          firstChild[state] = child;
        }
        state = trie[slot]!;
      }
      completes[state] = index;
    });
    // The database has fewer than 65 536 states: two bytes a transition halve the table.
    const next = (this.next = states <= 0x10000 ? new Uint16Array(states * width) : new Uint32Array(states * width));
    next.set(trie.subarray(0, width)); // the root's row; the other rows are filled below
    this.completes = completes.subarray(0, states);
    this.nextMatch = new Int32Array(states);

    // Breadth first, so a state's failure target has its complete row before its children need
    // it. A state's row starts as a copy of its failure target's; its own children then replace
    // their symbols' entries, each child's failure target being the entry it replaces.
    const failure = new Int32Array(states);
    const queue = new Int32Array(states);
    let tail = 0;
    for (let child = firstChild[0]!; child !== 0; child = nextSibling[child]!) queue[tail++] = child;
    for (let head = 0; head < tail; head++) {
      const state = queue[head]!;
      const fallback = failure[state]!;
      this.nextMatch[state] = this.completes[fallback]! >= 0 ? fallback : this.nextMatch[fallback]!;
      next.copyWithin(state * width, fallback * width, fallback * width + width);
      for (let child = firstChild[state]!; child !== 0; child = nextSibling[child]!) {
        const slot = state * width + symbolOfState[child]!;
        failure[child] = next[slot]!;
        next[slot] = child;
        queue[tail++] = child;
      }
    }
  }

  /** The literals `text` contains, compared case-insensitively. */
  find(text: string): Set<string> {
    const found = new Set<string>();
    // Short literals match again and again on a page: a flag per literal is cheaper than the set.
    const seen = new Uint8Array(this.literals.length);
    const lower = text.toLowerCase();
    const { next, symbolOf, width, completes, nextMatch } = this;
    let state = 0;
    for (let i = 0; i < lower.length; i++) {
      state = next[state * width + symbolOf[lower.charCodeAt(i)]!]!;
      for (let match = completes[state]! >= 0 ? state : nextMatch[state]!; match !== 0; match = nextMatch[match]!) {
        const literal = completes[match]!;
        if (seen[literal]) continue;
        seen[literal] = 1;
        found.add(this.literals[literal]!);
      }
    }
    return found;
  }
}
