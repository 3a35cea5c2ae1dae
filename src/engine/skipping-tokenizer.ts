import { Tokenizer } from 'htmlparser2';

/**
 * htmlparser2's tokenizer takes one turn of its parse loop per character while it waits for the
 * one that ends a run: `<` or `&` in text, the closing quote or `&` in an attribute value, `<` in
 * a script or style body, the end of a comment. Runs are most of a page, so this tokenizer jumps
 * to that character with the engine's own string search instead. Tokens, positions and decoded
 * entities are the same: the loop still stops on every character that changes its state.
 *
 * The overridden methods are internal to htmlparser2 (declared private), so they are reached
 * through the prototype, and `skippingTokenizer` is null when a version of the library no longer
 * has them: parsing then falls back to the library's own tokenizer (slower, never wrong). Every
 * parse of a page passes `withSkippingTokenizer` to htmlparser2's Parser or parseDocument.
 */
interface TokenizerInternals {
  buffer: string;
  index: number;
  offset: number;
}
type StateMethod = (this: TokenizerInternals, c: number) => void;
interface TokenizerMethods {
  fastForwardTo(this: TokenizerInternals, c: number): boolean;
  stateText: StateMethod;
  stateInAttributeValueDoubleQuotes: StateMethod;
  stateInAttributeValueSingleQuotes: StateMethod;
}

const LT = 0x3c;
const AMP = 0x26;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const TEXT_END = /[<&]/g;
const DOUBLE_QUOTED_END = /["&]/g;
const SINGLE_QUOTED_END = /['&]/g;

/**
 * Leaves the index just before the next match of `end` (the parse loop then steps onto it), or on
 * the buffer's last character when there is none, as the library's own fast-forward does.
 */
function skipTo(tokenizer: TokenizerInternals, end: RegExp): void {
  end.lastIndex = tokenizer.index - tokenizer.offset + 1;
  const found = end.exec(tokenizer.buffer);
  tokenizer.index = (found ? found.index : tokenizer.buffer.length) - 1 + tokenizer.offset;
}

/** A state that hands `end` or `&` to the library's own state and skips every other character to the next of them. */
const skipping = (state: StateMethod, end: number, ends: RegExp): StateMethod =>
  function (c) {
    if (c === end || c === AMP) state.call(this, c);
    else skipTo(this, ends);
  };

function createSkippingTokenizer(): typeof Tokenizer | null {
  const base = Tokenizer.prototype as unknown as Partial<TokenizerMethods>;
  const { stateText, stateInAttributeValueDoubleQuotes, stateInAttributeValueSingleQuotes } = base;
  if (
    typeof base.fastForwardTo !== 'function' ||
    typeof stateText !== 'function' ||
    typeof stateInAttributeValueDoubleQuotes !== 'function' ||
    typeof stateInAttributeValueSingleQuotes !== 'function'
  )
    return null;
  const probe = new Tokenizer({}, {} as ConstructorParameters<typeof Tokenizer>[1]) as unknown as Partial<TokenizerInternals>;
  if (typeof probe.buffer !== 'string' || typeof probe.index !== 'number' || typeof probe.offset !== 'number') return null;

  class SkippingTokenizer extends Tokenizer {}
  const methods: TokenizerMethods = {
    fastForwardTo(c) {
      const found = this.buffer.indexOf(String.fromCharCode(c), this.index - this.offset + 1);
      if (found === -1) {
        this.index = this.buffer.length - 1 + this.offset;
        return false;
      }
      this.index = found + this.offset;
      return true;
    },
    stateText: skipping(stateText, LT, TEXT_END),
    stateInAttributeValueDoubleQuotes: skipping(stateInAttributeValueDoubleQuotes, DOUBLE_QUOTE, DOUBLE_QUOTED_END),
    stateInAttributeValueSingleQuotes: skipping(stateInAttributeValueSingleQuotes, SINGLE_QUOTE, SINGLE_QUOTED_END),
  };
  Object.assign(SkippingTokenizer.prototype, methods);
  return SkippingTokenizer;
}

export const skippingTokenizer = createSkippingTokenizer();

/** Parser options that select the skipping tokenizer when this htmlparser2 allows it. */
export const withSkippingTokenizer: { Tokenizer?: typeof Tokenizer } = skippingTokenizer ? { Tokenizer: skippingTokenizer } : {};
