"""What a test does when something outside Python is missing (PostgreSQL, Chromium, nginx, ../shared).

On a developer's machine it skips with the reason. Under CI=true it fails: `make test` installs
all of these there, so a missing one means a broken set-up, not a test to leave out quietly.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)
