// Time from process start to a ready server (`GET /health/ready` answers 200), on a fresh data
// directory (the first start: creating the database, applying every migration) and then on that
// existing directory, which is what a restart costs. `node -e ''` is the baseline of the same run.
// usage: npm run bench:start -- [--runs 5] [--baseline <root of another build, e.g. an older checkout>]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, baseline: { type: 'string' } } });
const runs = Number(values.runs);
const builds = [
  { name: 'this build', root: process.cwd() },
  ...(values.baseline ? [{ name: 'baseline build', root: path.resolve(values.baseline) }] : []),
];

interface Start {
  wallMs: number;
  /** CPU time of the server process until ready (user + system), less sensitive than wall time to other load. */
  cpuMs: number;
}

/** CPU time of a running process in ms, from /proc (Linux). */
function cpuTimeOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function startToReady(root: string, dataDir: string): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    for (;;) {
      const url = /Siteprint is running at (http:\/\/[^"\s]+)/.exec(output)?.[1];
      if (url) {
        const ready = await fetch(`${url}/health/ready`).then(
          (response) => response.status === 200,
          () => false,
        );
        if (ready) return { wallMs: performance.now() - started, cpuMs: cpuTimeOf(child.pid!) };
      }
      if (child.exitCode !== null) throw new Error(`the server exited before it was ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function nodeStart(): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return { wallMs: performance.now() - started, cpuMs: 0 };
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;
const results = new Map<string, Start[]>();
const record = (name: string, start: Start) => results.set(name, [...(results.get(name) ?? []), start]);

const dataDirs = builds.map(() => mkdtempSync(path.join(tmpdir(), 'siteprint-bench-start-')));
try {
  // The first start of each build makes its data directory; the later ones reuse it. Builds and
  // the baseline alternate, so load from elsewhere on the machine weighs on all of them alike.
  for (const [index, build] of builds.entries())
    record(`${build.name}: first start (new data dir)`, await startToReady(build.root, dataDirs[index]!));
  for (let run = 0; run < runs; run++) {
    record("node -e '' (baseline)", await nodeStart());
    for (const [index, build] of builds.entries())
      record(`${build.name}: restart (existing data dir)`, await startToReady(build.root, dataDirs[index]!));
  }
} finally {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

const nodeMs = median(results.get("node -e '' (baseline)")!.map((start) => start.wallMs));
console.log(`${'measure'.padEnd(48)} ${'wall (median)'.padStart(14)} ${'× node -e'.padStart(10)} ${'CPU (median)'.padStart(13)}`);
for (const [name, starts] of results) {
  const wall = median(starts.map((start) => start.wallMs));
  const cpu = median(starts.map((start) => start.cpuMs));
  console.log(
    `${name.padEnd(48)} ${`${wall.toFixed(0)} ms`.padStart(14)} ${`${(wall / nodeMs).toFixed(1)}×`.padStart(10)} ${cpu ? `${cpu.toFixed(0)} ms`.padStart(13) : ''}`,
  );
}
console.log(`runs: ${runs} (first starts: 1 each)`);
