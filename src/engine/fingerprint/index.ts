export { fingerprintPage, fingerprintSite, mergeFingerprints, type Fingerprint, type PageSignals, type Technology } from './fingerprint.js';
