"""Where the live server under test runs: set by test/sdk/python-sdk.test.ts (or by hand)."""

import os

BASE_URL = os.environ["SITEPRINT_URL"]
SHOP_URL = os.environ["SITEPRINT_SHOP_URL"]
PASSWORD = "correct horse battery"
