"""The Python SDK against a real Siteprint server, through the SDK only."""

import asyncio
import json
import unittest
import uuid

import httpx

from siteprint import (
    AsyncSiteprint,
    AuthenticationError,
    Event,
    NotFoundError,
    RateLimitedError,
    Siteprint,
    ValidationError,
)

from .live import BASE_URL, PASSWORD, SHOP_URL

EMAIL = "grace@example.com"
FIELDS = [{"name": name} for name in ("title", "author", "isbn_13", "publisher", "price")]


class LiveServerTest(unittest.TestCase):
    """Runs in order (unittest sorts by name): the analysis first, the sign-in limit last."""

    client: Siteprint
    key: str
    site_id: str

    @classmethod
    def setUpClass(cls) -> None:
        with Siteprint(BASE_URL) as anonymous:
            anonymous.register(EMAIL, "Grace", PASSWORD)
        with Siteprint.login(BASE_URL, EMAIL, PASSWORD) as session:
            key = session.create_api_key("python sdk", ["sites:read", "sites:write", "jobs:read", "jobs:write", "blueprints:read"])
        assert key["secret"].startswith("sp_")
        cls.key = key["secret"]
        cls.client = Siteprint(BASE_URL, api_key=cls.key)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def test_1_adds_a_site_and_waits_for_its_analysis_with_progress_and_live_events(self) -> None:
        async def scenario() -> tuple[list[Event], list[dict], tuple]:
            events: list[Event] = []

            async def listen() -> None:
                async with AsyncSiteprint(BASE_URL, api_key=self.key) as live:
                    async for event in live.events():
                        events.append(event)
                        if event.data.get("type") == "update_blueprint" and event.data.get("status") == "succeeded":
                            return

            listener = asyncio.ensure_future(listen())
            await asyncio.sleep(0.5)
            progress: list[dict] = []
            result = await asyncio.to_thread(
                self.client.add_and_analyze,
                {"url": f"{SHOP_URL}/", "name": "Quire", "fields": FIELDS, "maxPages": 10},
                interval=0.1,
                timeout=50,
                on_progress=progress.append,
            )
            await asyncio.wait_for(listener, 20)
            return events, progress, result

        events, progress, (site, job) = asyncio.run(scenario())
        type(self).site_id = site["id"]
        self.assertEqual(job["status"], "succeeded")
        self.assertEqual((site["status"], site["health"]), ("ready", "healthy"))
        self.assertGreaterEqual(len(progress), 2)
        self.assertEqual(progress[-1]["status"], "succeeded")
        self.assertTrue(any(e.type == "job.log" and e.data["parentId"] == job["id"] for e in events))
        self.assertTrue(all(e.data["siteId"] == site["id"] and isinstance(e.data["at"], str) for e in events))

    def test_2_reads_the_blueprint_exports_it_and_extracts(self) -> None:
        blueprint = self.client.get_blueprint(self.site_id)
        names = sorted(field["name"] for field in blueprint["content"]["pageTypes"][0]["fields"])
        self.assertEqual(names, sorted(field["name"] for field in FIELDS))
        exported = self.client.export_blueprint(self.site_id, "json")
        self.assertIn("json", exported.content_type)
        self.assertEqual(json.loads(exported.text())["schemaVersion"], 1)
        self.assertIn("pageTypes:", self.client.export_blueprint(self.site_id, "yaml").text())

        examples = set(blueprint["content"]["pageTypes"][0]["match"]["examples"])
        product = next(url for url in examples)
        [record] = self.client.extract_urls(self.site_id, [product])
        self.assertIsNone(record["error"])
        self.assertTrue(record["data"]["title"])
        html = httpx.get(product).text
        self.assertEqual(self.client.extract_html(self.site_id, html, product)["data"]["title"], record["data"]["title"])

    def test_3_pages_through_jobs(self) -> None:
        first = self.client.list_jobs(limit=2)
        self.assertEqual(len(first["items"]), 2)
        self.assertIsNotNone(first["nextCursor"])
        every = list(self.client.iter_jobs(limit=2))
        self.assertEqual(len(every), first["total"])
        self.assertEqual(len({job["id"] for job in every}), first["total"])

        async def async_ids() -> list[str]:
            async with AsyncSiteprint(BASE_URL, api_key=self.key) as client:
                return [job["id"] async for job in client.iter_jobs(limit=3)]

        self.assertEqual(asyncio.run(async_ids()), [job["id"] for job in every])
        self.assertEqual([site["id"] for site in self.client.iter_sites(limit=1)], [self.site_id])

    def test_4_refreshes_an_expired_session_silently(self) -> None:
        with Siteprint.login(BASE_URL, EMAIL, PASSWORD) as signed_in:
            refresh_token = signed_in.session["refreshToken"]
        handed: list[dict] = []
        stale = {"accessToken": "expired.or.forged", "refreshToken": refresh_token}
        with Siteprint(BASE_URL, session=stale, on_session=handed.append) as client:
            self.assertEqual(client.me()["email"], EMAIL)
        self.assertEqual(len(handed), 1)
        self.assertNotEqual(handed[0]["refreshToken"], refresh_token)

        async def concurrent() -> list[dict]:
            again: list[dict] = []
            session = {"accessToken": "expired.or.forged", "refreshToken": handed[0]["refreshToken"]}
            async with AsyncSiteprint(BASE_URL, session=session, on_session=again.append) as client:
                await asyncio.gather(client.get_site(self.site_id), client.list_jobs())
            return again

        self.assertEqual(len(asyncio.run(concurrent())), 1)

    def test_5_raises_typed_problems_404_400_and_429(self) -> None:
        with self.assertRaises(NotFoundError) as missing:
            self.client.get_site(str(uuid.uuid4()))
        self.assertEqual(missing.exception.status, 404)
        self.assertTrue(missing.exception.request_id)
        with self.assertRaises(ValidationError) as invalid:
            self.client.add_site({"url": "ftp://files.example/"})
        self.assertEqual(invalid.exception.errors[0]["path"], "/url")

        failures: list[Exception] = []
        for _ in range(7):
            try:
                Siteprint.login(BASE_URL, EMAIL, "wrong password")
            except (AuthenticationError, RateLimitedError) as error:
                failures.append(error)
        self.assertIsInstance(failures[0], AuthenticationError)
        self.assertIsInstance(failures[-1], RateLimitedError)
        self.assertGreater(failures[-1].retry_after_seconds or 0, 0)


if __name__ == "__main__":
    unittest.main()
