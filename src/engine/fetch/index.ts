export { BlockedAddressError, guardedLookup, isBlockedAddress, systemResolver, type Resolver } from './address-guard.js';
export { decodeHtml } from './decode.js';
export { FetchError, type FetchErrorCode } from './errors.js';
export { Fetcher, type FetchCall, type FetchedDocument, type FetcherOptions } from './fetcher.js';
export type { Robots } from './robots.js';
