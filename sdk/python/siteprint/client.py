"""Sync and async clients for the Siteprint API on httpx."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from . import _operations as ops
from ._operations import Call
from .errors import JobFailedError, problem_error, retry_after_seconds
from .models import CreatedApiKey, ExtractionResult, Job, Page, Report, Session, SiteDetail, StartedJob

TERMINAL = {"succeeded", "failed", "cancelled"}
SIGN_IN_PATHS = {"/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/register"}


@dataclass
class Download:
    """A file the API sent: exported blueprints, report files, extraction results."""

    file_name: str | None
    content_type: str
    content: bytes

    def text(self) -> str:
        return self.content.decode("utf-8")


@dataclass
class Event:
    """One live event of the workspace: its type (job.updated, job.log, ...) and data (with ``at``)."""

    type: str
    data: dict[str, Any]


class _SseDecoder:
    """Server-Sent Events framing (WHATWG): fields per line, an empty line ends the event."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> Event | None:
        if line == "":
            event, data = self._event, "\n".join(self._data)
            self._event, self._data = "", []
            return Event(event, json.loads(data)) if event and data else None
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


class _Policy:
    """What both clients decide alike: credentials, retries and when to refresh."""

    def __init__(
        self,
        api_key: str | None,
        session: dict[str, Any] | None,
        workspace_id: str | None,
        on_session: Callable[[Session], None] | None,
        retries: int,
        max_retry_after: float,
    ) -> None:
        self.api_key = api_key
        self.session = session
        self.workspace_id = workspace_id
        self.on_session = on_session
        self.retries = retries
        self.max_retry_after = max_retry_after

    def headers(self, call: Call) -> dict[str, str]:
        headers = dict(call.headers)
        if self.api_key:
            headers["x-api-key"] = self.api_key
        elif self.session:
            headers["authorization"] = f"Bearer {self.session['accessToken']}"
        if self.workspace_id and call.path != "/api/v1/workspaces":
            headers["x-workspace-id"] = self.workspace_id
        return headers

    def retry_delay(self, call: Call, response: httpx.Response | None, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to hand the answer back."""
        if attempt >= self.retries:
            return None
        status = response.status_code if response is not None else 0
        if response is not None and status != 429 and status < 500:
            return None
        # A POST is sent again only after a 429 (turned away before acting) or with an Idempotency-Key.
        if status != 429 and call.method == "POST" and "idempotency-key" not in call.headers:
            return None
        backoff = 0.5 * 2**attempt * (1 + random.random())
        asked = retry_after_seconds(response.headers.get("retry-after")) if response is not None else None
        if asked is not None and asked > self.max_retry_after:
            return None
        return max(backoff, asked or 0)

    def should_refresh(self, call: Call, response: httpx.Response) -> bool:
        return response.status_code == 401 and bool(self.session) and call.path not in SIGN_IN_PATHS

    def adopt(self, session: Session) -> None:
        self.session = dict(session)
        if self.on_session:
            self.on_session(session)


def _result(call: Call, response: httpx.Response) -> Any:
    if response.is_error:
        raise problem_error(response)
    if call.raw:
        disposition = response.headers.get("content-disposition", "")
        name = disposition.split("filename=", 1)[1].strip('"') if "filename=" in disposition else None
        return Download(name, response.headers.get("content-type", "application/octet-stream"), response.content)
    return response.json() if response.content else None


class Siteprint:
    """The Siteprint API, synchronously. Use ``Siteprint.login(...)`` for a session or pass ``api_key``."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        session: dict[str, Any] | None = None,
        workspace_id: str | None = None,
        on_session: Callable[[Session], None] | None = None,
        retries: int = 3,
        max_retry_after: float = 30.0,
        timeout: float = 30.0,
    ) -> None:
        self._policy = _Policy(api_key, session, workspace_id, on_session, retries, max_retry_after)
        self._http = httpx.Client(base_url=base_url, timeout=timeout)

    @classmethod
    def login(cls, base_url: str, email: str, password: str, **options: Any) -> Siteprint:
        with cls(base_url, **options) as anonymous:
            session = anonymous.request(ops.login(email, password))
        return cls(base_url, session=session, **options)

    @property
    def session(self) -> dict[str, Any] | None:
        return self._policy.session

    def __enter__(self) -> Siteprint:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: Call) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response: httpx.Response | None = self._http.request(
                    call.method, call.path, params=call.params, json=call.json, headers=self._policy.headers(call)
                )
            except httpx.TransportError:
                response = None
                if self._policy.retry_delay(call, None, attempt) is None:
                    raise
            delay = self._policy.retry_delay(call, response, attempt)
            if response is not None and delay is None:
                return response
            time.sleep(delay or 0)
            attempt += 1

    def request(self, call: Call) -> Any:
        """Sends one operation (see ``siteprint._operations``) with auth, retries and silent refresh."""
        response = self._send(call)
        if self._policy.should_refresh(call, response) and self._refresh():
            response = self._send(call)
        return _result(call, response)

    def _refresh(self) -> bool:
        assert self._policy.session is not None
        response = self._send(ops.refresh(self._policy.session["refreshToken"]))
        if response.is_error:
            return False
        self._policy.adopt(response.json())
        return True

    # Accounts and keys
    def register(self, email: str, name: str, password: str, setup_token: str | None = None) -> dict[str, Any]:
        return self.request(ops.register(email, name, password, setup_token))

    def me(self) -> dict[str, Any]:
        return self.request(ops.me())

    def create_api_key(self, name: str, scopes: list[str]) -> CreatedApiKey:
        return self.request(ops.create_api_key(name, scopes))

    # Sites
    def list_sites(self, limit: int | None = None, cursor: str | None = None, **filters: Any) -> Page:
        return self.request(ops.list_sites(limit, cursor, **filters))

    def iter_sites(self, limit: int | None = None, **filters: Any) -> Iterator[dict[str, Any]]:
        return self._iterate(lambda cursor: self.list_sites(limit, cursor, **filters))

    def get_site(self, site_id: str) -> SiteDetail:
        return self.request(ops.get_site(site_id))

    def add_site(self, site: dict[str, Any], idempotency_key: str | None = None) -> StartedJob:
        return self.request(ops.add_site(site, idempotency_key))

    def add_sites(self, sites: list[dict[str, Any]]) -> dict[str, Any]:
        return self.request(ops.add_sites(sites))

    def delete_site(self, site_id: str) -> Any:
        return self.request(ops.delete_site(site_id))

    def analyze_site(self, site_id: str) -> StartedJob:
        return self.request(ops.analyze_site(site_id))

    def add_and_analyze(self, site: dict[str, Any], **wait: Any) -> tuple[SiteDetail, Job]:
        started = self.add_site(site)
        job = self.wait_job(started["job"]["id"], **wait)
        return self.get_site(started["site"]["id"]), job

    # Jobs
    def list_jobs(self, limit: int | None = None, cursor: str | None = None, **filters: Any) -> Page:
        return self.request(ops.list_jobs(limit, cursor, **filters))

    def iter_jobs(self, limit: int | None = None, **filters: Any) -> Iterator[Job]:
        return self._iterate(lambda cursor: self.list_jobs(limit, cursor, **filters))

    def get_job(self, job_id: str) -> Job:
        return self.request(ops.get_job(job_id))

    def job_logs(self, job_id: str, after: int | None = None, limit: int | None = None) -> dict[str, Any]:
        return self.request(ops.job_logs(job_id, after, limit))

    def cancel_job(self, job_id: str) -> Any:
        return self.request(ops.cancel_job(job_id))

    def retry_job(self, job_id: str) -> Any:
        return self.request(ops.retry_job(job_id))

    def wait_job(
        self,
        job_id: str,
        *,
        on_progress: Callable[[Job], None] | None = None,
        interval: float = 1.0,
        timeout: float | None = None,
    ) -> Job:
        """Polls until the job ends; raises JobFailedError when it failed or was cancelled."""
        deadline = None if timeout is None else time.monotonic() + timeout
        last = None
        while True:
            job = self.get_job(job_id)
            seen = (job["status"], job["step"], job["progress"])
            if seen != last and on_progress:
                on_progress(job)
            last = seen
            if job["status"] in TERMINAL:
                if job["status"] != "succeeded":
                    raise JobFailedError(dict(job))
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job['status']} after {timeout} s")
            time.sleep(interval)

    # Blueprints, extraction, reports
    def get_blueprint(self, site_id: str) -> dict[str, Any]:
        return self.request(ops.get_blueprint(site_id))

    def export_blueprint(self, site_id: str, format: str = "json", version: int | None = None) -> Download:
        return self.request(ops.export_blueprint(site_id, format, version))

    def extract_urls(self, site_id: str, urls: list[str]) -> list[ExtractionResult]:
        return self.request(ops.extract(site_id, {"urls": urls}))["results"]

    def extract_html(self, site_id: str, html: str, url: str) -> ExtractionResult:
        return self.request(ops.extract(site_id, {"html": html, "url": url}))["results"][0]

    def start_extraction(self, site_id: str, urls: list[str]) -> StartedJob:
        return self.request(ops.start_extraction(site_id, urls))

    def extraction_results(self, job_id: str, format: str = "json") -> Download:
        return self.request(ops.extraction_results(job_id, format))

    def create_report(self, request: dict[str, Any]) -> Report:
        return self.request(ops.create_report(request))

    def get_report(self, report_id: str) -> Report:
        return self.request(ops.get_report(report_id))

    def download_report(self, report_id: str) -> Download:
        return self.request(ops.download_report(report_id))

    def events(self, on_open: Callable[[], None] | None = None) -> Iterator[Event]:
        """The workspace's live events as they happen; stop by leaving the loop.

        ``on_open`` is called once the stream is open: events from then on are delivered, so it is
        where to read the state the events will update.
        """
        call = ops.EVENTS
        with self._http.stream("GET", call.path, headers=self._policy.headers(call), timeout=None) as response:
            if response.is_error:
                response.read()
                raise problem_error(response)
            if on_open:
                on_open()
            decoder = _SseDecoder()
            for line in response.iter_lines():
                event = decoder.feed(line.rstrip("\r\n"))
                if event:
                    yield event

    @staticmethod
    def _iterate(fetch: Callable[[str | None], Page]) -> Iterator[Any]:
        cursor: str | None = None
        while True:
            page = fetch(cursor)
            yield from page["items"]
            cursor = page["nextCursor"]
            if not cursor:
                return


class AsyncSiteprint:
    """The Siteprint API for asyncio: the same operations as ``Siteprint``, awaited."""

    def __init__(self, base_url: str, *, api_key: str | None = None, session: dict[str, Any] | None = None,
                 workspace_id: str | None = None, on_session: Callable[[Session], None] | None = None,
                 retries: int = 3, max_retry_after: float = 30.0, timeout: float = 30.0) -> None:  # fmt: skip
        self._policy = _Policy(api_key, session, workspace_id, on_session, retries, max_retry_after)
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._refreshing: asyncio.Task[bool] | None = None

    async def __aenter__(self) -> AsyncSiteprint:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._http.aclose()

    async def _send(self, call: Call) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response: httpx.Response | None = await self._http.request(
                    call.method, call.path, params=call.params, json=call.json, headers=self._policy.headers(call)
                )
            except httpx.TransportError:
                response = None
                if self._policy.retry_delay(call, None, attempt) is None:
                    raise
            delay = self._policy.retry_delay(call, response, attempt)
            if response is not None and delay is None:
                return response
            await asyncio.sleep(delay or 0)
            attempt += 1

    async def request(self, call: Call) -> Any:
        response = await self._send(call)
        if self._policy.should_refresh(call, response):
            # Concurrent requests that met the expired token share one refresh (refresh tokens are single use).
            if self._refreshing is None:
                self._refreshing = asyncio.ensure_future(self._refresh())
            refreshed = await self._refreshing
            self._refreshing = None
            if refreshed:
                response = await self._send(call)
        return _result(call, response)

    async def _refresh(self) -> bool:
        assert self._policy.session is not None
        response = await self._send(ops.refresh(self._policy.session["refreshToken"]))
        if response.is_error:
            return False
        self._policy.adopt(response.json())
        return True

    async def get_site(self, site_id: str) -> SiteDetail:
        return await self.request(ops.get_site(site_id))

    async def add_site(self, site: dict[str, Any], idempotency_key: str | None = None) -> StartedJob:
        return await self.request(ops.add_site(site, idempotency_key))

    async def list_jobs(self, limit: int | None = None, cursor: str | None = None, **filters: Any) -> Page:
        return await self.request(ops.list_jobs(limit, cursor, **filters))

    async def iter_jobs(self, limit: int | None = None, **filters: Any) -> AsyncIterator[Job]:
        cursor: str | None = None
        while True:
            page = await self.list_jobs(limit, cursor, **filters)
            for item in page["items"]:
                yield item
            cursor = page["nextCursor"]
            if not cursor:
                return

    async def get_job(self, job_id: str) -> Job:
        return await self.request(ops.get_job(job_id))

    async def wait_job(self, job_id: str, *, on_progress: Callable[[Job], None] | None = None, interval: float = 1.0) -> Job:
        last = None
        while True:
            job = await self.get_job(job_id)
            seen = (job["status"], job["step"], job["progress"])
            if seen != last and on_progress:
                on_progress(job)
            last = seen
            if job["status"] in TERMINAL:
                if job["status"] != "succeeded":
                    raise JobFailedError(dict(job))
                return job
            await asyncio.sleep(interval)

    async def extract_urls(self, site_id: str, urls: list[str]) -> list[ExtractionResult]:
        return (await self.request(ops.extract(site_id, {"urls": urls})))["results"]

    async def events(self, on_open: Callable[[], Awaitable[None] | None] | None = None) -> AsyncIterator[Event]:
        call = ops.EVENTS
        async with self._http.stream("GET", call.path, headers=self._policy.headers(call), timeout=None) as response:
            if response.is_error:
                await response.aread()
                raise problem_error(response)
            if on_open:
                opened = on_open()
                if opened is not None:
                    await opened
            decoder = _SseDecoder()
            async for line in response.aiter_lines():
                event = decoder.feed(line.rstrip("\r\n"))
                if event:
                    yield event
