import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

interface RemoteCli {
  runRemote(argv: string[], name?: string): Promise<number>;
}

/**
 * The client CLI ships with the TypeScript SDK (sdk/typescript, bin `siteprint-remote`), which
 * is built on its own (`npm run build:sdk`); the server's build does not compile it. Under tsx
 * (tests, development) its sources load directly.
 */
async function loadRemoteCli(): Promise<RemoteCli> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(
    fromSource ? '../../../sdk/typescript/src/cli/program.ts' : '../../../sdk/typescript/dist/cli/program.js',
    import.meta.url,
  );
  if (!existsSync(fileURLToPath(entry)))
    throw new Error(`the client CLI is not built (${fileURLToPath(entry)} is missing): run npm run build:sdk`);
  return (await import(entry.href)) as RemoteCli;
}

export function registerRemoteCommand(program: Command): void {
  program
    .command('remote')
    .description(
      'Use a running Siteprint server over its API: sites, analyses, jobs, blueprints, extraction, reports (see: siteprint remote --help)',
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument('[arguments...]')
    .action(async (args: string[]) => {
      const { runRemote } = await loadRemoteCli();
      process.exitCode = await runRemote(args);
    });
}
