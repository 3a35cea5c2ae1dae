"""Failed answers as exceptions carrying the server's RFC 9457 problem document."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx


class SiteprintError(Exception):
    """An answer other than 2xx. ``problem`` is the problem document; ``request_id`` what to quote."""

    def __init__(self, status: int, problem: dict[str, Any], response: httpx.Response | None = None) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or f"Request failed ({status})")
        self.status = status
        self.problem = problem
        self.response = response
        self.errors: list[dict[str, Any]] = problem.get("errors") or []
        self.request_id: str | None = problem.get("requestId") or (
            response.headers.get("x-request-id") if response is not None else None
        )


class ValidationError(SiteprintError): ...


class AuthenticationError(SiteprintError): ...


class PermissionError_(SiteprintError): ...


class NotFoundError(SiteprintError): ...


class ConflictError(SiteprintError): ...


class ServerError(SiteprintError): ...


class RateLimitedError(SiteprintError):
    @property
    def retry_after_seconds(self) -> float | None:
        return retry_after_seconds(self.response.headers.get("retry-after")) if self.response is not None else None


class JobFailedError(Exception):
    """A job that ended failed or cancelled while the caller waited for it."""

    def __init__(self, job: dict[str, Any]) -> None:
        super().__init__(f"Job {job['id']} ({job['type']}) {job['status']}: {job.get('error') or ''}".rstrip(": "))
        self.job = job


_BY_STATUS: dict[int, type[SiteprintError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionError_,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def problem_error(response: httpx.Response) -> SiteprintError:
    try:
        body = response.json()
    except ValueError:
        body = None
    problem = body if isinstance(body, dict) else {"title": response.reason_phrase, "status": response.status_code}
    cls = _BY_STATUS.get(response.status_code) or (ServerError if response.status_code >= 500 else SiteprintError)
    return cls(response.status_code, problem, response)


def retry_after_seconds(header: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(header).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
