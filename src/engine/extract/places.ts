import { isTag, type Element } from './dom.js';

/*
 * Where on a page an element sits, as its class and id names say: shared by label reading
 * (extract) and candidate generation (selectors), which both tell the page's own item from
 * other items' content.
 */

/** Field name words: snake, kebab, camel case and spaces all split ("pubDate" → pub, date). */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z\d]+/)
    .filter(Boolean);
}

/**
 * Words of class or id names that mark content about other things than the page's item:
 * comments and reviews (their authors and dates), related and recommended items, previous/next
 * links, sharing and like widgets.
 */
const SECONDARY_WORDS = new Set([
  'comment',
  'comments',
  'respond',
  'reply',
  'replies',
  'related',
  'recommended',
  'recommendations',
  'paging',
  'pagination',
  'prev',
  'previous',
  'next',
  'widget',
  'promo',
  'teaser',
  'teasers',
  'share',
  'sharing',
  'social',
  'like',
  'likes',
  'review',
  'reviews',
  'testimonial',
  'testimonials',
]);

/** Inside comments, reviews, related items or paging links: values of other items than the page's own. */
export function inSecondaryContent(element: Element): boolean {
  for (let node: Element | null = element; node && isTag(node); node = node.parent && isTag(node.parent) ? node.parent : null) {
    const names = `${node.attribs.class ?? ''} ${node.attribs.id ?? ''}`;
    if (!names.trim()) continue;
    if (names.split(/\s+/).some((name) => nameWords(name).some((word) => SECONDARY_WORDS.has(word)))) return true;
  }
  return false;
}
