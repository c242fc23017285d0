"""The start-up check of the long-running commands: no short or published secrets.

`serve`, `telegram` and `worker` refuse to start with a data key or console secret shorter than
MIN_SECRET characters, or equal to a value shown in deploy/.env.example: a secret copied from the
example is public, so it would let anyone forge console sessions or read the data at rest.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.config import PACKAGE_DIR, Settings

MIN_SECRET = 32
# Values deploy/.env.example shows (today's and earlier ones): whoever copied the file has them.
PUBLISHED = frozenset(
    {
        "change-me-to-a-long-random-secret",
        "change-me-to-another-long-random-secret",
        "change-me-too",
        "replace-with-output-of-secrets-token-urlsafe-32",
    }
)
EXAMPLE = PACKAGE_DIR.parent / "deploy" / ".env.example"


def example_values(path: Path = EXAMPLE) -> frozenset[str]:
    """Every value assigned in the example file (also commented-out ones), when it is at hand."""
    if not path.is_file():
        return frozenset()
    values = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip().lstrip("#").strip()
        if "=" in line and line.split("=", 1)[0].isupper():
            value = line.split("=", 1)[1].strip().strip('"').strip("'")
            if value:
                values.add(value)
    return frozenset(values)


def config_problems(settings: Settings) -> list[str]:
    """What forbids starting a server with these settings, one sentence per variable."""
    problems = []
    published = PUBLISHED | example_values()
    for name, secret in (
        ("WEIQUAN_DATA_KEY", settings.data_key),
        ("WEIQUAN_CONSOLE_SECRET", settings.console_secret),
    ):
        value = secret.reveal()
        if value in published:
            problems.append(f"{name} is the example value from deploy/.env.example: set a random secret")
        elif len(value) < MIN_SECRET:
            problems.append(f"{name} is shorter than {MIN_SECRET} characters: set a random secret")
    if settings.public_url is not None:
        parts = urlsplit(settings.public_url)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.path or parts.query:
            problems.append("WEIQUAN_PUBLIC_URL must be an origin such as https://bot.example.org")
    return problems
