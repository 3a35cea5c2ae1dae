// Loaded in worker threads (see engine-threads.ts): the pure, CPU-heavy engine functions the
// pipeline steps call. Each takes one argument and returns plain data, both structured-cloned
// across the thread boundary, so callers pass only what the function reads (url and html, not
// whole page records).
import { threadId } from 'node:worker_threads';
import {
  analyze as analyzeSite,
  buildBlueprint,
  checkBlueprint,
  compileBlueprint,
  discoverPageTypes,
  extractPage,
  fingerprintSite,
  knownValues,
  reproduction,
  verifyBlueprint,
  type AnalysisOptions,
  type Blueprint,
  type BuildOptions,
  type CheckedPage,
  type ExamplePage,
  type PageSignals,
} from '../engine/index.js';
import { runThreadInBackground } from '../threads/thread-priority.js';

// Engine work yields the CPU to the main thread, which answers HTTP and keeps the jobs' leases.
runThreadInBackground();

type Pages = Array<{ url: string; html: string }>;

export const fingerprint = ({ pages }: { pages: PageSignals[] }) => fingerprintSite(pages);

export const discover = ({ pages }: { pages: Pages }) => discoverPageTypes(pages);

/** The analysis use-case, one blueprint per page type (the LLM helps page type by page type; combineBlueprints joins them). */
export const analyze = ({ pages, options }: { pages: Pages; options: AnalysisOptions }) =>
  analyzeSite(pages, options).results.map((result) => result.blueprint);

export const build = ({ pages, options }: { pages: Pages; options: BuildOptions }) => buildBlueprint(pages, options).blueprint;

/** The check use-case: the blueprint over the pages a check read, judged against its baseline. */
export const check = ({ blueprint, outcomes }: { blueprint: Blueprint; outcomes: CheckedPage[] }) => checkBlueprint(blueprint, outcomes);

export const verify = ({ blueprint, pages }: { blueprint: Blueprint; pages: Pages }) => verifyBlueprint(blueprint, pages);

export const known = ({ blueprint, pages, fields }: { blueprint: Blueprint; pages: Pages; fields: string[] }) =>
  knownValues(blueprint, pages, fields);

export const reproduce = (input: { blueprint: Blueprint; pages: Pages; known: ExamplePage[]; fields: string[] }) =>
  reproduction(input.blueprint, input.pages, input.known, input.fields);

export const extract = ({ blueprint, page, pageType }: { blueprint: Blueprint; page: { url: string; html: string }; pageType?: string }) =>
  extractPage(compileBlueprint(blueprint), page, pageType ? { pageType } : {});

/** The thread tasks run on: lets callers (and tests) see that the work left the main thread. */
export const thread = (_: null) => threadId;
