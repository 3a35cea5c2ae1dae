export {
  Siteprint,
  JobFailedError,
  type Download,
  type ExtractionResult,
  type Job,
  type JobListQuery,
  type NewSite,
  type Report,
  type ReportRequest,
  type Schemas,
  type Session,
  type Site,
  type SiteDetail,
  type SiteListQuery,
  type SiteprintOptions,
  type WaitOptions,
} from './client.js';
export {
  SiteprintError,
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  ServerError,
  ValidationError,
  type Problem,
} from './errors.js';
export type { LiveEvent, PlatformEventType } from './events.js';
export { paginate, type Page } from './pages.js';
export type { RetryOptions } from './transport.js';
export type { components, operations, paths } from './generated/schema.js';
