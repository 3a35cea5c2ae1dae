"""Client for the Siteprint API: typed, sync and async, on httpx."""

from ._operations import NOT_WRAPPED, Call
from .client import AsyncSiteprint, Download, Event, Siteprint
from .errors import (
    AuthenticationError,
    ConflictError,
    JobFailedError,
    NotFoundError,
    PermissionError_,
    RateLimitedError,
    ServerError,
    SiteprintError,
    ValidationError,
)

__all__ = [
    "AsyncSiteprint",
    "AuthenticationError",
    "Call",
    "ConflictError",
    "Download",
    "Event",
    "JobFailedError",
    "NOT_WRAPPED",
    "NotFoundError",
    "PermissionError_",
    "RateLimitedError",
    "ServerError",
    "Siteprint",
    "SiteprintError",
    "ValidationError",
]
