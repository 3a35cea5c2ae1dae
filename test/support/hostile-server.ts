import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';

/**
 * A loopback web server that misbehaves in every way a real site can: slow, endless or
 * malicious redirects, oversized and compressed-bomb bodies, wrong charsets, binary content,
 * error statuses, broken and absurdly deep HTML.
 */
/**
 * 200 MB of spaces, gzipped once before the server listens: compressing it while a fetch waited took
 * seconds on a loaded machine, long enough for the fetch to time out instead of hitting the cap.
 */
let bomb: Buffer | undefined;
function gzipBomb(): Buffer {
  return (bomb ??= gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20)));
}

export class HostileServer {
  private server?: Server;
  url = '';
  /** Requests seen per path, to check retries and politeness. */
  readonly hits = new Map<string, number[]>();

  async start(): Promise<this> {
    gzipBomb();
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const times = this.hits.get(url.pathname) ?? [];
      times.push(Date.now());
      this.hits.set(url.pathname, times);
      this.route(url, times.length, response);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private route(url: URL, hit: number, response: ServerResponse): void {
    const html = (body: string, headers: Record<string, string> = {}): void =>
      void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
    switch (url.pathname) {
      case '/ok':
        return html('<html><head><title>Fine</title></head><body><h1>Café</h1></body></html>', { etag: '"v1"' });
      case '/conditional':
        if (response.req.headers['if-none-match'] === '"v1"') return void response.writeHead(304).end();
        return html('<p>fresh</p>', { etag: '"v1"' });
      case '/slow':
        return void setTimeout(() => html('<p>late</p>'), 3_000);
      case '/loop':
        return void response.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` }).end();
      case '/to':
        return void response.writeHead(301, { location: url.searchParams.get('target') ?? '/' }).end();
      case '/huge':
        response.writeHead(200, { 'content-type': 'text/html' });
        response.write('<html><body>');
        for (let i = 0; i < 64; i++) response.write('x'.repeat(64 * 1024));
        return void response.end('</body></html>');
      case '/gzip-bomb':
        return void response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipBomb());
      case '/brotli':
        return void response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'br' })
          .end(brotliCompressSync(Buffer.from('<p>compressed ünïcode</p>')));
      case '/latin1-header':
        return void response
          .writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' })
          .end(iconv.encode('<p>Señor Müller</p>', 'latin1'));
      case '/shift-jis-meta':
        return void response
          .writeHead(200, { 'content-type': 'text/html' })
          .end(iconv.encode('<html><head><meta charset="shift_jis"></head><body>日本語のページ</body></html>', 'shift_jis'));
      case '/wrong-charset':
        // Declares windows-1252 in the header but the bytes start with a UTF-8 byte-order mark.
        return void response
          .writeHead(200, { 'content-type': 'text/html; charset=windows-1252' })
          .end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<p>Zürich €</p>')]));
      case '/binary':
        return void response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0, 1, 2, 3, 0, 255]));
      case '/png-as-html':
        return void response.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
      case '/missing':
        return void response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
      case '/flaky':
        if (hit < 3) return void response.writeHead(503, { 'retry-after': '0' }).end('busy');
        return html('<p>third time</p>');
      case '/rate-limited':
        if (hit === 1) return void response.writeHead(429, { 'retry-after': '1' }).end('slow down');
        return html('<p>thanks for waiting</p>');
      case '/always-500':
        return void response.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Oops</h1>');
      case '/broken':
        return html('<html><body><div><p>unclosed <b>tags <table><tr><td>cell</div></body>');
      case '/deep':
        return html(`<html><body>${'<div>'.repeat(10_000)}bottom${'</div>'.repeat(10_000)}</body></html>`);
      case '/robots.txt':
        return void response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private\n');
      case '/private':
        return html('<p>crawlers keep out</p>');
      default:
        return void response.writeHead(404).end();
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
