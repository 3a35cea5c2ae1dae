import type { Candidate } from '../selectors/generate.js';

/** A candidate source as selector testing measured it; shared by testing and evidence fusion. */
export interface CandidateReport extends Candidate {
  /** Share of sample pages with a value. */
  coverage: number;
  /** Share of held-out pages with a value (null without held-out pages). */
  heldOutCoverage: number | null;
  /** Share of pages where a single-valued source finds one distinct value. */
  uniqueness: number;
  /** Mean type validity of the values found. */
  validity: number;
  /** False when the same text appears on every sample: template, not data. */
  varies: boolean;
  /** Share of example pages whose example value the source reproduces (null without examples). */
  exampleAgreement: number | null;
  score: number;
  /** Values per page: samples first, then held-out pages. */
  values: string[][];
}
