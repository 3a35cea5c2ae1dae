"""Monitor the health of a workspace's sites and print every change as it happens.

    SITEPRINT_URL=http://localhost:3000 SITEPRINT_API_KEY=sp_... \\
      PYTHONPATH=sdk/python python3 examples/python/monitor.py

Prints each site's health at start, then a line whenever a check, repair or analysis changes it
(e.g. "Quire (https://quire.example): healthy -> degraded"). Runs until interrupted.
"""

import os

from siteprint import Siteprint

# The jobs after which a site's health may have changed.
HEALTH_JOBS = {"check_site", "repair_blueprint", "analyze_site"}


def main() -> None:
    health: dict[str, str] = {}
    with Siteprint(os.environ["SITEPRINT_URL"], api_key=os.environ["SITEPRINT_API_KEY"]) as client:

        def look(site_id: str) -> None:
            site = client.get_site(site_id)
            before = health.get(site_id)
            health[site_id] = site["health"]
            if before is None:
                print(f"{site['name']} ({site['url']}): {site['health']}", flush=True)
            elif before != site["health"]:
                print(f"{site['name']} ({site['url']}): {before} -> {site['health']}", flush=True)

        def opened() -> None:
            # Read the current health once the stream is open, so no change falls in between.
            for site in client.iter_sites():
                look(site["id"])
            print(f"watching {len(health)} sites for health changes", flush=True)

        try:
            for event in client.events(on_open=opened):
                data = event.data
                if (
                    event.type == "job.updated"
                    and data.get("type") in HEALTH_JOBS
                    and data.get("siteId")
                    and data.get("status") in ("succeeded", "failed")
                ):
                    look(data["siteId"])
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
