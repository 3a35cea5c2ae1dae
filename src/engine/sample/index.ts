export { sampleSite, type SampleOptions, type SampleResult } from './sampler.js';
export { urlShape } from './url-shape.js';
