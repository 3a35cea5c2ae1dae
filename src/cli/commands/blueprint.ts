import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import type { ExamplePage, FieldSpec } from '../../engine/selectors/index.js';

const ExamplesFile = z.array(
  z.object({
    file: z.string().optional(),
    url: z.string().optional(),
    values: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  }),
);

async function readExamples(file: string): Promise<ExamplePage[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read examples file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`examples file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const result = ExamplesFile.safeParse(parsed);
  if (!result.success) {
    throw new Error(`examples file ${file} must be [{"file":"0000.htm","values":{"field":"value"}}]: ${result.error.issues[0]?.message}`);
  }
  return result.data.map((example) => ({
    values: example.values,
    ...(example.file ? { file: example.file } : {}),
    ...(example.url ? { url: example.url } : {}),
  }));
}

function parseFields(list: string): FieldSpec[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error('--fields needs at least one field name');
  if (new Set(names).size !== names.length) throw new Error('--fields lists a field twice');
  return names.map((name) => ({ name }));
}

export function registerBlueprintCommand(program: Command): void {
  program
    .command('blueprint')
    .description('Build an extraction blueprint from sample pages (offline, no LLM)')
    .requiredOption(
      '--pages <dir>',
      'directory of *.htm / *.html sample pages (URL from a leading <base href>); selectors come from the first 10 of each page type, all are tested',
    )
    .option(
      '--fields <names>',
      'comma-separated field names; the page type gets exactly these fields (default: discovered page types and fields)',
    )
    .option('--examples <file>', 'JSON [{"file":"0000.htm","values":{"title":"…","author":["…"]}}]')
    .option('--out <file>', 'write the blueprint here (.json, .yaml or .csv) instead of stdout')
    .action(async (options: { pages: string; fields?: string; examples?: string; out?: string }) => {
      const [{ analyze }, { exportBlueprint, formatFromPath }, { discoverPageTypes }, { readPagesDir }] = await Promise.all([
        import('../../engine/analyze.js'),
        import('../../engine/blueprint/index.js'),
        import('../../engine/discover/index.js'),
        import('../../engine/pages.js'),
      ]);
      const pages = await readPagesDir(options.pages);
      const examples = options.examples ? await readExamples(options.examples) : [];
      for (const example of examples) {
        if (example.file && !pages.some((page) => page.file === example.file)) {
          throw new Error(`example page ${example.file} is not in ${options.pages}`);
        }
      }
      const fields = options.fields ? parseFields(options.fields) : examples.length ? fieldsFromExamples(examples) : null;
      // Named fields make the directory one page type; without them discovery proposes page types and their fields.
      const { blueprint } = analyze(pages, fields ? { fields, examples } : { examples, pageTypes: discoverPageTypes(pages) });
      if (options.out) {
        await writeFile(options.out, exportBlueprint(blueprint, formatFromPath(options.out)));
      } else {
        process.stdout.write(exportBlueprint(blueprint, 'json'));
      }
    });
}

function fieldsFromExamples(examples: ExamplePage[]): FieldSpec[] {
  const names = [...new Set(examples.flatMap((example) => Object.keys(example.values)))];
  if (names.length === 0) throw new Error('the examples name no fields; give --fields');
  return names.map((name) => ({ name }));
}
