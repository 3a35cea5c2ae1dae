import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small bookshop served over HTTP on loopback, for end-to-end tests of the pipeline: a home
 * page, two category listings, a product page per book, robots.txt and sitemap.xml. Its
 * template can be switched to a redesigned one, as real sites do, to exercise repairs.
 */
export interface Book {
  id: string;
  title: string;
  author: string;
  isbn: string;
  publisher: string;
  published: string;
  price: string;
  category: 'fiction' | 'history';
}

const authors = ['Ada Palmer', 'Ted Chiang', 'Mary Beard', 'Hilary Mantel', 'Ken Liu', 'Robert Caro', 'N. K. Jemisin', 'Tom Holland'];
const publishers = ['Tor Books', 'Penguin Press', 'Knopf', 'Orbit', 'Vintage'];
const words = ['Silent', 'Empire', 'River', 'Glass', 'Winter', 'Atlas', 'Crown', 'Harbor', 'Ember', 'Meridian', 'Lantern', 'Orchard'];

function isbn13(seed: number): string {
  const body = `978${String(1000000000 + seed * 7919).slice(-9)}`;
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * (i % 2 ? 3 : 1), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

export function fixtureBooks(count = 16): Book[] {
  return Array.from({ length: count }, (_, i) => ({
    id: isbn13(i + 1),
    title: `The ${words[i % words.length]} of ${words[(i * 5 + 3) % words.length]}`,
    author: authors[i % authors.length]!,
    isbn: isbn13(i + 1),
    publisher: publishers[i % publishers.length]!,
    published: `20${10 + (i % 14)}-0${1 + (i % 9)}-1${i % 10}`,
    price: `$${(9 + i * 1.25).toFixed(2)}`,
    category: i % 2 ? 'history' : 'fiction',
  }));
}

const layout = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} | Quire Books</title>
<link rel="stylesheet" href="/assets/site.css"><script src="/assets/jquery-3.7.1.min.js"></script></head>
<body><header class="site-header"><a href="/" class="logo">Quire Books</a>
<nav><a href="/category/fiction">Fiction</a> <a href="/category/history">History</a></nav></header>
<main>${body}</main><footer class="site-footer">© Quire Books · <a href="/about">About</a></footer></body></html>`;

export const blurbOf = (book: Book) => `A novel about ${book.title.toLowerCase()}, told with care.`;

function productPage(book: Book, redesigned: boolean): string {
  if (redesigned) {
    // The redesign renames every class, turns the detail table into a definition list, and keeps the
    // blurb only in an attribute a script expands (no text for heuristics to match; an LLM can point at it).
    return layout(
      book.title,
      `<article class="pdp"><div class="pdp__head"><h2 class="pdp__name">${book.title}</h2>
<p class="pdp__by">Written by <span class="pdp__writer">${book.author}</span></p></div>
<div class="pdp__buy"><b class="pdp__cost">${book.price}</b><button>Buy</button></div>
<dl class="pdp__facts"><dt>Publisher</dt><dd>${book.publisher}</dd><dt>Released</dt><dd>${book.published}</dd>
<dt>ISBN-13</dt><dd>${book.isbn}</dd><dt>Pages</dt><dd>${300 + (Number(book.isbn.slice(-3)) % 200)}</dd></dl>
<div class="pdp__story" data-text="${blurbOf(book)}"><button>Read more</button></div></article>`,
    );
  }
  return layout(
    book.title,
    `<div class="product"><h1 class="product-title">${book.title}</h1>
<div class="byline">by <a class="author" href="/author/${encodeURIComponent(book.author)}">${book.author}</a></div>
<p class="price">${book.price}</p><button class="add-to-cart">Add to cart</button>
<table class="details"><tr><th>Publisher:</th><td>${book.publisher}</td></tr>
<tr><th>Publication date:</th><td>${book.published}</td></tr><tr><th>ISBN-13:</th><td>${book.isbn}</td></tr>
<tr><th>Format:</th><td>Paperback</td></tr></table>
<section class="description"><h2>About this book</h2><p>${blurbOf(book)}</p></section></div>`,
  );
}

function categoryPage(name: string, books: Book[], redesigned: boolean): string {
  if (redesigned) {
    // The redesign turns the list of cards into a grid of tiles: new elements, new classes, new order; the
    // publisher moves into an attribute (no text for heuristics to match; an LLM can point at it).
    const tiles = books
      .map(
        (book) =>
          `<div class="tile"><strong class="tile__cost">${book.price}</strong><h3 class="tile__name"><a href="/product/${book.id}">${book.title}</a></h3><p class="tile__by">${book.author}</p><span class="tile__meta" data-house="${book.publisher}"></span></div>`,
      )
      .join('\n');
    return layout(`${name} books`, `<h1>${name}</h1><section class="shelf">${tiles}</section>`);
  }
  const items = books
    .map(
      (book) =>
        `<li class="book-card"><a href="/product/${book.id}">${book.title}</a> <span class="card-author">${book.author}</span> <span class="card-publisher">${book.publisher}</span> <span class="card-price">${book.price}</span></li>`,
    )
    .join('\n');
  return layout(`${name} books`, `<h1>${name}</h1><ul class="book-grid">${items}</ul>`);
}

export class FixtureShop {
  readonly books = fixtureBooks();
  redesigned = false;
  /** Milliseconds every page waits before answering, to catch work in the middle. */
  delayMs = 0;
  /** Extra response headers on every answer, e.g. ones that reveal a technology but not its version. */
  headers: Record<string, string> = {};
  /** Paths requested so far, in order. */
  readonly requests: string[] = [];
  private server?: Server;
  url = '';

  /** Listens on `port` (0: any free port); a stopped shop can start again on its old port to come back up. */
  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      this.requests.push(path);
      const send = (status: number, type: string, body: string) => {
        setTimeout(
          () => response.writeHead(status, { 'content-type': type, server: 'nginx/1.25.3', ...this.headers }).end(body),
          this.delayMs,
        );
      };
      if (path === '/robots.txt') return send(200, 'text/plain', `User-agent: *\nDisallow: /cart\nSitemap: ${this.url}/sitemap.xml\n`);
      if (path === '/sitemap.xml') {
        const urls = ['/', '/category/fiction', '/category/history', ...this.books.map((book) => `/product/${book.id}`)];
        return send(
          200,
          'application/xml',
          `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map((url) => `<url><loc>${this.url}${url}</loc></url>`).join('')}</urlset>`,
        );
      }
      if (path === '/') {
        const latest = this.books
          .slice(0, 4)
          .map((book) => `<li><a href="/product/${book.id}">${book.title}</a></li>`)
          .join('');
        return send(
          200,
          'text/html; charset=utf-8',
          layout('Home', `<h1>Welcome to Quire Books</h1><h2>New arrivals</h2><ul>${latest}</ul>`),
        );
      }
      const category = /^\/category\/(fiction|history)$/.exec(path);
      if (category) {
        const name = category[1]!;
        return send(
          200,
          'text/html; charset=utf-8',
          categoryPage(
            name[0]!.toUpperCase() + name.slice(1),
            this.books.filter((book) => book.category === name),
            this.redesigned,
          ),
        );
      }
      const product = /^\/product\/(\d+)$/.exec(path);
      const book = product && this.books.find((candidate) => candidate.id === product[1]);
      if (book) return send(200, 'text/html; charset=utf-8', productPage(book, this.redesigned));
      if (path.startsWith('/assets/')) return send(200, path.endsWith('.css') ? 'text/css' : 'application/javascript', '/* asset */');
      return send(404, 'text/html', layout('Not found', '<h1>Not found</h1>'));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  productUrl(book: Book): string {
    return `${this.url}/product/${book.id}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
