"""`POST /telegram/webhook` served by uvicorn on loopback, talking to a fake Bot API on loopback.

Real HTTP both ways, real Update payloads, a real SQLite store. The flow itself is not hard-coded:
the conversation is walked by pressing the first offered button (or "next"/done).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import zipfile

import docx
import pytest
from fakes.telegram_harness import (
    SECRET,
    buttons,
    newest_message,
    press_through,
    telegram_settings,
    webhook_harness,
)
from fakes.telegram_payloads import (
    TelegramUser,
    channel_post,
    membership,
    message_reaction,
    unknown_kind,
)

from bot.channels.telegram import adapter as telegram
from bot.channels.telegram.updates import TelegramChannel
from bot.config import Settings

INJECTION = "<b>Bad</b><script>alert(1)</script> & <a href='x'>"


async def test_full_conversation_by_buttons_reaches_summary_with_case_file(
    tmp_settings: Settings,
) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        assert (await h.post(user.text("/start"))).status_code == 200
        presses = await press_through(h, user)
        assert h.stage(f"telegram:{user.id}") == "summary"
        assert presses >= 5

        fake = h.fake
        assert fake.refused() == []
        # every button press was answered, and every sent callback_data fits Telegram's 64 bytes
        assert len(fake.calls_to("answerCallbackQuery")) == presses
        for call in fake.calls_to("sendMessage"):
            assert call.params["parse_mode"] == "HTML"
            for button in buttons(call.json("reply_markup") or {"inline_keyboard": []}):
                assert 1 <= len(button["callback_data"].encode()) <= 64
        # a multi-select was ticked by editing the keyboard, with a check mark
        edits = [c.json("reply_markup") for c in fake.calls_to("editMessageReplyMarkup")]
        assert any(
            b["text"].startswith("✅") and b["callback_data"].startswith("M:")
            for markup in edits
            for b in buttons(markup)
        )
        # reaching the summary sent the case file as a .docx (multipart upload)
        documents = fake.calls_to("sendDocument")
        assert len(documents) == 1
        name, data = documents[0].files["document"]
        assert name.endswith(".docx")
        assert zipfile.is_zipfile(io.BytesIO(data))
        assert docx.Document(io.BytesIO(data)).paragraphs

        # /summary from elsewhere lands in summary too, and sends the file again
        await h.post(user.text("/help"))
        assert h.stage(f"telegram:{user.id}") == "help"
        await h.post(user.text("/summary"))
        assert h.stage(f"telegram:{user.id}") == "summary"
        assert len(fake.calls_to("sendDocument")) == 2


async def test_wrong_or_missing_secret_is_403_and_calls_no_bot_api(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        assert (await h.post(user.text("/start"), secret="wrong")).status_code == 403
        assert (await h.post(user.text("/start"), secret=None)).status_code == 403
        assert (await h.post(user.text("/start"), secret="")).status_code == 403
        assert h.fake.calls == []
        assert h.service.session(f"telegram:{user.id}") is None


async def test_duplicate_update_id_is_answered_once(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        update = user.text("/start")
        assert (await h.post(update)).status_code == 200
        assert (await h.post(update)).status_code == 200
        assert len(h.fake.calls_to("sendMessage")) == 1

        message_id, markup = newest_message(h.fake, user.id)
        press = user.press(message_id, markup, buttons(markup)[0]["callback_data"])
        assert (await h.post(press)).status_code == 200
        assert (await h.post(press)).status_code == 200
        assert len(h.fake.calls_to("sendMessage")) == 2  # one reply to the press
        assert h.stage(f"telegram:{user.id}") == "harassment"


async def test_5000_character_message_gets_a_reply(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        await h.post(user.text("/start"))
        response = await h.post(user.text("催收" * 2500))
        assert response.status_code == 200
        assert len(h.fake.sent_texts(user.id)) == 2
        assert h.fake.refused() == []


async def test_html_injection_is_escaped(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser(language_code="en")
        await h.post(user.text(INJECTION))
        await h.post(user.text("/start"))
        await press_through(h, user, typed=INJECTION)
        # the fake parses HTML as Telegram does: an unescaped <script> would have been refused
        assert h.fake.refused() == []
        texts = h.fake.sent_texts(user.id)
        assert all("<script" not in t and "<b>Bad" not in t for t in texts)
        # the summary repeats what the user typed, escaped
        assert any("&lt;b&gt;Bad&lt;/b&gt;&lt;script&gt;" in t for t in texts)


async def test_crisis_phrase_answers_with_the_hotline(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        await h.post(user.text("/start"))
        await h.post(user.text("我真的不想活了"))
        assert "12356" in h.fake.sent_texts(user.id)[-1]
        assert h.stage(f"telegram:{user.id}") == "crisis"


async def test_user_who_blocked_the_bot_is_logged_with_ids_only(
    tmp_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser(user_id=777)
        h.fake.blocked.add(user.id)
        assert (await h.post(user.text("秘密的话 /start"))).status_code == 200
        assert (await h.post(user.text("/start"))).status_code == 200
        attempts = h.fake.calls_to("sendMessage")
        assert len(attempts) == 2  # one attempt per update: a 403 is never retried
        assert {c.status for c in attempts} == {403}
    blocked = [r for r in caplog.records if "blocked" in r.getMessage()]
    assert blocked and all(getattr(r, "user_key", None) == "telegram:777" for r in blocked)
    assert "秘密的话" not in caplog.text


async def test_rate_limit_is_retried_after_retry_after_and_then_given_up(
    tmp_settings: Settings,
) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        h.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        assert (await h.post(user.text("/start"))).status_code == 200
        assert [c.status for c in h.fake.calls_to("sendMessage")] == [429, 200]

        h.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=99)
        assert (await h.post(user.text("/help"))).status_code == 200
        statuses = [c.status for c in h.fake.calls_to("sendMessage")]
        assert statuses == [429, 200, 429, 429, 429]  # two retries, then dropped, never forever


async def test_double_tap_on_a_checkbox_is_harmless(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        await h.post(user.text("/start"))
        message_id, markup = newest_message(h.fake, user.id)
        await h.post(user.press(message_id, markup, "self"))
        message_id, multi = newest_message(h.fake, user.id)
        first = buttons(multi)[0]["callback_data"]
        assert first.startswith("m:")
        # two taps on the same stale keyboard: the second edit is "message is not modified"
        for _ in range(2):
            assert (await h.post(user.press(message_id, multi, first))).status_code == 200
        edits = h.fake.calls_to("editMessageReplyMarkup")
        assert [c.status for c in edits[-2:]] == [200, 400]
        assert len(h.fake.calls_to("answerCallbackQuery")) == 3
        # done with nothing ticked asks for a tick instead of stepping the conversation
        sends = len(h.fake.calls_to("sendMessage"))
        await h.post(user.press(message_id, multi, "m!"))
        assert h.fake.calls_to("answerCallbackQuery")[-1].params.get("text")
        assert len(h.fake.calls_to("sendMessage")) == sends
        # done reads the ticks back from the keyboard Telegram holds now
        ticked = h.fake.markups[(user.id, message_id)]
        await h.post(user.press(message_id, ticked, "m!"))
        session = h.service.session(f"telegram:{user.id}")
        assert session is not None and session.answers["contacted"] == [first[2:]]


async def test_typed_numbers_and_labels_work_like_buttons(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        await h.post(user.text("/start"))
        await h.post(user.text("1"))
        assert h.stage(f"telegram:{user.id}") == "harassment"
        await h.post(user.text("1 3"))
        session = h.service.session(f"telegram:{user.id}")
        assert session is not None and len(session.answers["contacted"]) == 2


async def test_language_from_telegram_then_changed_with_lang(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        english, chinese = TelegramUser(1, "en-GB"), TelegramUser(2, "zh-hans")
        await h.post(english.text("/start"))
        await h.post(chinese.text("/start"))
        assert h.service.session("telegram:1").lang == "en"  # type: ignore[union-attr]
        assert h.service.session("telegram:2").lang == "zh_CN"  # type: ignore[union-attr]
        await h.post(english.text("/help"))
        await h.post(chinese.text("/help"))
        assert h.fake.sent_texts(1)[-1] != h.fake.sent_texts(2)[-1]

        await h.post(chinese.text("/lang"))
        message_id, markup = newest_message(h.fake, chinese.id)
        await h.post(chinese.press(message_id, markup, "en"))
        assert h.service.session("telegram:2").lang == "en"  # type: ignore[union-attr]
        await h.post(chinese.text("/help"))
        assert h.fake.sent_texts(1)[-1] == h.fake.sent_texts(2)[-1]  # now both read English


async def test_odd_updates_never_crash(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        await h.post(user.text("/start"))
        for update in (
            user.sticker(),
            user.photo(),
            user.edited("改一下"),
            channel_post("公告"),
            unknown_kind(),
            message_reaction(user),
            user.in_group("大家好"),
        ):
            assert (await h.post(update)).status_code == 200
        texts = h.fake.sent_texts(user.id)
        assert len(texts) == 4  # start, sticker, photo, edit; the rest get no message
        assert h.fake.sent_texts(-100123456) == []  # group chatter is not answered

        await h.post(user.in_group("/start@weiquan_test_bot"))
        decline = h.fake.sent_texts(-100123456)
        assert len(decline) == 1 and "https://t.me/weiquan_test_bot" in decline[0]

        group = {"id": -100777, "type": "group", "title": "家人群"}
        assert (await h.post(membership(user, group, "left", "member"))).status_code == 200
        assert "https://t.me/weiquan_test_bot" in h.fake.sent_texts(-100777)[0]  # added: declines
        sent = len(h.fake.calls_to("sendMessage"))
        assert (await h.post(membership(user, user.chat, "member", "kicked"))).status_code == 200
        assert len(h.fake.calls_to("sendMessage")) == sent  # blocked in private: noted, not answered
        game = user.press(*newest_message(h.fake, user.id), "")
        game["callback_query"].pop("data")
        game["callback_query"]["game_short_name"] = "tetris"
        assert (await h.post(game)).status_code == 200
        assert h.fake.calls_to("answerCallbackQuery")[-1].params.get("text") is None

        await h.post(user.photo(caption="不想活了"))  # a caption is read by the crisis guard
        assert "12356" in "".join(h.fake.sent_texts(user.id)[-2:])


async def test_hostile_bodies_are_refused(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        url, headers = f"{h.url}/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for body in (
            b"",
            b"{not json",
            b"[1,2]",
            json.dumps({"message": {}}).encode(),
            b'{"update_id": "1"}',
            b"{" + b" " * 1_100_000 + b"}",
        ):
            response = await h.client.post(url, content=body, headers=headers)
            assert 400 <= response.status_code < 500
        assert h.fake.calls == []


async def test_a_reply_that_failed_is_resent_from_the_outbox(tmp_settings: Settings) -> None:
    now = [1_800_000_000.0]
    async with webhook_harness(tmp_settings, clock=lambda: now[0]) as h:
        user = TelegramUser()
        h.fake.fail("sendMessage", 502, "Bad Gateway")
        assert (await h.post(user.text("/start"))).status_code == 200
        assert [c.status for c in h.fake.calls_to("sendMessage")] == [502]

        # what the background resender does once the reply's lease has run out
        settings = telegram_settings(tmp_settings, h.fake_base)
        clients = telegram.http_clients()
        resender = TelegramChannel(h.service, telegram.make_bot(settings, clients))
        assert await h.service.resend_pending("telegram", resender.deliver) == 0  # leased still
        now[0] += 60
        assert await h.service.resend_pending("telegram", resender.deliver) == 1
        assert [c.status for c in h.fake.calls_to("sendMessage")] == [502, 200]
        assert h.fake.calls_to("sendMessage")[1].json("reply_markup")  # the buttons came too
        now[0] += 60
        assert await h.service.resend_pending("telegram", resender.deliver) == 0  # sent once
        for client in clients:
            await client.shutdown()


async def test_concurrent_updates_of_one_user_are_each_answered(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        user = TelegramUser()
        await h.post(user.text("/start"))
        updates = [user.text(text) for text in ("1", "/help", "/back", "/summary", "/start", "2")]
        responses = await asyncio.gather(*(h.post(u) for u in updates))
        assert [r.status_code for r in responses] == [200] * len(updates)
        assert len(h.fake.calls_to("sendMessage")) == 1 + len(updates)
        assert h.fake.refused() == []
