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
  /** Transitions out of the other states: an open-addressing hash table keyed by `state * width + symbol`. */
  private readonly edgeKeys: Int32Array;
  private readonly edgeTargets: Int32Array;
  private readonly edgeShift: number;
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

    // The trie, in arrays indexed by state (0 is the root): a literal adds at most one state per
    // character. Children are linked lists (first child, next sibling) for the breadth-first pass.
    const capacity = this.literals.reduce((sum, literal) => sum + literal.length, 1);
    const firstChild = new Int32Array(capacity);
    const nextSibling = new Int32Array(capacity);
    const symbolOfState = new Int32Array(capacity);
    const completes = new Int32Array(capacity).fill(-1);
    this.fromRoot = new Int32Array(this.width);
    // At least twice as many slots as transitions, so probes stay short.
    const bits = Math.max(4, Math.ceil(Math.log2(capacity * 2)));
    this.edgeShift = 32 - bits;
    this.edgeKeys = new Int32Array(1 << bits).fill(-1);
    this.edgeTargets = new Int32Array(1 << bits);
    let states = 1;
    this.literals.forEach((literal, index) => {
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const symbol = this.symbolOf[literal.charCodeAt(i)]!;
        let next = state === 0 ? this.fromRoot[symbol]! : this.edge(state * this.width + symbol);
        if (next === 0) {
          next = states++;
          if (state === 0) this.fromRoot[symbol] = next;
          else this.addEdge(state * this.width + symbol, next);
          symbolOfState[next] = symbol;
          nextSibling[next] = firstChild[state]!;
          firstChild[state] = next;
        }
        state = next;
      }
      completes[state] = index;
    });
    this.completes = completes.subarray(0, states);
    this.failure = new Int32Array(states);
    this.nextMatch = new Int32Array(states);

    // Breadth first, so a state's failure target is final before its children need it.
    const queue = new Int32Array(states);
    let tail = 0;
    for (let child = firstChild[0]!; child !== 0; child = nextSibling[child]!) queue[tail++] = child;
    for (let head = 0; head < tail; head++) {
      const state = queue[head]!;
      const failure = this.failure[state]!;
      this.nextMatch[state] = this.completes[failure]! >= 0 ? failure : this.nextMatch[failure]!;
      for (let child = firstChild[state]!; child !== 0; child = nextSibling[child]!) {
        this.failure[child] = this.step(failure, symbolOfState[child]!);
        queue[tail++] = child;
      }
    }
  }

  private slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.edgeShift;
  }

  /** The target of the transition `key`, or 0 (no transition leads back to the root). */
  private edge(key: number): number {
    const mask = this.edgeKeys.length - 1;
    for (let slot = this.slotOf(key); ; slot = (slot + 1) & mask) {
      const found = this.edgeKeys[slot]!;
      if (found === key) return this.edgeTargets[slot]!;
      if (found === -1) return 0;
    }
  }

  private addEdge(key: number, target: number): void {
    const mask = this.edgeKeys.length - 1;
    let slot = this.slotOf(key);
    while (this.edgeKeys[slot] !== -1) slot = (slot + 1) & mask;
    this.edgeKeys[slot] = key;
    this.edgeTargets[slot] = target;
  }

  /** The state after reading `symbol` (non-zero) in `state`. */
  private step(state: number, symbol: number): number {
    for (;;) {
      if (state === 0) return this.fromRoot[symbol]!;
      const next = this.edge(state * this.width + symbol);
      if (next !== 0) return next;
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
