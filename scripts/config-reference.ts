/**
 * Writes docs/configuration.md from the configuration schema (src/config/config.ts): every
 * variable with what it accepts and its default (read from the zod schema) and its description
 * (the doc comment above it, and the section comment it falls under). `npm run docs:config`;
 * test/docs/config-reference.test.ts fails when the committed page differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { z } from 'zod';
import { configSchema } from '../src/config/config.js';

const CONFIG_SOURCE = fileURLToPath(new URL('../src/config/config.ts', import.meta.url));
export const CONFIG_REFERENCE_FILE = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

interface Documented {
  section: string;
  description: string;
}

/** Each variable's doc comment and the `// --- Section ---` comment it follows, from the source. */
export function documentation(source = readFileSync(CONFIG_SOURCE, 'utf8')): Map<string, Documented> {
  const file = ts.createSourceFile('config.ts', source, ts.ScriptTarget.Latest, true);
  const found = new Map<string, Documented>();
  let section = 'Server';
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && node.name.getText(file) === 'configSchema' && node.initializer) {
      const call = node.initializer as ts.CallExpression;
      const shape = call.arguments[0] as ts.ObjectLiteralExpression;
      for (const property of shape.properties) {
        const comments = ts.getLeadingCommentRanges(source, property.getFullStart()) ?? [];
        let description = '';
        for (const range of comments) {
          const text = source.slice(range.pos, range.end);
          const heading = /^\/\/ --- (.+?)(?::.*)? ---$/.exec(text.trim());
          if (heading) section = heading[1]!.replace(/ \(.*\)$/, '');
          else if (text.startsWith('/**'))
            description = text
              .replace(/^\/\*\*|\*\/$/g, '')
              .split('\n')
              .map((line) => line.replace(/^\s*\* ?/, '').trim())
              .filter(Boolean)
              .join(' ');
        }
        found.set(property.name!.getText(file), { section, description });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

type JsonSchema = {
  type?: string;
  enum?: string[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  format?: string;
};

/** What a variable accepts, in words. */
function accepts(schema: JsonSchema): string {
  if (schema.enum) {
    const values = [...schema.enum];
    if (values.includes('true') && values.includes('false')) return '`true` or `false` (also `1`/`0`, `yes`/`no`)';
    return values.map((value) => `\`${value}\``).join(', ');
  }
  const range = [
    schema.minimum !== undefined && schema.minimum !== Number.MIN_SAFE_INTEGER ? `≥ ${schema.minimum}` : '',
    schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : '',
    schema.maximum !== undefined && schema.maximum !== Number.MAX_SAFE_INTEGER ? `≤ ${schema.maximum}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (schema.type === 'integer') return `whole number${range ? ` (${range})` : ''}`;
  if (schema.type === 'number') return `number${range ? ` (${range})` : ''}`;
  if (schema.format === 'uri') return 'URL';
  return 'text';
}

function shownDefault(value: unknown): string {
  if (value === undefined) return '—';
  if (Array.isArray(value)) return value.length ? `\`${value.join(',')}\`` : '(empty)';
  if (typeof value === 'object' && value !== null) return `\`${JSON.stringify(value)}\``;
  return value === '' ? '(empty)' : `\`${String(value).replace(/\|/g, '\\|')}\``;
}

/** The page, as committed in docs/configuration.md. */
export function renderConfigReference(): string {
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, JsonSchema> };
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  const docs = documentation();
  const sections = new Map<string, string[]>();
  for (const [name, schema] of Object.entries(json.properties)) {
    const { section, description } = docs.get(name)!;
    const row = `| \`${name}\` | ${accepts(schema)} | ${shownDefault(defaults[name])} | ${description.replace(/\|/g, '\\|')} |`;
    sections.set(section, [...(sections.get(section) ?? []), row]);
  }
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/config.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Siteprint reads its configuration from environment variables (and a `.env` file in the working',
    'directory, which never overrides a variable already set). An empty value counts as unset. A bad',
    'value stops the process with exit code 2, naming the variable (secrets are never echoed).',
    '',
  ];
  for (const [section, rows] of sections) {
    lines.push(`## ${section}`, '', '| variable | accepts | default | what it does |', '| --- | --- | --- | --- |', ...rows, '');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CONFIG_REFERENCE_FILE, renderConfigReference());
  console.log(`wrote ${CONFIG_REFERENCE_FILE}`);
}
