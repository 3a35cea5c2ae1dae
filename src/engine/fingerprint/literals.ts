/**
 * Finds which of the signature database's literals a text contains, in one pass over the text
 * (Aho–Corasick). Testing thousands of literals with `includes` scanned every page thousands
 * of times; most literals are absent, and that was most of the fingerprinting time.
 *
 * Scanning reads one transition-table entry per character of the page, but the table is built
 * as scanning reaches its states: the complete table of the database's ≈ 70 000 states (and
 * their failure links) took most of a one-page `siteprint fingerprint` run to build, and its
 * 18 MB set off garbage collections, while a page visits a few thousand states. Building the
 * finder builds only the trie.
 */
export class LiteralFinder {
  private readonly literals: string[];
  /** Code unit → symbol (1…n); 0 for code units no literal contains, which lead back to the root. */
  private readonly symbolOf: Int32Array;
  /** A page's code unit → the symbol of its lower case; -1 until a page first has that unit. */
  private readonly lowerSymbolOf: Int32Array;
  /**
   * Whether a page can be read unit by unit, each in lower case, instead of lower-casing it whole
   * first (which, for the pages with any character beyond Latin-1, was half of the scan). The two
   * agree except for what no literal here contains: a final sigma's form depends on what follows
   * it, and astral letters are two code units. (İ lower-cases to two units: pages with it are
   * lower-cased whole.)
   */
  private readonly unitByUnit: boolean;
  private readonly width: number;
  /** The trie: a state's first child, a child's next sibling, its parent and the symbol leading to it. */
  private readonly firstChild: Int32Array;
  private readonly nextSibling: Int32Array;
  private readonly parent: Int32Array;
  private readonly symbolOfState: Int32Array;
  /** The literal a state completes, or -1. */
  private readonly completes: Int32Array;
  /** Each state's failure link, and the nearest state along them that completes a literal; -1 until first needed. */
  private readonly failure: Int32Array;
  private readonly nextMatch: Int32Array;
  /** Where a state's row starts in `rows`, or -1 before its first use. */
  private readonly rowOf: Int32Array;
  /**
   * The rows built so far, `width + 2` entries each: per symbol, where the next state's row
   * starts, or −(state + 1) while that row is not built; then the first state from this one along
   * the failure links that completes a literal (0 for none); then the row's state.
   */
  private rows: Int32Array;
  private rowsUsed = 0;

  /** `literals` in lower case. */
  constructor(literals: Iterable<string>) {
    this.literals = [...new Set(literals)].filter((literal) => literal.length > 0);
    this.symbolOf = new Int32Array(0x10000);
    this.lowerSymbolOf = new Int32Array(0x10000).fill(-1);
    this.unitByUnit = !this.literals.some((literal) => /[\u03c2\u03c3\ud800-\udfff]/.test(literal));
    let symbols = 0;
    for (const literal of this.literals) {
      for (let i = 0; i < literal.length; i++) {
        const unit = literal.charCodeAt(i);
        if (this.symbolOf[unit] === 0) this.symbolOf[unit] = ++symbols;
      }
    }
    this.width = symbols + 1;

    // A literal adds at most one state per character.
    const capacity = this.literals.reduce((sum, literal) => sum + literal.length, 1);
    const firstChild = (this.firstChild = new Int32Array(capacity));
    const nextSibling = (this.nextSibling = new Int32Array(capacity));
    const parent = (this.parent = new Int32Array(capacity));
    const symbolOfState = (this.symbolOfState = new Int32Array(capacity));
    const completes = (this.completes = new Int32Array(capacity).fill(-1));
    let states = 1;
    this.literals.forEach((literal, index) => {
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const symbol = this.symbolOf[literal.charCodeAt(i)]!;
        let child = firstChild[state]!;
        while (child !== 0 && symbolOfState[child] !== symbol) child = nextSibling[child]!;
        if (child === 0) {
          child = states++;
          symbolOfState[child] = symbol;
          parent[child] = state;
          nextSibling[child] = firstChild[state]!;
          firstChild[state] = child;
        }
        state = child;
      }
      completes[state] = index;
    });
    this.failure = new Int32Array(states).fill(-1);
    this.nextMatch = new Int32Array(states).fill(-1);
    this.rowOf = new Int32Array(states).fill(-1);
    this.rows = new Int32Array(256 * (this.width + 2));
    this.row(0); // the root's, at 0
  }

  /** Where the row of `state` starts, built if needed: its failure target's row with its own children in place. */
  private row(state: number): number {
    const known = this.rowOf[state]!;
    if (known >= 0) return known;
    const { width } = this;
    // The failure target is shallower: its row is built (recursively) before this one is placed.
    const fallback = state === 0 ? -1 : this.row(this.failureOf(state));
    const stride = width + 2;
    if (this.rowsUsed + stride > this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    const at = this.rowsUsed;
    this.rowsUsed += stride;
    const { rows } = this;
    if (fallback >= 0) rows.copyWithin(at, fallback, fallback + width);
    else rows.fill(0, at, at + width); // the root: every symbol without a child leads back to it
    for (let child = this.firstChild[state]!; child !== 0; child = this.nextSibling[child]!)
      rows[at + this.symbolOfState[child]!] = -(child + 1);
    rows[at + width] = this.completes[state]! >= 0 ? state : fallback >= 0 ? rows[fallback + width]! : 0;
    rows[at + width + 1] = state;
    this.rowOf[state] = at;
    return at;
  }

  /** The state the failure link of `state` leads to: where its parent's failure target goes on its symbol. */
  private failureOf(state: number): number {
    let target = this.failure[state]!;
    if (target < 0) {
      const parent = this.parent[state]!;
      if (parent === 0) target = 0;
      else {
        const at = this.row(this.failureOf(parent)) + this.symbolOfState[state]!;
        const entry = this.rows[at]!;
        target = entry < 0 ? -entry - 1 : this.rows[entry + this.width + 1]!;
      }
      this.failure[state] = target;
    }
    return target;
  }

  /** The nearest state beyond `state` along the failure links that completes a literal, or 0. */
  private nextMatchOf(state: number): number {
    let next = this.nextMatch[state]!;
    if (next < 0) this.nextMatch[state] = next = this.rows[this.row(this.failureOf(state)) + this.width]!;
    return next;
  }

  /** The literals `text` contains, compared case-insensitively. */
  find(text: string): Set<string> {
    const found = new Set<string>();
    // Short literals match again and again on a page: a flag per literal is cheaper than the set.
    const seen = new Uint8Array(this.literals.length);
    const byUnit = this.unitByUnit && !text.includes('\u0130');
    const source = byUnit ? text : text.toLowerCase();
    const symbolOf = byUnit ? this.lowerSymbolOf : this.symbolOf;
    const { width, completes, nextMatch } = this;
    let { rows } = this;
    let at = 0;
    for (let i = 0; i < source.length; i++) {
      const unit = source.charCodeAt(i);
      let symbol = symbolOf[unit]!;
      if (symbol < 0) symbol = symbolOf[unit] = this.symbolOf[String.fromCharCode(unit).toLowerCase().charCodeAt(0)]!;
      const slot = at + symbol;
      at = rows[slot]!;
      if (at < 0) {
        at = this.row(-at - 1);
        rows = this.rows; // a new row may have grown the table
        rows[slot] = at;
      }
      for (let match = rows[at + width]!; match !== 0;) {
        const literal = completes[match]!;
        if (!seen[literal]) {
          seen[literal] = 1;
          found.add(this.literals[literal]!);
        }
        const next = nextMatch[match]!;
        if (next >= 0) match = next;
        else {
          match = this.nextMatchOf(match);
          rows = this.rows;
        }
      }
    }
    return found;
  }
}
