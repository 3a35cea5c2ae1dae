/**
 * The read-only GraphQL schema: the same sites, blueprints, jobs and analytics the REST API
 * serves, in the shapes REST gives them. Every field names the permission it needs (as the REST
 * route does); list fields take `limit` and carry `@complexity`, so the cost of a query grows with
 * the page sizes asked for (see limits.ts).
 */
export const typeDefs = /* GraphQL */ `
  """
  Cost of a field for the query cost limit: (value + cost of its selections) × each named argument.
  """
  directive @complexity(value: Int!, multipliers: [String!]) on FIELD_DEFINITION

  """
  Any JSON value (a blueprint document, a job's payload or result).
  """
  scalar JSON

  type Query {
    """
    The workspace's sites, as GET /api/v1/sites pages them: pass nextCursor back as cursor. Needs sites:read.
    """
    sites(
      limit: Int = 25
      cursor: String
      status: SiteStatus
      health: SiteHealth
      technology: String
      search: String
      sort: SiteSort = CREATED_AT_DESC
    ): SitePage! @complexity(value: 1, multipliers: ["limit"])
    """
    A site of the workspace; null when it does not exist here (another workspace's site included). Needs sites:read.
    """
    site(id: ID!): Site
    """
    The workspace's jobs, newest first, as GET /api/v1/jobs pages them. Needs jobs:read.
    """
    jobs(limit: Int = 25, cursor: String, siteId: ID, type: String, status: JobStatus, topLevel: Boolean): JobPage!
      @complexity(value: 1, multipliers: ["limit"])
    """
    A job of the workspace; null when it does not exist here. Needs jobs:read.
    """
    job(id: ID!): Job
    """
    Figures for a period, as /api/v1/analytics/summary and /timeseries give them. Needs jobs:read.
    """
    analytics: Analytics!
  }

  enum SiteStatus {
    pending
    analyzing
    ready
    failed
  }

  enum SiteHealth {
    unknown
    healthy
    degraded
    down
  }

  enum CheckHealth {
    healthy
    degraded
    down
  }

  enum SiteSort {
    CREATED_AT
    CREATED_AT_DESC
    NAME
    NAME_DESC
  }

  enum JobStatus {
    queued
    running
    succeeded
    failed
    cancelled
  }

  type SitePage {
    items: [Site!]!
    "Sites matching the filters, over all pages"
    total: Int!
    "Pass as cursor for the next page; null on the last page"
    nextCursor: String
  }

  type JobPage {
    items: [Job!]!
    total: Int!
    nextCursor: String
  }

  type Site {
    id: ID!
    url: String!
    name: String!
    status: SiteStatus!
    health: SiteHealth!
    "Names of the detected technologies"
    technologies: [String!]!
    "Health checks: an interval, a cron expression (UTC), or null for none"
    schedule: String
    lastCheckedAt: String
    nextCheckAt: String
    createdAt: String!
    updatedAt: String!
    "Detected technologies with versions, categories and confidence; null before fingerprinting"
    fingerprint: [Technology!]
    "Page types discovery found, with their URLs and proposed fields; null before discovery"
    pageTypes: [DiscoveredPageType!]
    "The latest health check; null before the first. Needs sites:read."
    lastCheck: SiteCheck
    "The blueprint version in use; null before the first analysis. Needs blueprints:read."
    activeBlueprint: BlueprintVersion
    "Blueprint versions, newest first. Needs blueprints:read."
    blueprintVersions(limit: Int = 10): [BlueprintVersion!]! @complexity(value: 1, multipliers: ["limit"])
    "The newest job of the given type, or else the newest top-level job (an analysis, a check, an extraction). Needs jobs:read."
    latestJob(type: String): Job
  }

  type Technology {
    name: String!
    "null when the site does not reveal it"
    version: String
    categories: [String!]!
    confidence: Float!
  }

  type DiscoveredPageType {
    name: String!
    label: String
    description: String
    kind: String!
    dataType: String
    urlPattern: String!
    urls: [String!]!
    fields: [ProposedField!]!
  }

  type ProposedField {
    name: String!
    type: String!
    examples: [String!]!
    "structured-data, label, heading, record or llm"
    from: String!
    description: String
  }

  type SiteCheck {
    checkedAt: String!
    health: CheckHealth!
    httpStatus: Int
    responseMs: Int
    "Share of fields that found a valid value on the checked pages"
    coverage: Float
    "The blueprint's own coverage when it was made"
    baselineCoverage: Float
  }

  type BlueprintVersion {
    id: ID!
    version: Int!
    "analysis, repair, edit"
    reason: String!
    contentHash: String!
    createdAt: String!
    "Whether this is the site's active version"
    active: Boolean!
    "The job that wrote this version; null for manual edits. Needs jobs:read."
    createdByJob: Job
    "Share of sample pages where fields got a value"
    coverage: Float
    "Mean field confidence"
    quality: Float
    pageTypes: [BlueprintPageType!]!
    "The whole blueprint document (docs/blueprint.md)"
    content: JSON!
  }

  type BlueprintPageType {
    name: String!
    label: String
    "detail or listing"
    kind: String!
    dataType: String
    urlPattern: String!
    examples: [String!]!
    "CSS selector of one record on a listing page; null on detail pages"
    listItem: String
    "The page's own fields, then those read from each record of a listing"
    fields: [BlueprintField!]!
  }

  enum FieldScope {
    page
    item
  }

  type BlueprintField {
    name: String!
    description: String
    type: String!
    multiple: Boolean!
    required: Boolean!
    mode: String!
    "page: read from the page; item: from each record of a listing"
    scope: FieldScope!
    coverage: Float
    confidence: Float
  }

  type Job {
    id: ID!
    type: String!
    status: JobStatus!
    siteId: ID
    "The site the job works on; null for jobs of no site. Needs sites:read."
    site: Site
    parentId: ID
    "Current step of an analysis, or the last one reached"
    step: String
    progress: Float!
    "1 user-triggered, 2 scheduled, 3 batch"
    priority: Int!
    attempts: Int!
    maxAttempts: Int!
    error: String
    "LLM cost of this job in US dollars"
    costUsd: Float!
    createdAt: String!
    startedAt: String
    finishedAt: String
    durationMs: Float
    payload: JSON!
    result: JSON
    "For an analysis: its step jobs in order"
    steps(limit: Int = 10): [Job!]! @complexity(value: 1, multipliers: ["limit"])
  }

  enum Interval {
    hour
    day
  }

  enum AnalyticsScope {
    workspace
    "Every workspace of the instance (system administrators only)"
    all
  }

  enum TimeseriesMetric {
    jobs
    job_duration
    extraction_pages
    blueprint_versions
    site_checks
    site_coverage
    llm_cost
    llm_requests
    llm_tokens
    api_requests
  }

  type Analytics {
    "from: start (inclusive, default 30 days before to); to: end (exclusive, default now); ISO 8601 date-times"
    summary(from: String, to: String, scope: AnalyticsScope = workspace): AnalyticsSummary!
    timeseries(
      metric: TimeseriesMetric!
      interval: Interval = day
      siteId: ID
      from: String
      to: String
      scope: AnalyticsScope = workspace
    ): Timeseries! @complexity(value: 10)
  }

  type AnalyticsSummary {
    from: String!
    to: String!
    scope: AnalyticsScope!
    sites: SiteTotals!
    analyses: AnalysisTotals!
    jobs: [JobTypeTotals!]!
    extraction: ExtractionTotals!
    blueprintVersions: VersionTotals!
    health: HealthTotals!
    llm: LlmTotals!
    api: ApiTotals!
  }

  type SiteTotals {
    total: Int!
    analysed: Int!
    healthy: Int!
    degraded: Int!
    down: Int!
    unknown: Int!
  }

  type AnalysisTotals {
    total: Int!
    succeeded: Int!
    failed: Int!
    cancelled: Int!
    successRate: Float
  }

  type JobTypeTotals {
    type: String!
    total: Int!
    queued: Int!
    running: Int!
    succeeded: Int!
    failed: Int!
    cancelled: Int!
    successRate: Float
    meanSeconds: Float
    p95Seconds: Float
  }

  type ExtractionTotals {
    jobs: Int!
    pages: Int!
    pagesWithRecord: Int!
    pagesWithError: Int!
  }

  type VersionTotals {
    total: Int!
    analysis: Int!
    automaticRepairs: Int!
    manualEdits: Int!
  }

  type HealthTotals {
    checks: Int!
    changes: Int!
    toHealthy: Int!
    toDegraded: Int!
    toDown: Int!
  }

  type LlmTotals {
    requests: Int!
    promptTokens: Int!
    completionTokens: Int!
    costUsd: Float!
    byModel: [LlmModelTotals!]!
    byStep: [LlmStepTotals!]!
  }

  type LlmModelTotals {
    model: String!
    requests: Int!
    promptTokens: Int!
    completionTokens: Int!
    costUsd: Float!
  }

  type LlmStepTotals {
    step: String!
    requests: Int!
    promptTokens: Int!
    completionTokens: Int!
    costUsd: Float!
  }

  type ApiTotals {
    requests: Int!
    byRoute: [ApiRouteTotals!]!
    byStatusClass: [ApiStatusTotals!]!
    byApiKey: [ApiKeyTotals!]!
    byUser: [ApiUserTotals!]!
  }

  type ApiKeyTotals {
    apiKeyId: String!
    requests: Int!
  }

  type ApiUserTotals {
    userId: String!
    requests: Int!
  }

  type ApiRouteTotals {
    method: String!
    route: String!
    requests: Int!
    meanMs: Float!
  }

  type ApiStatusTotals {
    statusClass: String!
    requests: Int!
  }

  type Timeseries {
    metric: TimeseriesMetric!
    interval: Interval!
    from: String!
    to: String!
    "The series: job statuses, models, version reasons, health states, status classes…"
    keys: [String!]!
    points: [TimeseriesPoint!]!
  }

  type TimeseriesPoint {
    "Start of the UTC bucket"
    at: String!
    "Each series' value in the bucket (null where a mean has nothing to average)"
    values: [SeriesValue!]!
  }

  type SeriesValue {
    key: String!
    value: Float
  }
`;
