// Fingerprinting speed over real article pages, against plain HTML parsing in the same run.
// usage: npm run bench:fingerprint -- <path to readability-dev>
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'htmlparser2';
import { fingerprintPage } from '../src/engine/index.js';

const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error('usage: npm run bench:fingerprint -- <path to readability-dev>');
  process.exit(2);
}
const pages = readdirSync(dir)
  .filter((name) => existsSync(path.join(dir, name, 'source.html')))
  .map((name) => ({ name, html: readFileSync(path.join(dir, name, 'source.html'), 'utf8') }));

function timed<T>(work: () => T): [T, number] {
  const started = performance.now();
  const result = work();
  return [result, performance.now() - started];
}

// Compiling the signature database happens once per process; it is reported, not averaged in.
const [, compileMs] = timed(() => fingerprintPage({ url: 'https://warm-up.example/', html: '<html></html>' }));

const errors: string[] = [];
let detected = 0;
const [, fingerprintMs] = timed(() => {
  for (const page of pages) {
    try {
      detected += fingerprintPage({ url: `https://${page.name}.example/`, html: page.html }).technologies.length;
    } catch (error) {
      errors.push(`${page.name}: ${(error as Error).message}`);
    }
  }
});
const [, parseMs] = timed(() => {
  for (const page of pages) parseDocument(page.html);
});

const perPage = fingerprintMs / pages.length;
console.log(`pages                      ${pages.length}`);
console.log(`errors                     ${errors.length}${errors.length ? `\n  ${errors.join('\n  ')}` : ''}`);
console.log(`technologies detected      ${detected} (${(detected / pages.length).toFixed(1)} per page)`);
console.log(`signature compile (once)   ${compileMs.toFixed(0)} ms`);
console.log(`fingerprint                ${perPage.toFixed(1)} ms/page`);
console.log(`baseline: parse only       ${(parseMs / pages.length).toFixed(1)} ms/page`);
console.log(`ratio fingerprint / parse  ${(fingerprintMs / parseMs).toFixed(1)}×`);
process.exit(errors.length ? 1 : 0);
