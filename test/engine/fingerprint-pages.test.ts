import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintPage, fingerprintSite, type PageSignals } from '../../src/engine/index.js';
import { runCli } from '../support/cli.js';

// expected.json was recorded with the signature matching as it was before its compilation was
// made faster; the pages cover every kind of evidence (headers, cookies, meta, scripts, script
// URLs, HTML, text, URL, DOM selectors, JavaScript globals), versions, implications and exclusions.
const fixtures = path.join(import.meta.dirname, '../fixtures/fingerprint');
const manifest = JSON.parse(readFileSync(path.join(fixtures, 'pages.json'), 'utf8')) as Record<string, Omit<PageSignals, 'html'>>;
const pages = Object.entries(manifest).map(([file, signals]) => ({
  file,
  signals: { ...signals, html: readFileSync(path.join(fixtures, file), 'utf8') },
}));
const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as {
  pages: Record<string, ReturnType<typeof fingerprintPage>['technologies']>;
  site: ReturnType<typeof fingerprintSite>['technologies'];
};

describe('fingerprints of several pages', () => {
  it.each(pages.map(({ file, signals }) => [file, signals] as const))(
    '%s: the same technologies, versions and confidences as before',
    (file, signals) => {
      expect(fingerprintPage(signals).technologies).toEqual(expected.pages[file]);
    },
  );

  it('the same fingerprint for the pages as one site', () => {
    expect(fingerprintSite(pages.map(({ signals }) => signals)).technologies).toEqual(expected.site);
  });

  it('the same fingerprint through `siteprint fingerprint --file`', async () => {
    const { file, signals } = pages[0]!;
    const dir = mkdtempSync(path.join(tmpdir(), 'siteprint-fingerprint-'));
    writeFileSync(path.join(dir, 'headers.json'), JSON.stringify(signals.headers));
    const result = await runCli([
      'fingerprint',
      '--file',
      path.join(fixtures, file),
      '--url',
      signals.url,
      '--headers',
      path.join(dir, 'headers.json'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).technologies).toEqual(expected.pages[file]);
  });

  it('the same fingerprint through the CLI with its signature cache new, reused and damaged', async () => {
    const { file, signals } = pages[1]!;
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'siteprint-signature-cache-'));
    const headers = path.join(mkdtempSync(path.join(tmpdir(), 'siteprint-fingerprint-')), 'headers.json');
    writeFileSync(headers, JSON.stringify(signals.headers ?? {}));
    const run = () =>
      runCli(['fingerprint', '--file', path.join(fixtures, file), '--url', signals.url, '--headers', headers], {
        SITEPRINT_CACHE_DIR: cacheDir,
      });
    const expectedOutput = { technologies: expected.pages[file] };
    expect(JSON.parse((await run()).stdout)).toEqual(expectedOutput); // compiles, writes the cache
    const [cacheFile] = readdirSync(cacheDir).map((name) => path.join(cacheDir, name));
    const written = readFileSync(cacheFile!, 'utf8');
    expect(JSON.parse((await run()).stdout)).toEqual(expectedOutput); // reads it
    truncateSync(cacheFile!, written.length - 1000);
    expect(JSON.parse((await run()).stdout)).toEqual(expectedOutput); // compiles again, repairs it
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(readFileSync(cacheFile!, 'utf8')).toBe(written);
  });
});
