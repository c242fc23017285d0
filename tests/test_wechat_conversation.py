"""WeChat conversations over real HTTP, in plain and safe mode: welcome to summary, the case-file
link, duplicates, events, the crisis guard and messages the conversation cannot read.

The flow is not hard-coded (it is content, rewritten by others): the walk answers with option
numbers, taking the next option each time it comes back to a state, until the stage is summary.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import docx
import pytest
from fakes.wechat_harness import Harness, wechat_harness
from fakes.wechat_payloads import message_xml

from bot.config import Settings

OPTION_LINE = re.compile(r"^(\d+)\. ", re.M)
CASE_LINK = re.compile(r"http://127\.0\.0\.1:\d+/files/case/[A-Za-z0-9._-]+")
PASSIVE_BYTES = 2048
MAX_TURNS = 200


async def walk_to_summary(h: Harness, openid: str, first_id: int) -> list[list[str]]:
    """Every turn's received texts, from the first answer to the turn that reached summary."""
    turns: list[list[str]] = []
    reply = await h.send(h.server.event(openid, "subscribe"))
    visits: Counter[str] = Counter()
    for n in range(MAX_TURNS):
        state = h.state(openid)
        assert state is not None
        options = len(OPTION_LINE.findall(reply)) or 1
        answer = 1 + visits[state[0]] % options
        visits[state[0]] += 1
        parts = await h.turn(openid, str(answer), first_id + n)
        turns.append(parts)
        reply = "\n".join(parts)
        if h.stage(openid) == "summary":
            return turns
    raise AssertionError(f"no summary after {MAX_TURNS} answers")


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plain", "safe"])
async def test_full_conversation_reaches_the_summary_and_the_case_file(
    tmp_settings: Settings, safe_mode: bool
) -> None:
    async with wechat_harness(tmp_settings, safe_mode=safe_mode) as h:
        openid = "oWalker_" + ("safe" if safe_mode else "plain")
        turns = await walk_to_summary(h, openid, 10_000)
        for parts in turns:
            assert parts, "a turn got no answer at all"
            assert all(0 < len(p.encode()) <= PASSIVE_BYTES for p in parts)
        long = [parts for parts in turns if sum(len(p.encode()) for p in parts) > PASSIVE_BYTES]
        assert long, "no answer on the way was longer than one passive reply"
        assert all(len(parts) >= 2 for parts in long)  # split: passive first, the rest by the API
        summary = "\n".join(turns[-1])
        link = CASE_LINK.search(summary)
        assert link, "the summary carries no case-file link"
        download = await h.client.get(link.group(0))
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in download.headers["content-disposition"]
        document = docx.Document(io.BytesIO(download.content))
        assert sum(len(p.text) for p in document.paragraphs) > 100
        assert (await h.client.get(link.group(0)[:-3] + "abc")).status_code == 404  # tampered


@pytest.mark.parametrize("command", ["/summary", "总结"])
async def test_summary_command_reaches_the_summary(tmp_settings: Settings, command: str) -> None:
    async with wechat_harness(tmp_settings) as h:
        await h.turn("oSummaryUser", "/start", 1)
        parts = await h.turn("oSummaryUser", command, 2)
        assert h.stage("oSummaryUser") == "summary"
        link = CASE_LINK.search("\n".join(parts))
        assert link
        assert (await h.client.get(link.group(0))).status_code == 200


async def test_the_case_file_link_dies_with_the_users_data(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        await h.turn("oLeavingUser", "/start", 1)
        link = CASE_LINK.search("\n".join(await h.turn("oLeavingUser", "/summary", 2)))
        assert link
        await h.turn("oLeavingUser", "/delete", 3)
        session = h.service.session("wechat:oLeavingUser")
        assert session is not None
        ids = [option.id for option in h.service.engine.current(session, h.service.clock()).options]
        await h.turn("oLeavingUser", str(ids.index("confirm") + 1), 4)
        assert (await h.client.get(link.group(0))).status_code == 404


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plain", "safe"])
async def test_a_repeated_msgid_gets_the_same_reply_without_a_step(
    tmp_settings: Settings, safe_mode: bool
) -> None:
    async with wechat_harness(tmp_settings, safe_mode=safe_mode) as h:
        await h.turn("oDupUser", "/start", 500)
        first = await h.say("oDupUser", "1", 501)
        state = h.state("oDupUser")
        sent = len(h.fake.calls)
        again = await h.say("oDupUser", "1", 501)  # WeChat's retry: same MsgId, new signature
        assert again == first and first
        assert h.state("oDupUser") == state  # same state, same version: not stepped
        await h.settle()
        assert len(h.fake.calls) == sent
        different = await h.say("oDupUser", "1", 502)
        assert h.state("oDupUser") != state and different


async def test_subscribe_welcomes_and_a_repeated_event_does_not_restart(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        subscribe = h.server.event("oNewFollower", "subscribe", created=1_800_000_000)
        welcome = await h.send(subscribe)
        assert h.stage("oNewFollower") == "welcome"
        assert OPTION_LINE.search(welcome), "the welcome offers numbered options"
        assert re.search(r"^1\. .+\n2\. .+", welcome, re.M)
        await h.say("oNewFollower", "1", 600)
        moved = h.state("oNewFollower")
        assert h.stage("oNewFollower") != "welcome"
        assert await h.send(h.server.event("oNewFollower", "subscribe", created=1_800_000_000)) == welcome
        assert h.state("oNewFollower") == moved


async def test_menu_clicks_run_global_commands_and_other_events_stay_silent(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        await h.turn("oClicker", "/start", 700)
        assert await h.send(h.server.event("oClicker", "CLICK", key="/help"))
        assert h.stage("oClicker") == "help"
        state = h.state("oClicker")
        for event, key in (("CLICK", "/rm -rf"), ("VIEW", "https://example.invalid/"), ("unsubscribe", None)):
            assert await h.send(h.server.event("oClicker", event, key=key)) == ""
        assert h.state("oClicker") == state


async def test_crisis_phrase_answers_with_the_hotline(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        await h.turn("oCrisisUser", "/start", 800)
        await h.turn("oCrisisUser", "1", 801)
        reply = "\n".join(await h.turn("oCrisisUser", "我真的不想活了", 802))
        assert "12356" in reply
        assert h.stage("oCrisisUser") == "crisis"


async def test_media_gets_a_helpful_reply_and_voice_recognition_is_read(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        text = h.service.i18n.text
        image = message_xml(
            "oMediaUser",
            "image",
            1_800_000_000,
            PicUrl="http://mmbiz.example/x",
            MediaId="media_1",
            MsgId="900",
        )
        assert await h.send(h.server.callback(image)) == text("zh_CN", "wechat.media_evidence")
        voice = message_xml("oMediaUser", "voice", 1_800_000_001, MediaId="m2", Format="amr", MsgId="901")
        assert await h.send(h.server.callback(voice)) == text("zh_CN", "wechat.voice")
        where = message_xml("oMediaUser", "location", 1_800_000_002, Location_X="23.1", MsgId="902")
        assert await h.send(h.server.callback(where)) == text("zh_CN", "wechat.location")
        assert h.service.session("wechat:oMediaUser") is None  # nothing stored for them
        spoken = message_xml(
            "oMediaUser",
            "voice",
            1_800_000_003,
            MediaId="m3",
            Format="amr",
            Recognition="不想活了",
            MsgId="903",
        )
        assert "12356" in await h.send(h.server.callback(spoken))


async def test_with_an_aes_key_only_encrypted_posts_are_answered(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=True) as h:
        encrypted = await h.post(h.server.text("oCompatUser", "/start", 1))
        assert b"<Encrypt>" in encrypted.content  # answered in kind: sealed
        before = h.state("oCompatUser")
        h.server.safe_mode = False  # a validly signed plaintext POST: a downgrade, refused
        plain = await h.post(h.server.text("oCompatUser", "/help", 2))
        assert plain.status_code == 403 and plain.content == b""
        assert h.state("oCompatUser") == before


async def test_a_broken_store_gets_an_apology_not_a_500(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        await h.turn("oUnluckyUser", "/start", 1)
        h.service.store.close()  # the database is gone (disk full, server down…)
        for callback in (h.server.text("oUnluckyUser", "1", 2), h.server.event("oUnluckyUser", "subscribe")):
            response = await h.post(callback)
            assert response.status_code == 200
            reply = h.server.reply_fields(response.content)["Content"]
            assert reply == h.service.i18n.text("zh_CN", "wechat.error")
        # without the store no request can be checked for replay: an image gets the apology too
        image = message_xml("oUnluckyUser", "image", 1_800_000_000, MediaId="m1", MsgId="3")
        assert await h.send(h.server.callback(image)) == h.service.i18n.text("zh_CN", "wechat.error")
