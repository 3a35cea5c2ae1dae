import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** An HTML page handed to the engine: where it came from and its markup. */
export interface PageInput {
  url: string;
  html: string;
  /** File name when the page was read from a directory (CLI and benchmarks). */
  file?: string;
}

const leadingBaseHref = /^\s*(?:<!--[\s\S]*?-->\s*)*<base\s+[^>]*href\s*=\s*["']([^"']+)["']/i;

/** The URL of a saved page when its first element is `<base href="…">` (how crawls record it). */
export function leadingBaseUrl(html: string): string | undefined {
  const href = leadingBaseHref.exec(html.slice(0, 4096))?.[1];
  return href && URL.canParse(href) ? href : undefined;
}

export const PAGE_FILE_PATTERN = /\.html?$/i;

/**
 * Reads every *.htm / *.html file of a directory, sorted by name. A page's URL is its leading
 * `<base href>` when present, else the file's own file:// URL.
 */
export async function readPagesDir(dir: string): Promise<PageInput[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => PAGE_FILE_PATTERN.test(name)).sort();
  } catch (error) {
    throw new Error(`cannot read pages directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (names.length === 0) throw new Error(`no .htm or .html files in ${dir}`);
  return Promise.all(
    names.map(async (file) => {
      const full = path.join(dir, file);
      const html = await readFile(full, 'utf8');
      return { file, html, url: leadingBaseUrl(html) ?? pathToFileURL(path.resolve(full)).href };
    }),
  );
}
