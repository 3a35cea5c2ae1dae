"""The API operations the clients wrap: one request description each, shared by the sync and
async clients so that both send exactly the same requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class Call:
    operation_id: str
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: True for file downloads: the answer's bytes, not its JSON.
    raw: bool = False


def _q(value: str) -> str:
    return quote(value, safe="")


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}


def register(email: str, name: str, password: str, setup_token: str | None = None) -> Call:
    body = _clean({"email": email, "name": name, "password": password, "setupToken": setup_token})
    return Call("postAuthRegister", "POST", "/api/v1/auth/register", json=body)


def login(email: str, password: str) -> Call:
    return Call("postAuthLogin", "POST", "/api/v1/auth/login", json={"email": email, "password": password})


def refresh(refresh_token: str) -> Call:
    return Call("postAuthRefresh", "POST", "/api/v1/auth/refresh", json={"refreshToken": refresh_token})


def me() -> Call:
    return Call("getAuthMe", "GET", "/api/v1/auth/me")


def create_api_key(name: str, scopes: list[str]) -> Call:
    return Call("postApiKeys", "POST", "/api/v1/api-keys", json={"name": name, "scopes": scopes})


def list_sites(limit: int | None = None, cursor: str | None = None, **filters: Any) -> Call:
    return Call("getSites", "GET", "/api/v1/sites", params=_clean({"limit": limit, "cursor": cursor, **filters}))


def get_site(site_id: str) -> Call:
    return Call("getSitesById", "GET", f"/api/v1/sites/{_q(site_id)}")


def add_site(site: dict[str, Any], idempotency_key: str | None = None) -> Call:
    headers = {"idempotency-key": idempotency_key} if idempotency_key else {}
    return Call("postSites", "POST", "/api/v1/sites", json=site, headers=headers)


def add_sites(sites: list[dict[str, Any]]) -> Call:
    return Call("postSitesBatch", "POST", "/api/v1/sites/batch", json={"sites": sites})


def delete_site(site_id: str) -> Call:
    return Call("deleteSitesById", "DELETE", f"/api/v1/sites/{_q(site_id)}")


def analyze_site(site_id: str) -> Call:
    return Call("postSitesByIdAnalyze", "POST", f"/api/v1/sites/{_q(site_id)}/analyze")


def list_jobs(limit: int | None = None, cursor: str | None = None, **filters: Any) -> Call:
    return Call("getJobs", "GET", "/api/v1/jobs", params=_clean({"limit": limit, "cursor": cursor, **filters}))


def get_job(job_id: str) -> Call:
    return Call("getJobsById", "GET", f"/api/v1/jobs/{_q(job_id)}")


def job_logs(job_id: str, after: int | None = None, limit: int | None = None) -> Call:
    return Call("getJobsByIdLogs", "GET", f"/api/v1/jobs/{_q(job_id)}/logs", params=_clean({"after": after, "limit": limit}))


def cancel_job(job_id: str) -> Call:
    return Call("postJobsByIdCancel", "POST", f"/api/v1/jobs/{_q(job_id)}/cancel")


def retry_job(job_id: str) -> Call:
    return Call("postJobsByIdRetry", "POST", f"/api/v1/jobs/{_q(job_id)}/retry")


def get_blueprint(site_id: str) -> Call:
    return Call("getSitesByIdBlueprint", "GET", f"/api/v1/sites/{_q(site_id)}/blueprint")


def export_blueprint(site_id: str, format: str = "json", version: int | None = None) -> Call:
    params = _clean({"format": format, "version": version})
    return Call("getSitesByIdBlueprintExport", "GET", f"/api/v1/sites/{_q(site_id)}/blueprint/export", params=params, raw=True)


def extract(site_id: str, body: dict[str, Any]) -> Call:
    return Call("postSitesByIdExtract", "POST", f"/api/v1/sites/{_q(site_id)}/extract", json=body)


def start_extraction(site_id: str, urls: list[str]) -> Call:
    return Call("postSitesByIdExtractJobs", "POST", f"/api/v1/sites/{_q(site_id)}/extract/jobs", json={"urls": urls})


def extraction_results(job_id: str, format: str = "json") -> Call:
    return Call("getJobsByIdResults", "GET", f"/api/v1/jobs/{_q(job_id)}/results", params={"format": format}, raw=True)


def create_report(request: dict[str, Any]) -> Call:
    return Call("postReports", "POST", "/api/v1/reports", json=request)


def get_report(report_id: str) -> Call:
    return Call("getReportsById", "GET", f"/api/v1/reports/{_q(report_id)}")


def download_report(report_id: str) -> Call:
    return Call("getReportsByIdDownload", "GET", f"/api/v1/reports/{_q(report_id)}/download", raw=True)


#: The live event stream, read by the clients' ``events()``.
EVENTS = Call("getEvents", "GET", "/api/v1/events")

#: Operations of the OpenAPI document the SDK does not wrap (call them with ``client.request``):
#: administration, workspace management, schedules and analytics. tests/test_drift.py fails when
#: an operation is neither wrapped nor listed here.
NOT_WRAPPED = frozenset(
    """
    postAuthLogout deleteAuthMe patchAuthMe getAuthProviders getAuthOauthByProvider getAuthOauthByProviderCallback
    getWorkspaces postWorkspaces getWorkspacesByWorkspaceId getWorkspace deleteWorkspace patchWorkspace
    getWorkspaceMembers deleteWorkspaceMembersByUserId patchWorkspaceMembersByUserId getWorkspaceInvitations
    postWorkspaceInvitations deleteWorkspaceInvitationsByInvitationId postInvitationsAccept getApiKeys
    deleteApiKeysByKeyId getHealthLive getHealthReady getVersion patchSitesById getSitesByIdChecks
    postSitesBatchDelete getQueues postQueuesPause postQueuesResume patchSitesByIdBlueprint getSitesByIdBlueprints
    getSitesByIdBlueprintsDiff getSitesByIdBlueprintsByVersion postSitesByIdBlueprintsByVersionRollback getOverview
    getLlmUsage getLlmBudget putLlmBudget getReports getReportSchedules postReportSchedules deleteReportSchedulesById
    getAnalyticsSummary getAnalyticsTimeseries getAdminUsers getAdminUsersById postAdminUsersByIdDisable
    postAdminUsersByIdEnable putAdminUsersByIdSystemAdmin getAdminWorkspaces getAdminWorkspacesByIdMembers
    getAdminApiKeys postAdminApiKeysByIdRevoke getAdminAudit getAdminAuditById getAdminAuditExport getAdminSystem
    getAdminLogs getAdminRoles getAdminBackups postAdminBackups getAdminBackupsByName
    deleteAdminUsersById postAdminUsersByIdResetPassword getAdminPlans postAdminPlans patchAdminPlansById
    getAdminQuotaDefaults putAdminQuotaDefaults getAdminWorkspacesByIdQuota putAdminWorkspacesByIdQuota getUsage
    getAdminWorkspacesByIdUsage postAdminWorkspacesByIdSuspend postAdminWorkspacesByIdUnsuspend
    getNotifications getNotificationsUnreadCount postNotificationsRead getNotificationsUnsubscribe
    getNotificationPreferences putNotificationPreferences getNotificationChannels postNotificationChannels
    deleteNotificationChannelsByChannelId getWebhooks postWebhooks patchWebhooksByEndpointId deleteWebhooksByEndpointId
    getWebhooksByEndpointIdDeliveries postWebhooksByEndpointIdTest postWebhooksByEndpointIdDeliveriesByDeliveryIdRedeliver
    getNotificationSettings putNotificationSettings postGraphql
    getAdminSettings putAdminSettings postAdminSettingsSmtpTest getAdminCaches postAdminCachesByNameClear
    """.split()
)
