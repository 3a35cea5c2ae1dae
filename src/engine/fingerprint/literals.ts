/**
 * Finds which of the signature database's literals a text contains, in one pass over the text
 * (Aho–Corasick). Testing thousands of literals with `includes` scanned every page thousands
 * of times; most literals are absent, and that was most of the fingerprinting time.
 *
 * The automaton is built here rather than with a library: the double-array one used before
 * took seconds to build for the database's ≈ 5 000 literals, which every process paid on its
 * first fingerprint (most of what `siteprint fingerprint` spent), and it allocated an object
 * per match. This one builds in milliseconds and allocates nothing while it scans.
 */
export class LiteralFinder {
  private readonly literals: string[];
  /** Code unit → symbol (1…n); 0 for code units no literal contains, which send the scan back to the root. */
  private readonly symbolOf: Uint16Array;
  /** Transitions out of the root, by symbol: the most frequent step of a scan, so a plain array. */
  private readonly fromRoot: Int32Array;
  /** Transitions out of the other states, keyed by `state * width + symbol`. */
  private readonly edges: Map<number, number>;
  private readonly width: number;
  private readonly failure: Int32Array;
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
    this.width = symbols + 1;

    // The trie: state 0 is the root; children[] lists each state's children in insertion order.
    const edges = new Map<number, number>();
    const children: number[][] = [[]];
    const completes: number[] = [-1];
    this.literals.forEach((literal, index) => {
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const key = state * this.width + this.symbolOf[literal.charCodeAt(i)]!;
        let next = edges.get(key);
        if (next === undefined) {
          next = children.length;
          edges.set(key, next);
          children.push([]);
          completes.push(-1);
          children[state]!.push(next);
        }
        state = next;
      }
      completes[state] = index;
    });

    const states = children.length;
    const symbolOfState = new Int32Array(states);
    for (const [key, state] of edges) symbolOfState[state] = key % this.width;
    this.fromRoot = new Int32Array(this.width);
    for (const child of children[0]!) this.fromRoot[symbolOfState[child]!] = child;
    this.failure = new Int32Array(states);
    this.nextMatch = new Int32Array(states);
    this.completes = Int32Array.from(completes);
    this.edges = new Map();
    for (const [key, state] of edges) if (key >= this.width) this.edges.set(key, state);

    // Breadth first, so a state's failure target is final before its children need it.
    const queue: number[] = [...children[0]!];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const failure = this.failure[state]!;
      this.nextMatch[state] = this.completes[failure]! >= 0 ? failure : this.nextMatch[failure]!;
      for (const child of children[state]!) {
        this.failure[child] = this.step(failure, symbolOfState[child]!);
        queue.push(child);
      }
    }
  }

  /** The state after reading `symbol` (non-zero) in `state`. */
  private step(state: number, symbol: number): number {
    for (;;) {
      if (state === 0) return this.fromRoot[symbol]!;
      const next = this.edges.get(state * this.width + symbol);
      if (next !== undefined) return next;
      state = this.failure[state]!;
    }
  }

  /** The literals `text` contains, compared case-insensitively. */
  find(text: string): Set<string> {
    const found = new Set<string>();
    const lower = text.toLowerCase();
    let state = 0;
    for (let i = 0; i < lower.length; i++) {
      const symbol = this.symbolOf[lower.charCodeAt(i)]!;
      if (symbol === 0) {
        state = 0;
        continue;
      }
      state = this.step(state, symbol);
      for (let match = this.completes[state]! >= 0 ? state : this.nextMatch[state]!; match !== 0; match = this.nextMatch[match]!) {
        found.add(this.literals[this.completes[match]!]!);
      }
    }
    return found;
  }
}
