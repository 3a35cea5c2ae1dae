import type { Command } from 'commander';

export function registerDiscoverCommand(program: Command): void {
  program
    .command('discover')
    .description('Group saved pages into page types with their kind, data type, member files and proposed fields')
    .requiredOption('--pages <dir>', 'folder of *.htm / *.html pages (URL from a leading <base href>)')
    .action(async (options: { pages: string }) => {
      const [{ discoverPageTypes }, { readPagesDir }] = await Promise.all([
        import('../../engine/discover/index.js'),
        import('../../engine/pages.js'),
      ]);
      const pages = await readPagesDir(options.pages);
      const fileOf = new Map(pages.map((page) => [page.url, page.file]));
      const types = discoverPageTypes(pages).map((type) => ({ ...type, files: type.urls.map((url) => fileOf.get(url)) }));
      process.stdout.write(`${JSON.stringify({ pageTypes: types }, null, 2)}\n`);
    });
}
