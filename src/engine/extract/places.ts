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

const BOILERPLATE_TAGS = new Set(['nav', 'header', 'footer', 'aside']);
/** "site-header", "main-nav", "footer" — but not "job-header", a content block's own header. */
const BOILERPLATE_NAME =
  /^(?:(?:site|main|global|page|top|primary)[-_]?)?(?:nav|navbar|navigation|menu|header|footer|breadcrumbs?|sidebar|topbar|masthead)$/i;

/** Inside navigation, headers, footers or sidebars: site chrome, rarely the page's data. */
export function inBoilerplate(element: Element): boolean {
  for (let node = element.parent; node && isTag(node); node = node.parent) {
    // An <article>'s own <header> holds its title, byline and date: content, not chrome.
    if ((node.name === 'header' || node.name === 'footer') && insideContent(node)) continue;
    if (BOILERPLATE_TAGS.has(node.name)) return true;
    const names = `${node.attribs.class ?? ''} ${node.attribs.id ?? ''}`.split(/\s+/);
    if (names.some((name) => BOILERPLATE_NAME.test(name))) return true;
  }
  return false;
}

function insideContent(element: Element): boolean {
  for (let node = element.parent; node && isTag(node); node = node.parent) if (node.name === 'article' || node.name === 'main') return true;
  return false;
}
