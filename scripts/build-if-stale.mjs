// `npm start` runs this before the server: it builds the server (tsc) and the dashboard (vite)
// only when their sources changed since the last build, so a restart does not pay for two
// full builds. A fresh clone has no dist/ and builds both. After a change of Node.js it also
// makes sure the native addons load (see nativeAddons).
//
// Plain JavaScript on purpose: it runs on every start, and loading a TypeScript runner would
// cost more than the check itself.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampFile = path.join(root, 'dist', '.build-stamp.json');

// What each build reads. The lock file stands for the installed dependencies and their types.
const targets = {
  server: {
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'],
    output: 'dist/cli/main.js',
    script: 'build:server',
  },
  web: {
    inputs: ['web/src', 'web/public', 'web/index.html', 'web/tsconfig.json', 'web/vite.config.ts', 'package-lock.json'],
    output: 'dist/web/index.html',
    script: 'build:web',
  },
};

/** The files of an input: itself, or everything under it when it is a directory. */
function filesOf(input) {
  const absolute = path.join(root, input);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [input];
  return readdirSync(absolute, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

/** A hash of the paths and contents of every input: mtimes change on checkout, contents do not. */
function sourceHash(inputs) {
  const hash = createHash('sha256');
  for (const file of [...new Set(inputs.flatMap(filesOf))].sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return {};
  }
}

function npm(...args) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (exit ${code})`))));
  });
}

const run = (script) => npm('run', '--silent', script);

// argon2's prebuilt binary, kept by an install under one Node.js, crashes some others with a bare
// segmentation fault (Debian's Node 20 after an install under Node 24). It loads there and crashes
// at its first hash, so loading proves nothing: once per Node.js version, each native addon does
// some real work in a child process, and is rebuilt for this Node.js when that fails.
const nativeAddons = { argon2: "require('argon2').hash('probe').then(() => undefined)" };

const stamp = readStamp();
if (stamp.node !== process.version) {
  for (const [addon, probe] of Object.entries(nativeAddons)) {
    if (!existsSync(path.join(root, 'node_modules', addon))) continue;
    const works = spawnSync(process.execPath, ['-e', probe], { cwd: root, stdio: 'ignore' }).status === 0;
    if (works) continue;
    console.error(`${addon} does not work on Node.js ${process.version} (installed under another version); rebuilding it…`);
    await npm('rebuild', addon);
  }
  stamp.node = process.version;
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
}
const stale = Object.entries(targets).flatMap(([name, target]) => {
  const hash = sourceHash(target.inputs);
  const current = stamp[name] === hash && existsSync(path.join(root, target.output));
  return current ? [] : [{ name, hash, script: target.script }];
});

if (stale.length) {
  console.error(`Building ${stale.map(({ name }) => name).join(' and ')} (sources changed since the last build)…`);
  // Both at once when both are stale (as `npm run build` does); each build that succeeds is
  // stamped even when the other fails, so the next start redoes only the failed one.
  const results = await Promise.allSettled(
    stale.map(async ({ name, hash, script }) => {
      await run(script);
      stamp[name] = hash;
    }),
  );
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  const failures = results.filter((result) => result.status === 'rejected');
  for (const failure of failures) console.error(failure.reason.message);
  if (failures.length) process.exitCode = 1;
}
