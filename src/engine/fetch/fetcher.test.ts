import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostileServer } from '../../../test/support/hostile-server.js';
import { guardedLookup, isBlockedAddress } from './address-guard.js';
import { FetchError } from './errors.js';
import { Fetcher, type FetcherOptions } from './fetcher.js';
import { discoverPageTypes } from '../discover/index.js';
import { fingerprintPage } from '../fingerprint/index.js';

let server: HostileServer;
beforeAll(async () => {
  server = await new HostileServer().start();
});
afterAll(() => server.stop());

/** The fixture lives on 127.0.0.1; only that exact address is let through, as if it were public. */
const onlyFixtureIsPublic = (address: string) => address !== '127.0.0.1';
const fetcher = (options: FetcherOptions = {}) =>
  new Fetcher({ isBlockedAddress: onlyFixtureIsPublic, hostDelayMs: 0, timeoutMs: 2_000, ...options });

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

describe('address guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
  ])('refuses %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows public %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });
});

describe('guardedLookup', () => {
  const lookup = (addresses: Array<{ address: string; family: number }>, family?: number) =>
    new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(async () => addresses)('host.test', family ? { family } : {}, (error, address, resolvedFamily) =>
        resolve({ error, address, family: resolvedFamily }),
      ),
    );

  it('hands the socket the address it checked', async () => {
    expect(await lookup([{ address: '93.184.216.34', family: 4 }])).toEqual({ error: null, address: '93.184.216.34', family: 4 });
  });

  it('answers with the other family when the host has no address of the asked one', async () => {
    expect(await lookup([{ address: '2606:4700:4700::1111', family: 6 }], 4)).toEqual({
      error: null,
      address: '2606:4700:4700::1111',
      family: 6,
    });
  });

  it('fails with blocked_address for an internal answer', async () => {
    const { error } = await lookup([{ address: '::ffff:10.0.0.1', family: 6 }]);
    expect((error as Error & { code?: string }).code).toBe('blocked_address');
  });
});

describe('SSRF protection', () => {
  it('is on by default: loopback is refused', async () => {
    const error = await failure(new Fetcher({ hostDelayMs: 0 }).fetch(`${server.url}/ok`));
    expect(error.code).toBe('blocked_address');
  });

  it.each([
    ['169.254.169.254', 4],
    ['127.0.0.1', 4],
    ['::ffff:127.0.0.1', 6],
    ['::1', 6],
  ])('refuses a hostname once DNS resolves it to %s', async (address, family) => {
    const plain = new Fetcher({ hostDelayMs: 0, resolver: async () => [{ address, family }] });
    const error = await failure(plain.fetch('http://metadata.attacker.test/latest/meta-data/'));
    expect(error.code).toBe('blocked_address');
    expect(error.message).toContain(address);
  });

  it('refuses a hostname when one of its addresses is private, even if another is public', async () => {
    const resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    const error = await failure(new Fetcher({ hostDelayMs: 0, resolver }).fetch('http://mixed.attacker.test/'));
    expect(error.code).toBe('blocked_address');
  });

  it.each([
    ['a loopback address', '127.0.0.2'],
    ['the cloud metadata address', '169.254.169.254'],
  ])('refuses a redirect to %s', async (_, address) => {
    const error = await failure(fetcher().fetch(`${server.url}/to?target=${encodeURIComponent(`http://${address}/latest`)}`));
    expect(error.code).toBe('blocked_address');
  });

  it('refuses a redirect to a hostname that resolves to a blocked address', async () => {
    const resolver = async (host: string) => [{ address: host === 'internal.test' ? '10.0.0.5' : '127.0.0.1', family: 4 }];
    const error = await failure(
      fetcher({ resolver }).fetch(`http://fixture.test:${new URL(server.url).port}/to?target=http://internal.test/`),
    );
    expect(error.code).toBe('blocked_address');
  });

  it('is lifted by allowPrivateNetwork', async () => {
    const result = await new Fetcher({ allowPrivateNetwork: true, hostDelayMs: 0 }).fetch(`${server.url}/ok`);
    expect(result.status).toBe(200);
  });
});

describe('fetching hostile sites', () => {
  it('fetches and decodes a normal page with its validators', async () => {
    const result = await fetcher().fetch(`${server.url}/ok`);
    expect(result).toMatchObject({ status: 200, finalUrl: `${server.url}/ok`, etag: '"v1"', rendered: false });
    expect(result.html).toContain('Café');
  });

  it('sends validators back and gets 304 when nothing changed', async () => {
    const result = await fetcher().fetch(`${server.url}/conditional`, { etag: '"v1"' });
    expect(result.status).toBe(304);
    expect(result.html).toBe('');
  });

  it('times out on a slow server', async () => {
    const error = await failure(fetcher({ timeoutMs: 300 }).fetch(`${server.url}/slow`));
    expect(error.code).toBe('timeout');
  });

  it('stops endless redirects', async () => {
    const error = await failure(fetcher().fetch(`${server.url}/loop`));
    expect(error.code).toBe('too_many_redirects');
  });

  it('caps the body size and the decompressed size of a gzip bomb', async () => {
    expect((await failure(fetcher({ maxBytes: 1024 * 1024 }).fetch(`${server.url}/huge`))).code).toBe('body_too_large');
    const bomb = await failure(fetcher().fetch(`${server.url}/gzip-bomb`));
    expect(bomb.code).toBe('body_too_large');
    expect(bomb.message).toMatch(/decompressed/);
  });

  it('decodes brotli and every charset declaration to UTF-8', async () => {
    const f = fetcher();
    expect((await f.fetch(`${server.url}/brotli`)).html).toContain('compressed ünïcode');
    expect((await f.fetch(`${server.url}/latin1-header`)).html).toContain('Señor Müller');
    expect((await f.fetch(`${server.url}/shift-jis-meta`)).html).toContain('日本語のページ');
    expect((await f.fetch(`${server.url}/wrong-charset`)).html).toContain('Zürich €');
  });

  it('refuses binary content, even when it claims to be HTML', async () => {
    expect((await failure(fetcher().fetch(`${server.url}/binary`))).code).toBe('not_html');
    expect((await failure(fetcher().fetch(`${server.url}/png-as-html`))).code).toBe('not_html');
  });

  it('returns 404 and persistent 500 answers for the caller to judge', async () => {
    expect((await fetcher().fetch(`${server.url}/missing`)).status).toBe(404);
    expect((await fetcher({ retries: 1 }).fetch(`${server.url}/always-500`)).status).toBe(500);
  });

  it('retries 503 and honours Retry-After on 429', async () => {
    expect((await fetcher().fetch(`${server.url}/flaky`)).html).toContain('third time');
    const started = Date.now();
    expect((await fetcher().fetch(`${server.url}/rate-limited`)).html).toContain('thanks for waiting');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('respects robots.txt', async () => {
    const error = await failure(fetcher().fetch(`${server.url}/private`));
    expect(error.code).toBe('robots_disallowed');
    expect((await fetcher({ respectRobots: false }).fetch(`${server.url}/private`)).status).toBe(200);
  });

  it('respects robots.txt of redirect targets, on the same site and on another', async () => {
    expect((await failure(fetcher().fetch(`${server.url}/to?target=/private`))).code).toBe('robots_disallowed');
    const other = await new HostileServer().start();
    try {
      // Two hops into the other site: its robots.txt is read while the first host's slot is held.
      const error = await failure(
        fetcher({ hostConcurrency: 1 }).fetch(`${server.url}/to?target=${encodeURIComponent(`${other.url}/to?target=/private`)}`),
      );
      expect(error.code).toBe('robots_disallowed');
      expect(error.message).toContain(other.url);
      expect((await fetcher().fetch(`${server.url}/to?target=${encodeURIComponent(`${other.url}/ok`)}`)).finalUrl).toBe(`${other.url}/ok`);
    } finally {
      await other.stop();
    }
  });

  it('returns broken and 10 000-deep HTML as it is, and stays healthy', async () => {
    expect((await fetcher().fetch(`${server.url}/broken`)).html).toContain('unclosed');
    expect((await fetcher().fetch(`${server.url}/deep`)).html).toContain('bottom');
    expect((await fetcher().fetch(`${server.url}/ok`)).status).toBe(200);
  });

  it('fingerprints and discovers broken and 10 000-deep pages without overflowing the stack', async () => {
    const pages = await Promise.all(['/broken', '/deep'].map((path) => fetcher().fetch(`${server.url}${path}`)));
    for (const page of pages)
      expect(fingerprintPage({ url: page.finalUrl, html: page.html, headers: page.headers }).technologies).toBeInstanceOf(Array);
    const types = discoverPageTypes(pages.map((page) => ({ url: page.finalUrl, html: page.html })));
    expect(types.flatMap((type) => type.urls).sort()).toEqual(pages.map((page) => page.finalUrl).sort());
  });

  it('is polite: one host gets its requests one at a time, spaced by the delay', async () => {
    const before = server.hits.get('/ok')?.length ?? 0;
    const polite = fetcher({ hostConcurrency: 1, hostDelayMs: 250 });
    await Promise.all([1, 2, 3].map((n) => polite.fetch(`${server.url}/ok?n=${n}`)));
    const times = server.hits.get('/ok')!.slice(before);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(240);
  });

  it('refuses URLs that are not http or https', async () => {
    expect((await failure(fetcher().fetch('file:///etc/passwd'))).code).toBe('unsupported_url');
    expect((await failure(fetcher().fetch('not a url'))).code).toBe('unsupported_url');
  });
});
