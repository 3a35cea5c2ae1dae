import { readFileSync } from 'node:fs';
import { Lexer, walkTokens, type Tokens } from 'marked';

/**
 * The code samples of the documentation and the convention that marks them (docs/README.md,
 * "About the samples"): a fence's info string is its language, then `run` (the test executes it),
 * `norun` (shown only; it cannot run here, e.g. it needs a second machine) or `output` (what the
 * `run` block before it prints, `…` standing for anything). Code in a language that runs must say
 * which; data (json, yaml, text, mermaid…) needs no mark.
 */

export const RUNNABLE = { bash: 'bash', sh: 'bash', shell: 'bash', ts: 'ts', typescript: 'ts', python: 'python', py: 'python' } as const;
/** Languages that look like code but that this test has no runner for: they must be marked norun. */
const OTHER_CODE = new Set(['console', 'zsh', 'js', 'javascript', 'mjs', 'powershell', 'go', 'ruby', 'java']);
const DATA = new Set(['json', 'jsonc', 'yaml', 'yml', 'text', 'mermaid', 'http', 'csv', 'ndjson', 'sql', 'ini', 'dotenv', 'diff']);

export type Runner = (typeof RUNNABLE)[keyof typeof RUNNABLE];

export interface Sample {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: string;
  runner?: Runner;
  mark: 'run' | 'norun' | 'output' | undefined;
  code: string;
  /** For a `run` sample: the `output` block right after it. */
  output?: string;
}

export interface SampleProblem {
  file: string;
  line: number;
  message: string;
}

/** Every fenced or indented code block of a Markdown file, in order, with its mark. */
export function samplesOf(file: string): { samples: Sample[]; problems: SampleProblem[] } {
  const markdown = readFileSync(file, 'utf8');
  const blocks: Tokens.Code[] = [];
  walkTokens(Lexer.lex(markdown), (token) => {
    if (token.type === 'code') blocks.push(token as Tokens.Code);
  });
  const samples: Sample[] = [];
  const problems: SampleProblem[] = [];
  let searchFrom = 0;
  for (const block of blocks) {
    const at = markdown.indexOf(block.raw.trimStart(), searchFrom);
    searchFrom = at + block.raw.trimStart().length;
    const line = markdown.slice(0, at).split('\n').length;
    const [language = '', ...flags] = (block.lang ?? '').trim().split(/\s+/);
    const marks = flags.filter((flag) => ['run', 'norun', 'output'].includes(flag)) as Array<NonNullable<Sample['mark']>>;
    const problem = (message: string) => problems.push({ file, line, message });
    if (marks.length > 1) problem(`fence says ${marks.join(' and ')}: one mark only`);
    const mark = marks[0];
    const runner = RUNNABLE[language as keyof typeof RUNNABLE] as Runner | undefined;
    if (!language) problem('a code block without a language: name one (text for output, json for data, bash run for a sample…)');
    else if ((runner || OTHER_CODE.has(language)) && !mark) problem(`a ${language} block must be marked run or norun`);
    else if (mark === 'run' && !runner) problem(`no runner for ${language}: only ${Object.keys(RUNNABLE).join(', ')} run`);
    else if (!runner && !OTHER_CODE.has(language) && !DATA.has(language))
      problem(`unknown language ${language}: add it to the lists in test/docs/samples.ts`);
    const sample: Sample = { file, line, language, runner, mark, code: block.text };
    if (mark === 'output') {
      const previous = samples.at(-1);
      if (previous?.mark !== 'run' || previous.output !== undefined) problem('an output block must follow a run block');
      else previous.output = block.text;
    }
    samples.push(sample);
  }
  return { samples, problems };
}

/** Links of a Markdown file to files of the repository (not to web addresses or anchors of the page itself). */
export function localLinksOf(file: string): string[] {
  const links: string[] = [];
  walkTokens(Lexer.lex(readFileSync(file, 'utf8')), (token) => {
    if ((token.type === 'link' || token.type === 'image') && !/^([a-z]+:|#)/i.test((token as Tokens.Link).href)) {
      links.push((token as Tokens.Link).href.split('#')[0]!);
    }
  });
  return links;
}

/** `expected` as a pattern: `…` matches anything, runs of white space any white space. */
export function outputPattern(expected: string): RegExp {
  const parts = expected
    .trim()
    .split('…')
    .map((part) =>
      part
        .split(/\s+/)
        .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\s+'),
    );
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`);
}
