import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked } from 'marked';
import type { FastifyReply } from 'fastify';
import type { AppInstance } from './app-instance.js';

/** The documentation's Markdown: `<project>/docs`, from `src/http` and `dist/http` alike. */
export const DOCS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');

/** Where the server shows the documentation, linked from Swagger UI (the document's externalDocs). */
export const GUIDE_PATH = '/docs/guide/';

const STYLE = `body{font:16px/1.55 system-ui,sans-serif;margin:0;color:#1a1b1e}main{max-width:860px;margin:0 auto;padding:24px}
pre{background:#f1f3f5;padding:12px;overflow-x:auto;border-radius:6px}code{font-size:.9em}
table{border-collapse:collapse;display:block;overflow-x:auto}th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:left}
a{color:#1c7ed6}nav{background:#1c7ed6;padding:10px 24px}nav a{color:#fff;margin-right:16px;text-decoration:none}`;

/**
 * Serves the documentation pages (docs/*.md, rendered with marked) at /docs/guide/, so the
 * guides are one click from Swagger UI on every instance, with or without a repository at hand.
 * Only the pages present at start are routed; links between them work as they do on GitHub.
 * Returns false when the docs folder is not shipped.
 */
export function registerGuide(app: AppInstance, dir = DOCS_DIR): boolean {
  if (!existsSync(path.join(dir, 'README.md'))) return false;
  const pages = new Set(readdirSync(dir).filter((name) => name.endsWith('.md')));
  const marked = new Marked({ gfm: true });
  const rendered = new Map<string, string>();
  const render = (name: string) => {
    let html = rendered.get(name);
    if (html === undefined) {
      const markdown = readFileSync(path.join(dir, name), 'utf8');
      const title = (/^#\s+(.+)$/m.exec(markdown)?.[1] ?? 'Siteprint').replace(/[<>&`]/g, '');
      html =
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${title} · Siteprint docs</title><link rel="stylesheet" href="guide.css"></head>` +
        `<body><nav><a href="./">Siteprint docs</a><a href="/docs/">API reference</a><a href="/">Dashboard</a></nav>` +
        `<main>${marked.parse(markdown, { async: false })}</main></body></html>`;
      rendered.set(name, html);
    }
    return html;
  };
  const page = (name: string, reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(render(name));
  const hidden = { schema: { hide: true } };
  app.get(GUIDE_PATH, hidden, (_request, reply) => page('README.md', reply));
  app.get(`${GUIDE_PATH}guide.css`, hidden, (_request, reply) => reply.type('text/css; charset=utf-8').send(STYLE));
  app.get<{ Params: { page: string } }>(`${GUIDE_PATH}:page`, hidden, (request, reply) =>
    pages.has(request.params.page) ? page(request.params.page, reply) : reply.callNotFound(),
  );
  return true;
}
