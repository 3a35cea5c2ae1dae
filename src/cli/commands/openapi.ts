import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';

export function registerOpenApiCommand(program: Command): void {
  program
    .command('openapi')
    .description('Print the OpenAPI document of the HTTP API (the source for SDKs and the dashboard types)')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (options: { out?: string }) => {
      const { buildOpenApiDocument } = await import('../../app/openapi-document.js');
      const json = `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`;
      if (options.out) writeFileSync(options.out, json);
      else process.stdout.write(json);
    });
}
