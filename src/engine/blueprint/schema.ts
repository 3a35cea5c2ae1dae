import { z } from 'zod';

/**
 * The blueprint format. This zod schema is the source of truth: the TypeScript types, the
 * committed JSON Schema (schemas/blueprint.schema.json) and docs/blueprint.md follow it.
 */

export const BLUEPRINT_SCHEMA_VERSION = 1;

// Types added later (availability, identifier, gtin, isbn) only widen the enum: blueprints stored
// before them stay valid under the same schemaVersion.
export const fieldTypes = [
  'text',
  'number',
  'money',
  'date',
  'url',
  'image',
  'html',
  'availability',
  'identifier',
  'gtin',
  'isbn',
] as const;
export const FieldType = z
  .enum(fieldTypes)
  .describe(
    "How the extracted text is coerced into a typed value: money → {amount, currency}; date → ISO 8601; availability → a schema.org ItemAvailability name (InStock, OutOfStock, PreOrder…); identifier → a shop's code checked by shape (a GTIN/ISBN inside it by check digit); gtin → EAN/UPC/GTIN-8…14 digits, isbn → ISBN-13 or ISBN-10, both valid only with a correct check digit. Multiple-valued fields give a list of such values",
  );
export type FieldType = z.infer<typeof FieldType>;

export const FieldMode = z
  .enum(['heuristic', 'example', 'llm', 'manual'])
  .describe('Which method produced the field: heuristics, example values, an LLM, or a person editing the blueprint');
export type FieldMode = z.infer<typeof FieldMode>;

export const Transform = z
  .enum(['lowercase', 'uppercase', 'digits', 'stripLabel'])
  .describe('Applied in order after regex: digits keeps 0-9 and X; stripLabel drops a leading "Label:" prefix');
export type Transform = z.infer<typeof Transform>;

export const ReadMode = z
  .string()
  .regex(/^(text|ownText|html|attr:[^\s]+)$/)
  .describe('What to read from the matched element: text, ownText (direct text nodes), html, or attr:<name>');
export type ReadMode = 'text' | 'ownText' | 'html' | `attr:${string}`;

const postProcessing = {
  regex: z
    .string()
    .optional()
    .describe('JavaScript regular expression applied to the read value; the first capture group (or the whole match) is kept'),
  transforms: z.array(Transform).optional(),
  split: z.string().optional().describe('For multiple-valued fields: split each value where this JavaScript regular expression matches'),
};

export const CssSource = z
  .object({
    css: z.string().min(1).describe('CSS selector evaluated on the page (or on the list item for list fields)'),
    read: ReadMode.optional().describe('Defaults to text'),
    ...postProcessing,
  })
  .strict();

export const JsonLdSource = z
  .object({
    jsonld: z.string().min(1).describe('Dotted path into a JSON-LD object, e.g. author.name; arrays are traversed'),
    type: z.string().optional().describe('Only objects with this schema.org @type (e.g. Book) are read'),
    ...postProcessing,
  })
  .strict();

export const EmbeddedJsonSource = z
  .object({
    json: z
      .string()
      .min(1)
      .describe(
        'Dotted path into state the page embeds for its scripts (application/json script blocks such as __NEXT_DATA__, and object literals assigned to globals such as window.__INITIAL_STATE__), e.g. props.pageProps.product.price; arrays are traversed',
      ),
    script: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Only the state with this name: the script element id (__NEXT_DATA__) or the global it assigns (__INITIAL_STATE__); every embedded state when absent',
      ),
    ...postProcessing,
  })
  .strict();

export const MetaSource = z
  .object({
    meta: z.string().min(1).describe('<meta> name, property or itemprop, e.g. og:title'),
    ...postProcessing,
  })
  .strict();

export const LabelSource = z
  .object({
    label: z
      .array(z.string().min(1))
      .min(1)
      .describe('Label texts (normalised: lower case, no punctuation) whose adjacent value is read, e.g. "isbn 13"'),
    ...postProcessing,
  })
  .strict();

export const Source = z.union([CssSource, JsonLdSource, EmbeddedJsonSource, MetaSource, LabelSource]);
export type CssSource = z.infer<typeof CssSource>;
export type JsonLdSource = z.infer<typeof JsonLdSource>;
export type EmbeddedJsonSource = z.infer<typeof EmbeddedJsonSource>;
export type MetaSource = z.infer<typeof MetaSource>;
export type LabelSource = z.infer<typeof LabelSource>;
export type Source = z.infer<typeof Source>;

export const FieldQuality = z
  .object({
    coverage: z.number().min(0).max(1).describe('Share of sample pages where the field got a value'),
    confidence: z.number().min(0).max(1),
    validity: z.number().min(0).max(1).optional().describe('Share of values that are valid for the field type'),
    agreement: z.number().min(0).max(1).optional().describe('Share of pages where the best and next source agree'),
    failingPages: z.array(z.string()).optional().describe('Sample pages without a valid value'),
  })
  .strict();
export type FieldQuality = z.infer<typeof FieldQuality>;

export const Field = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    type: FieldType,
    multiple: z.boolean(),
    required: z.boolean(),
    mode: FieldMode,
    sources: z.array(Source).describe('Tried in order; the first that yields a value wins'),
    decimalMark: z
      .enum(['.', ','])
      .optional()
      .describe(
        'For money fields: the mark this site writes decimals with, where a text alone cannot tell ("24.990" reads 24.99 with ".", 24990 without); learned from example values',
      ),
    quality: FieldQuality.optional(),
  })
  .strict();
export type Field = z.infer<typeof Field>;

export const ListSpec = z
  .object({
    item: z.string().min(1).describe('CSS selector of one record on a listing page'),
    fields: z.array(Field).describe('Fields read relative to each item'),
    nextPage: CssSource.nullable().describe('Where the next page URL is read (resolved against the page URL)'),
  })
  .strict();
export type ListSpec = z.infer<typeof ListSpec>;

export const PageType = z
  .object({
    name: z.string().min(1).describe('What a person would call the pages (product, category, article, search, home…)'),
    label: z.string().optional().describe('The name as shown to people (e.g. "Product page")'),
    kind: z.enum(['detail', 'listing']),
    dataType: z.string().optional().describe('schema.org type the page describes, when known (e.g. Book)'),
    match: z
      .object({
        urlPattern: z.string().describe('Path pattern: literal segments, :name for one segment, * for any number of segments'),
        examples: z.array(z.string()),
      })
      .strict(),
    fields: z.array(Field),
    list: ListSpec.nullable(),
  })
  .strict();
export type PageType = z.infer<typeof PageType>;

/** A page type's own fields, then those of each record on a listing. */
export const fieldsOfPageType = (pageType: PageType): Field[] => [...pageType.fields, ...(pageType.list?.fields ?? [])];

/**
 * A detected technology: what fingerprinting emits, sites store and blueprints carry. A version
 * that could not be read is null; documents that omit it (hand-written, or older) read as null,
 * so every reader sees one shape.
 */
export const Technology = z
  .object({
    name: z.string(),
    version: z.string().nullable().default(null).describe('null when the site does not reveal it'),
    categories: z.array(z.string()).default([]),
    confidence: z.number().min(0).max(100).default(100),
  })
  .loose()
  .meta({ id: 'Technology' });
export type Technology = z.infer<typeof Technology>;

export const Fingerprint = z.object({ technologies: z.array(Technology) }).meta({ id: 'Fingerprint' });
export type Fingerprint = z.infer<typeof Fingerprint>;

export const LlmUse = z
  .object({
    model: z.string().describe('Model that answered'),
    requests: z.number().int().min(0).describe('Calls made to the LLM provider, failed ones included'),
    costUsd: z
      .number()
      .min(0)
      .describe('What the calls cost in USD: provider-reported, else from the price table; calls of unknown price count 0'),
  })
  .strict()
  .describe(
    'LLM help in the job that wrote this version (calls and cost); absent when no LLM was called. Fields whose selectors the LLM proposed have mode "llm"',
  );
export type LlmUse = z.infer<typeof LlmUse>;

export const Blueprint = z
  .object({
    schemaVersion: z.literal(BLUEPRINT_SCHEMA_VERSION),
    site: z.string().nullable().describe('Origin the blueprint was built for'),
    version: z.number().int().min(1),
    contentHash: z.string().optional().describe('sha256 of the extraction-relevant content (see docs/blueprint.md)'),
    createdAt: z.string().optional(),
    fingerprint: Fingerprint.optional(),
    llm: LlmUse.optional(),
    pageTypes: z.array(PageType).min(1),
    validation: z
      .object({
        samplePages: z.number().int().min(0),
        heldOutPages: z.number().int().min(0).optional(),
        coverage: z.number().min(0).max(1),
        quality: z.number().min(0).max(1).optional().describe('Blueprint quality score: mean field confidence'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Blueprint = z.infer<typeof Blueprint>;

/** Validates unknown input (a parsed file) as a blueprint, with a readable message on failure. */
export function parseBlueprint(input: unknown): Blueprint {
  const result = Blueprint.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid blueprint: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown error'}`);
  }
  return result.data;
}
