export {
  addressKind,
  BlockedAddressError,
  checkHost,
  guardedLookup,
  isBlockedAddress,
  systemResolver,
  type HostCheck,
  type Resolver,
} from './address-guard.js';
export { decodeHtml } from './decode.js';
export { FetchError, POLICY_REFUSALS, type FetchErrorCode } from './errors.js';
export { Fetcher, type FetchCall, type FetchedDocument, type FetcherOptions } from './fetcher.js';
export type { Robots } from './robots.js';
