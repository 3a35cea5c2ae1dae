// Fingerprinting speed over real article pages: in this process against plain HTML parsing of
// the same pages, and through `siteprint fingerprint --file` (one process a page) against
// `node -e ''`, all in the same run.
// usage: npm run bench:fingerprint -- <path to readability-dev> [--cli-pages 7] [--baseline <root of another build>]
// With --baseline (e.g. an older checkout, built), its CLI is timed on the same pages and must
// print the same technologies.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDocument } from 'htmlparser2';
import { fingerprintPage } from '../src/engine/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'cli-pages': { type: 'string', default: '7' }, baseline: { type: 'string' } },
});
const dir = positionals[0];
if (!dir || !existsSync(dir)) {
  console.error('usage: npm run bench:fingerprint -- <path to readability-dev> [--cli-pages 7] [--baseline <root of another build>]');
  process.exit(2);
}
const pages = readdirSync(dir)
  .filter((name) => existsSync(path.join(dir, name, 'source.html')))
  .map((name) => ({ name, file: path.join(dir, name, 'source.html'), html: readFileSync(path.join(dir, name, 'source.html'), 'utf8') }));

function timed<T>(work: () => T): [T, number] {
  const started = performance.now();
  const result = work();
  return [result, performance.now() - started];
}
const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;

// Loading the signature database happens once per process; it is reported, not averaged in.
const [, compileMs] = timed(() => fingerprintPage({ url: 'https://warm-up.example/', html: '<html></html>' }));

interface Pass {
  perPageMs: number[];
  cpuPerPageMs: number;
  detected: number;
}
// A set: a page failing in every pass is one error.
const errors = new Set<string>();
/** One fingerprint of every page, timed page by page; CPU too, since on a shared machine wall time mostly measures the other load. */
function pass(): Pass {
  const perPageMs: number[] = [];
  let detected = 0;
  const cpuBefore = process.cpuUsage();
  for (const page of pages) {
    try {
      const [fingerprint, ms] = timed(() => fingerprintPage({ url: `https://${page.name}.example/`, html: page.html }));
      detected += fingerprint.technologies.length;
      perPageMs.push(ms);
    } catch (error) {
      errors.add(`${page.name}: ${(error as Error).message}`);
    }
  }
  const cpuUsed = process.cpuUsage(cpuBefore);
  return { perPageMs, cpuPerPageMs: (cpuUsed.user + cpuUsed.system) / 1000 / pages.length, detected };
}
const mean = (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0) / numbers.length;
// The first pass also compiles each technology's patterns the first time a page can match them
// (compiled per technology, on demand); later passes are what a running server pays per page.
const first = pass();
const steady = [pass(), pass(), pass()];
const steadyMeans = steady.map((run) => mean(run.perPageMs));
const [, parseMs] = timed(() => {
  for (const page of pages) parseDocument(page.html);
});

// One process per page, as `siteprint fingerprint --file` runs; the pages are spread over the set.
const cliPages = pages
  .filter((_, index) => index % Math.max(1, Math.floor(pages.length / Number(values['cli-pages']))) === 0)
  .slice(0, Number(values['cli-pages']));
const builds = [
  { name: 'CLI, this build', root: process.cwd() },
  ...(values.baseline ? [{ name: 'CLI, baseline build', root: path.resolve(values.baseline) }] : []),
];
const cliMs = new Map<string, number[]>([["node -e ''", []], ...builds.map(({ name }) => [name, []] as [string, number[]])]);
const cliCpuMs = new Map<string, number[]>([...cliMs.keys()].map((name) => [name, []]));
// Each child reports its own CPU time (user + system) on exit, on the last line of stderr.
const reportCpu = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\ncpu '+(u.user+u.system)/1000)})`;
const cpuOf = (stderr: string) => Number(/cpu ([\d.]+)$/.exec(stderr)?.[1] ?? NaN);
for (const page of cliPages) {
  const outputs: string[] = [];
  const [node, nodeMs] = timed(() => spawnSync(process.execPath, ['--import', reportCpu, '-e', ''], { encoding: 'utf8' }));
  cliMs.get("node -e ''")!.push(nodeMs);
  cliCpuMs.get("node -e ''")!.push(cpuOf(node.stderr));
  for (const build of builds) {
    const [result, ms] = timed(() =>
      spawnSync(
        process.execPath,
        [
          '--import',
          reportCpu,
          path.join(build.root, 'dist/cli/main.js'),
          'fingerprint',
          '--file',
          page.file,
          '--url',
          `https://${page.name}.example/`,
        ],
        { encoding: 'utf8' },
      ),
    );
    if (result.status !== 0) errors.add(`${build.name} on ${page.name}: exit ${result.status}: ${result.stderr}`);
    cliMs.get(build.name)!.push(ms);
    cliCpuMs.get(build.name)!.push(cpuOf(result.stderr));
    outputs.push(result.stdout);
  }
  if (outputs.some((output) => output !== outputs[0])) errors.add(`${page.name}: the builds found different technologies`);
}

const describe = (run: Pass) =>
  `${mean(run.perPageMs).toFixed(1)} ms/page (median ${median(run.perPageMs).toFixed(1)}, slowest ${Math.max(...run.perPageMs).toFixed(1)}), CPU ${run.cpuPerPageMs.toFixed(1)} ms/page`;
const steadyRun = steady[steadyMeans.indexOf(median(steadyMeans))]!;
console.log(`pages                          ${pages.length}`);
console.log(`errors                         ${errors.size}${errors.size ? `\n  ${[...errors].join('\n  ')}` : ''}`);
console.log(`technologies detected          ${first.detected} (${(first.detected / pages.length).toFixed(1)} per page)`);
console.log(`signature load (once)          ${compileMs.toFixed(0)} ms`);
console.log(`in process, first pass         ${describe(first)}`);
console.log(
  `in process, later passes       ${describe(steadyRun)} (the median of 3 passes; means ${steadyMeans.map((ms) => ms.toFixed(1)).join(', ')})`,
);
console.log(`baseline: parse only           ${(parseMs / pages.length).toFixed(1)} ms/page`);
console.log(`ratio later pass / parse       ${(mean(steadyRun.perPageMs) / (parseMs / pages.length)).toFixed(1)}×`);
const nodeMs = median(cliMs.get("node -e ''")!);
for (const [name, times] of cliMs) {
  console.log(
    `${`${name}, median of ${times.length}`.padEnd(30)} ${median(times).toFixed(0)} ms/page (${(median(times) / nodeMs).toFixed(1)}× node -e ''), CPU ${median(cliCpuMs.get(name)!).toFixed(0)} ms`,
  );
}
process.exit(errors.size ? 1 : 0);
