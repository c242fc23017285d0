"""Smaller holes: /delete resetting the /move guess limit, and authentic Telegram updates with
impossible ids or non-text text (acknowledged, dropped, no session, no resend loop)."""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import copy
import logging

import pytest
from fakes.telegram_harness import webhook_harness
from fakes.telegram_payloads import TelegramUser, next_update_id
from store_backends import backend_settings  # noqa: F401 - fixture
from test_move_codes import INVALID, LIMITED, Clock, issue_code, say, start_a_case

from bot.config import Settings
from bot.followups.effects import MOVE_FAILURES_ALLOWED
from bot.service import Service
from bot.types import Inbound


def test_delete_does_not_reset_the_move_guess_limit(backend_settings: Settings) -> None:
    service = Service.open(backend_settings, clock=Clock())
    try:
        start_a_case(service, "terminal:victim")
        code = issue_code(service, "terminal:victim")
        say(service, "terminal:guesser", "/move")
        for guess in range(MOVE_FAILURES_ALLOWED):
            assert INVALID in say(service, "terminal:guesser", f"AAAA-{guess:04d}")
            say(service, "terminal:guesser", "重新输入换绑码")
        say(service, "terminal:guesser", "/delete")
        deleted = service.handle_sync(Inbound("terminal:guesser", option_ids=("confirm",)))
        assert "deleted" in deleted.outbound.effects
        say(service, "terminal:guesser", "/move")
        assert LIMITED in say(service, "terminal:guesser", code)  # a fresh start is no fresh quota
        assert service.session("terminal:victim") is not None
    finally:
        service.close()


def _variants(user: TelegramUser) -> list[dict[str, object]]:
    number_text = user.text("/start")
    number_text["message"]["text"] = 12345
    bad_updates = [number_text]
    for bad_id in ("abc", 1e30, 2**64, True, None):
        update = copy.deepcopy(user.text("/start"))
        update["message"]["from"] = {**update["message"]["from"], "id": bad_id}
        update["message"]["chat"] = {**update["message"]["chat"], "id": bad_id}
        bad_updates.append(update)
    for update in bad_updates:
        update["update_id"] = next_update_id()
    return bad_updates


async def test_malformed_telegram_updates_are_acknowledged_and_dropped(
    tmp_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    user = TelegramUser(5151)
    async with webhook_harness(tmp_settings) as h:
        with caplog.at_level(logging.WARNING):
            for update in _variants(user):
                response = await h.post(update)
                assert response.status_code == 200, update
        assert h.service.store.count_sessions() == 0
        assert h.fake.calls_to("sendMessage") == []
        assert sum("dropped" in r.getMessage() for r in caplog.records) == len(_variants(user))
        ok = await h.post(user.text("/start"))  # the same user, well formed: served as always
        assert ok.status_code == 200 and h.stage("telegram:5151") == "welcome"
