"""`/move`: a one-time code issued in one channel continues the same case in another.

Issued on the terminal (a hotline call on the console uses the same path), redeemed on Telegram
through the webhook and the fake Bot API; reused, expired and guessed codes are refused, and
wrong guesses are limited per user."""

# ruff: noqa: F811 - the backend_settings fixture is imported, then named as a parameter

from __future__ import annotations

import re

from fakes.telegram_harness import webhook_harness
from fakes.telegram_payloads import TelegramUser
from sqlalchemy import text
from store_backends import backend_settings  # noqa: F401 - a fixture (parametrized: sqlite, pg)

from bot.config import Settings
from bot.followups.effects import MOVE_FAILURE_WINDOW, MOVE_FAILURES_ALLOWED
from bot.service import Service
from bot.types import Inbound

CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}")
INVALID = "换绑码不对"
LIMITED = "输错的次数太多了"


class Clock:
    def __init__(self) -> None:
        self.now = 1_795_000_000.0

    def __call__(self) -> float:
        return self.now


def say(service: Service, user_key: str, message: str) -> str:
    return service.handle_sync(Inbound(user_key, message)).outbound.text


def issue_code(service: Service, user_key: str) -> str:
    say(service, user_key, "/move")
    reply = say(service, user_key, "生成换绑码")
    match = CODE.search(reply)
    assert match, reply
    return match.group(0)


def start_a_case(service: Service, user_key: str) -> None:
    for message in ("/start", "1", "1 2", "1 2", "3"):  # borrower; me+family; calls+sms; many/day
        say(service, user_key, message)


async def test_code_issued_on_the_terminal_is_redeemed_on_telegram(backend_settings: Settings) -> None:
    clock = Clock()
    async with webhook_harness(backend_settings, clock=clock) as h:
        service = h.service
        start_a_case(service, "terminal:hotline-7")
        before = service.session("terminal:hotline-7")
        assert before is not None and before.answers.get("methods") == ["calls", "sms"]
        code = issue_code(service, "terminal:hotline-7")
        user = TelegramUser(4321)
        await h.post(user.text("/move"))
        await h.post(user.text(code.lower().replace("-", " ")))  # case and dashes do not matter
        reply = h.fake.sent_texts(4321)[-1]
        assert "欢迎回来" in reply
        moved = service.session("telegram:4321")
        assert moved is not None
        assert moved.state == before.state and moved.answers["methods"] == ["calls", "sms"]
        assert service.session("terminal:hotline-7") is None  # the old binding has ended
        history = service.store.transcript("telegram:4321")
        assert len(history) >= 5  # the history came along
        assert not any(code in str(turn) for turn in history)  # the code is never recorded
        # the same code again, from someone else: refused
        other = TelegramUser(9876)
        await h.post(other.text("/move"))
        await h.post(other.text(code))
        assert INVALID in h.fake.sent_texts(9876)[-1]
        assert service.session("telegram:9876").answers.get("methods") is None  # type: ignore[union-attr]


def test_expired_and_own_codes_are_refused(backend_settings: Settings) -> None:
    clock = Clock()
    service = Service.open(backend_settings, clock=clock)
    try:
        start_a_case(service, "terminal:a")
        code = issue_code(service, "terminal:a")
        say(service, "terminal:a", "/move")
        assert INVALID in say(service, "terminal:a", code)  # your own code moves nothing
        clock.now += 601  # ten minutes and a second
        say(service, "terminal:b", "/move")
        assert INVALID in say(service, "terminal:b", code)
        assert service.session("terminal:a") is not None
        fresh = issue_code(service, "terminal:a")
        clock.now += 599
        say(service, "terminal:b", "/move")
        assert "欢迎回来" in say(service, "terminal:b", fresh)
    finally:
        service.close()


def test_guessing_is_limited_per_user(backend_settings: Settings) -> None:
    clock = Clock()
    service = Service.open(backend_settings, clock=clock)
    try:
        start_a_case(service, "terminal:victim")
        code = issue_code(service, "terminal:victim")
        say(service, "terminal:guesser", "/move")
        for guess in range(MOVE_FAILURES_ALLOWED):
            assert INVALID in say(service, "terminal:guesser", f"AAAA-{guess:04d}")
            say(service, "terminal:guesser", "重新输入换绑码")
        assert LIMITED in say(service, "terminal:guesser", code)  # even the right code now
        assert service.session("terminal:victim") is not None
        clock.now += MOVE_FAILURE_WINDOW + 1  # the pause is over (and that code has expired)
        code = issue_code(service, "terminal:victim")
        say(service, "terminal:guesser", "重新输入换绑码")
        assert "欢迎回来" in say(service, "terminal:guesser", code)
        with service.store.db.connect() as conn:
            stored = conn.execute(text("SELECT code_hash FROM move_codes")).scalars().all()
        assert stored and all(code.replace("-", "") not in h for h in stored)  # hashes only
    finally:
        service.close()


def test_codes_per_hour_are_limited(backend_settings: Settings) -> None:
    clock = Clock()
    service = Service.open(backend_settings, clock=clock)
    try:
        for _ in range(5):
            issue_code(service, "terminal:many")
        say(service, "terminal:many", "/move")
        assert "换绑码太多" in say(service, "terminal:many", "生成换绑码")
        clock.now += 2 * 86400  # dead codes are pruned; a new one can be made
        issue_code(service, "terminal:many")
        with service.store.db.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM move_codes")).scalar() == 1
    finally:
        service.close()


def test_a_hotline_call_moves_to_the_callers_wechat(tmp_settings: Settings, free_port: int) -> None:
    from test_console_http import csrf_of, running_console, signed_in_client

    with running_console(tmp_settings, free_port) as console:
        client, token = signed_in_client(console)
        call = client.post("/console/call/new", data={"csrf": token}).headers["location"]
        client.post(call, data={"csrf": token, "option": "self"})
        page = client.get(call).text
        assert "换到用户自己的微信或 Telegram 继续" in page
        client.post(call, data={"csrf": csrf_of(page), "command": "move"})
        client.post(call, data={"csrf": token, "option": "issue"})
        match = CODE.search(client.get(call).text)
        assert match, "the call page shows no code to read out"
        service = console.service
        call_key = "console:" + call.rsplit("/", 1)[1]
        say(service, "wechat:oCaller", "/move")
        assert "欢迎回来" in say(service, "wechat:oCaller", match.group(0))
        assert service.session(call_key) is None
        moved = service.session("wechat:oCaller")
        assert moved is not None and moved.state == "h_contacted"
        client.close()


def test_a_code_that_reads_like_a_question_is_taken_as_a_code(tmp_settings: Settings) -> None:
    service = Service.open(tmp_settings)
    try:
        say(service, "terminal:mover", "/move")
        # digits of a random code once read as a question about the 24 % and 36 % rates
        assert INVALID in say(service, "terminal:mover", "24KM-36XY")
    finally:
        service.close()
