import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import iconv from 'iconv-lite';
import { FetchError } from './errors.js';

/** Counts bytes through a stream and fails it once they pass the cap. */
function byteCap(limit: number, what: string, url: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(new FetchError('body_too_large', `${what} exceeds ${limit} bytes`, url));
      else done(null, chunk);
    },
  });
}

function decompressor(encoding: string | undefined): Transform | null {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * Reads a response body with two caps: on the bytes on the wire and on the bytes after
 * decompression, so a small gzip bomb cannot expand into gigabytes in memory.
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | undefined,
  limits: { maxBytes: number; maxDecodedBytes: number },
  url: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const collect = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      chunks.push(chunk);
      done();
    },
  });
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [body, byteCap(limits.maxBytes, 'the response body', url)];
  const inflate = decompressor(contentEncoding);
  if (inflate) stages.push(inflate, byteCap(limits.maxDecodedBytes, 'the decompressed body', url));
  stages.push(collect);
  try {
    await (pipeline as (...streams: Array<NodeJS.ReadableStream | NodeJS.WritableStream>) => Promise<void>)(...stages);
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError('network', `could not read the body: ${(error as Error).message}`, url);
  }
  return Buffer.concat(chunks);
}

function charsetFromContentType(contentType: string | undefined): string | undefined {
  return /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
}

function charsetFromMeta(head: string): string | undefined {
  return (
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ??
    /<meta[^>]+http-equiv\s*=\s*["']?content-type["']?[^>]*content\s*=\s*["'][^"']*charset=([\w.:-]+)/i.exec(head)?.[1]
  );
}

/**
 * Decodes HTML bytes to a string the way browsers do: a byte-order mark wins, then the
 * Content-Type charset, then a <meta> declaration in the first bytes, then UTF-8.
 */
export function decodeHtml(bytes: Buffer, contentType: string | undefined): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf16be');
  const declared = charsetFromContentType(contentType) ?? charsetFromMeta(bytes.subarray(0, 4096).toString('latin1'));
  const charset = declared && iconv.encodingExists(declared) ? declared : 'utf8';
  return iconv.decode(bytes, charset);
}

/** A body that is binary rather than text: NUL bytes do not occur in HTML. */
export function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 1024).includes(0);
}
