import {
  allElements,
  currentPriceText,
  isDrawnStruck,
  isStruck,
  isTag,
  textOf,
  unstruckText,
  type AnyNode,
  type Document,
  type Element,
} from '../extract/dom.js';
import { inSecondaryContent } from '../extract/places.js';
import { parseMoney, type DecimalMark } from '../values/money.js';

/** Per page (or listing record) and decimal mark, the old amounts found there. */
const cache = new WeakMap<Document | Element, Map<DecimalMark | undefined, Set<number>>>();

const classesOf = (element: Element) => new Set((element.attribs.class ?? '').split(/\s+/).filter(Boolean));

/**
 * Whether an element sits in one of several like blocks (a related product's tile in a strip),
 * whose prices are other items' and may equal this one's by chance.
 */
function inRepeatedBlock(element: Element, root: AnyNode): boolean {
  let node: Element | null = element;
  for (let depth = 0; node && node !== root && depth < 8; depth++) {
    const parent: AnyNode | null = node.parent;
    if (!parent || !isTag(parent)) return false;
    const classes = classesOf(node);
    // Slides and tiles differ in state classes ("swiper-slide-active"), so one shared class will do.
    const like = parent.children.filter(
      (child) =>
        isTag(child) &&
        child.name === node!.name &&
        (classes.size ? [...classesOf(child)].some((name) => classes.has(name)) : !child.attribs.class?.trim()),
    );
    if (like.length >= 3) return true;
    node = parent;
  }
  return false;
}

/**
 * The amounts a page shows as the old price of a was/now pair: a struck or "old"-named price
 * beside a current one in the same price box ("€ 17,10 ~~€ 18,00~~ -5%"). A source that reads
 * one of them reads what the visitor no longer pays, even where a "List price" row or the page
 * state repeats it. Pairs in related items (named so, or repeated blocks) are other items' prices.
 * Amounts are read with the site's decimal mark, as the field's values are.
 */
export function oldPriceAmounts(root: Document | Element, decimalMark?: DecimalMark): Set<number> {
  const byMark = cache.get(root) ?? new Map<DecimalMark | undefined, Set<number>>();
  cache.set(root, byMark);
  const known = byMark.get(decimalMark);
  if (known) return known;
  const amounts = new Set<number>();
  for (const element of allElements(root)) {
    if (!isStruck(element) || inSecondaryContent(element) || inRepeatedBlock(element, root)) continue;
    const old = parseMoney(textOf(element), decimalMark)?.amount;
    if (old === undefined) continue;
    // A price drawn struck is old even alone in its box, and its pair may be further out. One only
    // named so ("price-old-live") is current when nothing else stands beside it: names mislead.
    const currentIn = isDrawnStruck(element) ? unstruckText : currentPriceText;
    let box: AnyNode | null = element.parent;
    for (let depth = 0; box && isTag(box) && depth < 3; depth++, box = box.parent) {
      const now = parseMoney(currentIn(box), decimalMark)?.amount;
      if (now === undefined) continue;
      if (now !== old) amounts.add(old);
      break;
    }
  }
  byMark.set(decimalMark, amounts);
  return amounts;
}
