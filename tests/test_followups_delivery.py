"""Complaint follow-ups end to end: recorded in a conversation, fired by the worker from the
database once the injected clock passes the due time, delivered exactly once through the fake
Bot API (Telegram) or the fake customer-service API (WeChat, only after the user wrote again)."""

# ruff: noqa: F811 - the backend_settings fixture is imported, then named as a parameter

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fakes.telegram_api import TOKEN, running_fake
from fakes.telegram_harness import webhook_harness
from fakes.telegram_payloads import TelegramUser
from sqlalchemy import text
from starlette.applications import Starlette
from store_backends import backend_settings  # noqa: F401 - a fixture (parametrized: sqlite, pg)

from bot.channels.push import ChannelSender, close_senders
from bot.channels.telegram.channel import Telegram
from bot.config import Secret, Settings
from bot.followups.worker import FollowupWorker, Sender
from bot.service import Service
from bot.store.db import open_engine, upgrade
from bot.types import Inbound

START = 1_795_000_000.0  # 2026-11-17, a Tuesday
DAY = 86400.0
QUESTION = "现在怎么样了"


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def record_police_report(service: Service, user_key: str) -> None:
    for message in ("/filed", "公安机关", "今天", "没有编号"):
        reply = service.handle_sync(Inbound(user_key, message)).outbound
    assert reply.state == "fu_recorded"


def questions(texts: list[str]) -> list[str]:
    return [t for t in texts if QUESTION in t]


def telegram_settings(base: Settings, api_base: str) -> Settings:
    return dataclasses.replace(base, telegram_token=Secret(TOKEN), telegram_api_base=api_base)


_senders: list[dict[str, Sender]] = []


def worker(service: Service, settings: Settings, name: str) -> FollowupWorker:
    senders: dict[str, Sender] = {"telegram": ChannelSender(Telegram(service, settings))}
    _senders.append(senders)
    return FollowupWorker(service, senders, name=name)


@pytest.fixture(autouse=True)
async def _close_bots() -> AsyncIterator[None]:
    yield
    while _senders:
        await close_senders(_senders.pop())


async def test_telegram_complaint_gets_exactly_one_follow_up_after_the_due_date(
    tmp_settings: Settings,
) -> None:
    clock = Clock()
    async with webhook_harness(tmp_settings, clock=clock) as h:
        user = TelegramUser(5551)
        for message in ("/start", "/filed", "4", "今天", "没有编号"):
            assert (await h.post(user.text(message))).status_code == 200
        recorded = h.fake.sent_texts(5551)[-1]
        # a police report has no time to answer: our check-in, never called a deadline
        assert "不是法定期限" in recorded and "F016" not in recorded and "在这里给你发消息" in recorded
        settings = telegram_settings(h.service.settings, h.fake_base)
        w = worker(h.service, settings, "w1")
        clock.now += 2 * DAY  # the check-in's 7 days have not run out
        assert await w.run_once() == 0
        clock.now += 6 * DAY
        assert await w.run_once() == 1
        assert await w.run_once() == 0
        asked = questions(h.fake.sent_texts(5551))
        assert len(asked) == 1 and "公安机关" in asked[0] and "投诉信我已经帮你填好了" in asked[0]
        _, markup = h.last_keyboard(5551)
        ids = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        assert {"resolved", "no_reply", "refused", "wait"} <= set(ids)
        # the user answers the reminder with a button: the next rung, letter filled in
        message_id, markup = h.last_keyboard(5551)
        await h.post(user.press(message_id, markup, "no_reply"))
        escalation = h.fake.sent_texts(5551)[-1]
        # after the police: reconsideration of a refusal (F016), with how to apply
        assert "下一步可以找：复议" in escalation and "7 日内" in escalation
        assert h.service.session("telegram:5551").state == "fu_escalate"  # type: ignore[union-attr]
        clock.now += 30 * DAY
        assert await w.run_once() == 0
        assert len(questions(h.fake.sent_texts(5551))) == 1


async def test_follow_up_survives_a_restart_and_two_workers_send_it_once(
    backend_settings: Settings,
) -> None:
    clock = Clock()
    with running_fake() as (fake, api_base):
        settings = telegram_settings(backend_settings, api_base)
        first = Service.open(settings, clock=clock)
        record_police_report(first, "telegram:6001")
        record_police_report(first, "telegram:6002")
        first.close()  # the process ends; nothing is kept in memory
        clock.now += 10 * DAY
        a, b = Service.open(settings, clock=clock), Service.open(settings, clock=clock)
        try:
            sent = await asyncio.gather(
                worker(a, settings, "a").run_once(), worker(b, settings, "b").run_once()
            )
            assert sum(sent) == 2
            assert await worker(a, settings, "a").run_once() == 0
        finally:
            a.close()
            b.close()
        again = Service.open(settings, clock=clock)  # another restart: nothing is sent twice
        try:
            assert await worker(again, settings, "c").run_once() == 0
        finally:
            again.close()
    for chat in (6001, 6002):
        assert len(questions(fake.sent_texts(chat))) == 1
    engine = open_engine(settings.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT claimed_by, done_at, sent_at FROM followup_jobs")).all()
    engine.dispose()
    assert len(rows) == 2 and all(r.done_at and r.sent_at for r in rows)


async def test_two_workers_on_postgresql_send_each_follow_up_once(
    tmp_settings: Settings, pg_url: str
) -> None:
    clock = Clock()
    engine = open_engine(pg_url)
    upgrade(engine)
    engine.dispose()
    with running_fake() as (fake, api_base):
        settings = dataclasses.replace(telegram_settings(tmp_settings, api_base), database_url=pg_url)
        services = [Service.open(settings, clock=clock) for _ in range(2)]
        try:
            for n in range(5):
                record_police_report(services[0], f"telegram:{7000 + n}")
            clock.now += 10 * DAY
            workers = [worker(s, settings, f"pg{i}") for i, s in enumerate(services)]
            sent = await asyncio.gather(*(w.run_once() for w in workers + workers))
            assert sum(sent) == 5
        finally:
            for service in services:
                service.close()
    for n in range(5):
        assert len(questions(fake.sent_texts(7000 + n))) == 1


async def test_cancelled_reminder_is_never_sent(backend_settings: Settings) -> None:
    clock = Clock()
    with running_fake() as (fake, api_base):
        settings = telegram_settings(backend_settings, api_base)
        service = Service.open(settings, clock=clock)
        try:
            record_police_report(service, "telegram:8001")
            for message in ("/reminders", "取消提醒", "1"):
                reply = service.handle_sync(Inbound("telegram:8001", message)).outbound
            assert "已取消 1 条提醒" in reply.text
            clock.now += 10 * DAY
            assert await worker(service, settings, "w").run_once() == 0
        finally:
            service.close()
    assert fake.calls_to("sendMessage") == []


async def test_wechat_reminder_waits_for_the_users_next_message(tmp_settings: Settings) -> None:
    from fakes.wechat_api import running_fake as running_wechat
    from fakes.wechat_harness import served, wechat_settings
    from fakes.wechat_payloads import WeChatServer, message_xml

    from bot.channels.wechat.channel import WeChat

    clock = Clock()
    openid = "oFollowUpUser"
    server = WeChatServer()
    with running_wechat() as (fake, api_base):
        settings = wechat_settings(tmp_settings, api_base, safe_mode=False)
        service = Service.open(settings, clock=clock)
        channel = WeChat(service, settings)  # the callback and the reminders share its API client
        routes = channel.routes()
        w = FollowupWorker(service, {"wechat": channel.push}, name="wx")
        try:
            async with served(Starlette(routes=routes)) as url, httpx.AsyncClient(timeout=30) as client:

                async def say(content: str, msg_id: int) -> str:
                    xml = message_xml(openid, "text", int(clock.now), Content=content, MsgId=str(msg_id))
                    callback = server.callback(xml, timestamp=int(clock.now), openid=openid)
                    response = await client.post(
                        f"{url}/wechat", params=callback.params, content=callback.body
                    )
                    assert response.status_code == 200
                    return server.reply_fields(response.content)["Content"]

                for n, message in enumerate(("/filed", "公安机关", "今天", "没有编号"), start=1):
                    reply = await say(message, n)
                assert "48 小时" in reply and "下次给我发任何消息" in reply
                clock.now += 10 * DAY
                assert await w.run_once() == 0  # WeChat may not write first: it waits
                assert questions(fake.sent_texts(openid)) == []
                await say("你好", 10)
                assert await w.run_once() == 1
                assert await w.run_once() == 0
        finally:
            await channel.aclose()
            service.close()
    asked = questions(fake.sent_texts(openid))
    assert len(asked) == 1 and "1. 已经解决了" in asked[0]


def test_followup_tables_are_erased_with_the_user(backend_settings: Settings, tmp_path: Path) -> None:
    service = Service.open(backend_settings, clock=Clock())
    try:
        record_police_report(service, "terminal:9001")
        assert service.store.delete_user("terminal:9001")
        with service.store.db.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM followup_jobs")).scalar() == 0
    finally:
        service.close()


async def test_restart_drops_the_reminder_and_a_crisis_postpones_it(tmp_settings: Settings) -> None:
    clock = Clock()
    with running_fake() as (fake, api_base):
        settings = telegram_settings(tmp_settings, api_base)
        service = Service.open(settings, clock=clock)
        try:
            record_police_report(service, "telegram:8101")
            service.handle_sync(Inbound("telegram:8101", "/restart"))
            service.handle_sync(Inbound("telegram:8101", option_ids=("confirm",)))  # the answers are gone
            record_police_report(service, "telegram:8102")
            service.handle_sync(Inbound("telegram:8102", "我不想活了"))
            clock.now += 10 * DAY
            w = worker(service, settings, "w")
            assert await w.run_once() == 0  # nothing to ask 8101; 8102 is in crisis
            service.handle_sync(Inbound("telegram:8102", "1"))  # back to where they were
            clock.now += 2 * DAY
            assert await w.run_once() == 1
        finally:
            service.close()
    assert fake.sent_texts(8101) == []
    assert len(questions(fake.sent_texts(8102))) == 1


async def test_a_failed_reminder_send_is_retried_once_by_the_outbox(tmp_settings: Settings) -> None:
    clock = Clock()
    with running_fake() as (fake, api_base):
        settings = telegram_settings(tmp_settings, api_base)
        service = Service.open(settings, clock=clock)
        try:
            record_police_report(service, "telegram:8201")
            clock.now += 10 * DAY
            sender = ChannelSender(Telegram(service, settings))
            _senders.append({"telegram": sender})
            assert await service.resend_pending("telegram", sender) == 4  # the recording turns
            w = worker(service, settings, "w")
            fake.fail("sendMessage", 502, "Bad Gateway")  # may work later (a 400 never would)
            assert await w.run_once() == 0  # the turn is committed; the send failed
            assert await w.run_once() == 0  # the job is done: never stepped twice
            assert await service.resend_pending("telegram", sender) == 0  # still leased
            clock.now += 60  # the reply's lease has ended
            assert await service.resend_pending("telegram", sender) == 1
            assert await service.resend_pending("telegram", sender) == 0
        finally:
            service.close()
    assert len(questions(fake.sent_texts(8201))) == 1
