export { fingerprintPage, fingerprintSite, type Fingerprint, type PageSignals, type Technology } from './fingerprint.js';
