import { hasChildren, type ChildNode, type Document, type ParentNode } from 'domhandler';
import { getOuterHTML } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { withSkippingTokenizer } from './skipping-tokenizer.js';

/** Deeper than any real template; hostile pages nest 10 000 levels to blow recursive tree walks. */
export const MAX_NESTING = 256;

/** Replaces an element's subtree by the leaves (text, comments) of that subtree, in document order. */
function flatten(element: ParentNode): void {
  const leaves: ChildNode[] = [];
  const pending = [...element.children].reverse();
  while (pending.length) {
    const node = pending.pop()!;
    if (hasChildren(node)) for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
    else leaves.push(node);
  }
  leaves.forEach((leaf, index) => {
    leaf.parent = element;
    leaf.prev = leaves[index - 1] ?? null;
    leaf.next = leaves[index + 1] ?? null;
  });
  element.children = leaves;
}

/**
 * Flattens elements nested deeper than `maxDepth` in place, keeping their text, so that the
 * recursive walks of DOM libraries (textContent, serializers, our own visitors) cannot overflow
 * the stack. Walks iteratively; returns whether anything was flattened.
 */
export function flattenDeepNesting(document: Document, maxDepth = MAX_NESTING): boolean {
  let flattened = false;
  const pending: Array<[ParentNode, number]> = [[document, 0]];
  while (pending.length) {
    const [node, depth] = pending.pop()!;
    for (const child of node.children) {
      if (!hasChildren(child)) continue;
      if (depth + 1 < maxDepth) pending.push([child, depth + 1]);
      else {
        flatten(child);
        flattened = true;
      }
    }
  }
  return flattened;
}

/** The HTML itself, or when it nests deeper than `maxDepth`, the same page with the excess flattened. */
export function boundedNestingHtml(html: string, maxDepth = MAX_NESTING): string {
  const document = parseDocument(html, withSkippingTokenizer);
  return flattenDeepNesting(document, maxDepth) ? getOuterHTML(document) : html;
}
