"""UserKey: the one place a "channel:id" user key is parsed and written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.types import Inbound, UserKey


@pytest.mark.parametrize(
    ("text", "channel", "user_id"),
    [
        ("telegram:12345", "telegram", "12345"),
        ("wechat:oAbC-_x", "wechat", "oAbC-_x"),
        ("console:9f8e7d", "console", "9f8e7d"),
        ("terminal:a:b", "terminal", "a:b"),  # only the first colon separates
    ],
)
def test_parse_and_format_round_trip(text: str, channel: str, user_id: str) -> None:
    key = UserKey.parse(text)
    assert (key.channel, key.id) == (channel, user_id)
    assert str(key) == text
    assert Inbound(text).channel == channel


@pytest.mark.parametrize("text", ["", "telegram", ":123", "telegram:", ":"])
def test_malformed_keys_are_refused_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="a user key is CHANNEL:ID"):
        UserKey.parse(text)


def test_the_command_line_refuses_a_malformed_user_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--user", "telegram"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "a user key is CHANNEL:ID" in done.stderr and "Traceback" not in done.stderr
