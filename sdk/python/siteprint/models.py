"""Typed shapes of the API's JSON, kept in step with the OpenAPI document by tests/test_drift.py."""

from typing import Any, Literal, NotRequired, TypedDict


class FieldIssue(TypedDict):
    path: str
    message: str


class Problem(TypedDict):
    type: str
    title: str
    status: int
    detail: NotRequired[str]
    instance: NotRequired[str]
    requestId: NotRequired[str]
    errors: NotRequired[list[dict[str, Any]]]
    quota: NotRequired["ProblemQuota"]


class ProblemQuota(TypedDict):
    """On quota-exceeded and rate-limited problems: which limit was reached and when it resets."""

    name: str
    limit: int
    used: int
    resetAt: str | None


class User(TypedDict):
    id: str
    email: str
    name: str
    emailVerified: bool
    systemAdmin: bool
    hasPassword: bool
    passwordChangeRequired: bool
    createdAt: str


class Session(TypedDict):
    accessToken: str
    tokenType: Literal["Bearer"]
    expiresIn: int
    refreshToken: str
    refreshExpiresAt: str
    user: User


class CreatedApiKey(TypedDict):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    createdAt: str
    lastUsedAt: str | None
    expiresAt: str | None
    secret: str


JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class Job(TypedDict):
    id: str
    type: str
    status: JobStatus
    siteId: str | None
    parentId: str | None
    step: str | None
    progress: float
    priority: int
    attempts: int
    maxAttempts: int
    error: str | None
    costUsd: float
    createdAt: str
    startedAt: str | None
    finishedAt: str | None
    durationMs: int | None


class SiteSummary(TypedDict):
    id: str
    url: str
    name: str
    status: Literal["pending", "analyzing", "ready", "failed"]
    health: Literal["unknown", "healthy", "degraded", "down"]
    technologies: list[str]
    schedule: str | None
    lastCheckedAt: str | None
    createdAt: str
    updatedAt: str


class SiteDetail(SiteSummary):
    options: dict[str, Any]
    fingerprint: dict[str, Any] | None
    pageTypes: list[dict[str, Any]]
    activeBlueprint: dict[str, Any] | None
    lastCheck: dict[str, Any] | None
    nextCheckAt: str | None


class StartedJob(TypedDict):
    job: Job
    site: SiteDetail


class ExtractionResult(TypedDict):
    url: str
    pageType: str | None
    data: dict[str, Any]
    typed: dict[str, Any]
    sources: dict[str, float | None]
    error: str | None


class Report(TypedDict):
    id: str
    type: Literal["workspace_summary", "site_report", "extraction_export"]
    format: Literal["pdf", "csv", "json", "ndjson"]
    params: dict[str, Any]
    status: Literal["queued", "running", "succeeded", "failed"]
    jobId: str | None
    fileName: str | None
    contentType: str | None
    sizeBytes: int | None
    error: str | None
    createdAt: str
    finishedAt: str | None
    downloadUrl: str | None


class Page(TypedDict):
    items: list[Any]
    total: int
    nextCursor: str | None


#: Each model and the component schema of the OpenAPI document it mirrors.
SCHEMAS: dict[str, type] = {
    "Problem": Problem,
    "User": User,
    "Session": Session,
    "CreatedApiKey": CreatedApiKey,
    "Job": Job,
    "SiteSummary": SiteSummary,
    "SiteDetail": SiteDetail,
    "StartedJob": StartedJob,
    "ExtractionResult": ExtractionResult,
    "Report": Report,
}
