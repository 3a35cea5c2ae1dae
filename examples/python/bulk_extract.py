"""Bulk add sites from a CSV file and export what their blueprints extract.

    SITEPRINT_URL=http://localhost:3000 SITEPRINT_API_KEY=sp_... \\
      PYTHONPATH=sdk/python python3 examples/python/bulk_extract.py sites.csv results.csv

sites.csv has a header row and the columns url, name, page (a page of the site to extract).
results.csv gets one row per page: site, page, page type, and the extracted fields as JSON.
"""

import csv
import json
import os
import sys

from siteprint import Siteprint


def main(source: str, target: str) -> None:
    with open(source, newline="") as file:
        rows = list(csv.DictReader(file))
    with Siteprint(os.environ["SITEPRINT_URL"], api_key=os.environ["SITEPRINT_API_KEY"]) as client:
        results = client.add_sites([{"url": row["url"], "name": row["name"]} for row in rows])["results"]
        records = [["site", "page", "pageType", "data"]]
        for row, result in zip(rows, results):
            if result["status"] != "created":
                print(f"{result['url']}: {result['status']} {result.get('error') or ''}".rstrip())
                continue
            client.wait_job(result["jobId"], interval=0.25, on_progress=lambda job: print(f"{result['url']}: {job['step'] or job['status']}"))
            [record] = client.extract_urls(result["siteId"], [row["page"]])
            records.append([result["url"], record["url"], record["pageType"] or "", json.dumps(record["data"])])
    with open(target, "w", newline="") as file:
        csv.writer(file).writerows(records)
    print(f"wrote {len(records) - 1} records to {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
