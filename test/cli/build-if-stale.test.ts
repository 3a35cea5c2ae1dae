import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = path.join(import.meta.dirname, '../../scripts/build-if-stale.mjs');

/**
 * A project laid out like this one, whose two builds write what the real ones write (the
 * server's entry point, the dashboard's index.html) and note each run in builds.log, so the test
 * sees which builds `npm start` ran without spending minutes in tsc and vite.
 */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'siteprint-build-'));
  // A source file named broken.tsx makes the build fail, as a compile error would.
  const build = (name: string, output: string, sources: string) =>
    `node -e "const fs=require('fs');fs.appendFileSync('builds.log','${name}\\n');if(fs.existsSync('${sources}/broken.tsx'))process.exit(1);fs.mkdirSync(require('path').dirname('${output}'),{recursive:true});fs.writeFileSync('${output}','')"`;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'fixture',
      private: true,
      scripts: { 'build:server': build('server', 'dist/cli/main.js', 'src'), 'build:web': build('web', 'dist/web/index.html', 'web/src') },
    }),
    'package-lock.json': '{}',
    'tsconfig.json': '{}',
    'tsconfig.build.json': '{}',
    'src/cli/main.ts': 'export {};\n',
    'web/index.html': '<div id="root"></div>\n',
    'web/tsconfig.json': '{}',
    'web/vite.config.ts': 'export default {};\n',
    'web/src/main.tsx': 'export {};\n',
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  mkdirSync(path.join(root, 'scripts'));
  copyFileSync(script, path.join(root, 'scripts/build-if-stale.mjs'));
  return root;
}

async function start(root: string): Promise<{ builds: string[]; code: number }> {
  rmSync(path.join(root, 'builds.log'), { force: true });
  const code = await run(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root }).then(
    () => 0,
    (error: { code: number }) => error.code,
  );
  const log = (() => {
    try {
      return readFileSync(path.join(root, 'builds.log'), 'utf8');
    } catch {
      return '';
    }
  })();
  return { builds: log.split('\n').filter(Boolean).sort(), code };
}

describe('npm start builds only what changed', () => {
  it('builds both on a fresh clone, nothing on a restart, and only the part whose sources changed', async () => {
    const root = project();
    expect(await start(root)).toEqual({ builds: ['server', 'web'], code: 0 });
    expect(await start(root)).toEqual({ builds: [], code: 0 });

    writeFileSync(path.join(root, 'web/src/main.tsx'), 'export const changed = true;\n');
    expect(await start(root)).toEqual({ builds: ['web'], code: 0 });

    writeFileSync(path.join(root, 'src/cli/new-command.ts'), 'export {};\n');
    expect(await start(root)).toEqual({ builds: ['server'], code: 0 });

    // A checkout that rewrites files without changing them (new mtimes) is not a change.
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, 'src/cli/main.ts'), later, later);
    expect(await start(root)).toEqual({ builds: [], code: 0 });

    // New dependencies change the lock file: both builds see them.
    writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    expect(await start(root)).toEqual({ builds: ['server', 'web'], code: 0 });

    // A build output that went missing is rebuilt.
    rmSync(path.join(root, 'dist/cli/main.js'));
    expect(await start(root)).toEqual({ builds: ['server'], code: 0 });
    // Each start runs npm once per build; seven of them take long on a loaded machine.
  }, 240_000);

  it('rebuilds a native addon that loads on this Node.js but crashes when used', async () => {
    const root = project();
    // Like argon2's prebuilt binary on Debian's Node 20: require() succeeds, the first hash dies
    // with a segmentation fault. Its install script (what `npm rebuild` runs) replaces it with a
    // working one, as argon2's compiles it from source.
    const addon = path.join(root, 'node_modules/argon2');
    mkdirSync(addon, { recursive: true });
    const working = "module.exports = { hash: async () => 'hashed' };";
    writeFileSync(path.join(addon, 'index.js'), "module.exports = { hash: () => process.kill(process.pid, 'SIGSEGV') };");
    writeFileSync(path.join(addon, 'working.js'), working);
    writeFileSync(
      path.join(addon, 'package.json'),
      JSON.stringify({
        name: 'argon2',
        version: '0.0.0',
        scripts: { install: "node -e \"require('fs').copyFileSync('working.js','index.js')\"" },
      }),
    );
    const first = await run(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root });
    expect(first.stderr).toContain(`argon2 does not work on Node.js ${process.version}`);
    expect(readFileSync(path.join(addon, 'index.js'), 'utf8')).toBe(working);
    // Checked once per Node.js version: the next start does not probe or rebuild again.
    const second = await run(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root });
    expect(second.stderr).not.toContain('argon2');
  }, 120_000);

  it('fails the start when a build fails, and next time retries only that build', async () => {
    const root = project();
    writeFileSync(path.join(root, 'web/src/broken.tsx'), 'export const = ;\n');
    expect(await start(root)).toEqual({ builds: ['server', 'web'], code: 1 });
    rmSync(path.join(root, 'web/src/broken.tsx'));
    expect(await start(root)).toEqual({ builds: ['web'], code: 0 });
    expect(await start(root)).toEqual({ builds: [], code: 0 });
  }, 120_000);
});
