/**
 * URL path patterns for page-type match rules: literal segments, `:name` for exactly one segment,
 * `*` for any number of segments. Only the path is matched; hosts and query strings vary freely.
 */

function pathSegments(url: string): string[] {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    pathname = url.split(/[?#]/)[0] ?? '';
  }
  return pathname.split('/').filter(Boolean);
}

function segmentShape(values: string[]): string {
  if (values.every((value) => /^\d+$/.test(value))) return 'id';
  if (values.every((value) => /^[\dXx-]+$/.test(value))) return 'code';
  if (values.every((value) => /\.[a-z0-9]{2,5}$/i.test(value))) return 'file';
  return 'slug';
}

function positional(columns: string[][], names: Map<string, number>): string[] {
  return columns.map((values) => {
    const first = values[0] ?? '';
    if (values.every((value) => value === first)) return first;
    const shape = segmentShape(values);
    const count = (names.get(shape) ?? 0) + 1;
    names.set(shape, count);
    return `:${count === 1 ? shape : `${shape}${count}`}`;
  });
}

/**
 * The most specific pattern that matches every example: positions constant across examples stay
 * literal, varying ones become parameters; when the depth varies, the literal prefix and the
 * segments aligned from the end are kept and `*` absorbs the difference.
 */
export function inferUrlPattern(urls: string[]): string {
  const paths = urls.map(pathSegments);
  if (paths.length === 0) return '/*';
  const depths = paths.map((segments) => segments.length);
  const minDepth = Math.min(...depths);
  const names = new Map<string, number>();
  if (depths.every((depth) => depth === minDepth)) {
    const columns = Array.from({ length: minDepth }, (_, i) => paths.map((segments) => segments[i] ?? ''));
    return `/${positional(columns, names).join('/')}`;
  }
  let prefix = 0;
  while (prefix < minDepth && paths.every((segments) => segments[prefix] === paths[0]?.[prefix])) prefix++;
  const suffixLength = minDepth - prefix;
  const head = positional(
    Array.from({ length: prefix }, (_, i) => paths.map((segments) => segments[i] ?? '')),
    names,
  );
  const tail = positional(
    Array.from({ length: suffixLength }, (_, i) => paths.map((segments) => segments[segments.length - suffixLength + i] ?? '')),
    names,
  );
  return `/${[...head, '*', ...tail].join('/')}`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles a pattern to a RegExp over the URL path. */
export function compileUrlPattern(pattern: string): RegExp {
  const segments = pattern.split('/').filter(Boolean);
  let source = '^';
  for (const segment of segments) {
    if (segment === '*') source += '(?:/[^/]+)*';
    else if (segment.startsWith(':')) source += '/[^/]+';
    else source += `/${escapeRegExp(segment)}`;
  }
  return new RegExp(`${source}/?$`);
}

export function matchesUrlPattern(pattern: string | RegExp, url: string): boolean {
  const regex = typeof pattern === 'string' ? compileUrlPattern(pattern) : pattern;
  const segments = pathSegments(url);
  return regex.test(`/${segments.join('/')}`) || (segments.length === 0 && regex.test(''));
}
