/**
 * The shape of a URL: its path with the parts that vary between pages of one kind replaced
 * by placeholders, e.g. /product/9780316125581 → /product/:id and
 * /2024/05/12/some-long-article-title → /:year/:month/:day/:slug. Pages sharing a shape are
 * usually the same page type.
 */
export function urlShape(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return url;
  }
  const segments = path.split('/').filter(Boolean);
  const shaped: string[] = [];
  for (const segment of segments) shaped.push(segmentShape(decodeSegment(segment), shaped.at(-1)));
  return `/${shaped.join('/')}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `previous` is the shape already given to the segment before. */
function segmentShape(segment: string, previous: string | undefined): string {
  const bare = segment.replace(/\.(html?|php|aspx?|jsp)$/i, '');
  if (/^(19|20)\d{2}$/.test(bare)) return ':year';
  if (/^(0?[1-9]|1[0-2])$/.test(bare) && previous === ':year') return ':month';
  if (/^(0?[1-9]|[12]\d|3[01])$/.test(bare) && previous === ':month') return ':day';
  if (/^\d+$/.test(bare)) return previous && /^(page|p)$/i.test(previous) ? ':page' : ':id';
  if (/^[0-9a-f]{8,}(-[0-9a-f]{4,})*$/i.test(bare)) return ':id';
  // Codes such as ISBNs, ASINs and SKUs: letters and digits mixed, no separators.
  if (/^(?=.*\d)[A-Za-z0-9]{6,}$/.test(bare)) return ':id';
  if (/^[\p{L}\p{N}]+([-_][\p{L}\p{N}]+){2,}$/u.test(bare) || bare.length > 40) return ':slug';
  if (/\d/.test(bare) && /[-_]/.test(bare)) return ':slug';
  return bare.toLowerCase();
}
