"""The customer-service API side: slow turns, token caching and refresh, failed sends, the menu."""

from __future__ import annotations

import asyncio
import dataclasses

from fakes.wechat_api import running_fake
from fakes.wechat_harness import Harness, wechat_harness, wechat_settings

from bot.channels.render import plain_text
from bot.channels.wechat import adapter as wechat
from bot.config import Settings, content_dir
from bot.engine import parse
from bot.engine.flow import load_flow, menu_commands
from bot.errors import ChannelError

TOKEN_PATH, SEND_PATH, MENU_PATH = "/cgi-bin/token", "/cgi-bin/message/custom/send", "/cgi-bin/menu/create"


async def _pending(h: Harness) -> int:
    return len(await asyncio.to_thread(h.service.store.pending_outbox, "wechat"))


async def _until_no_pending(h: Harness) -> None:
    """The passive path marks the reply sent just after the response went out."""
    for _ in range(500):
        if await _pending(h) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the reply was never marked sent")


async def test_passive_replies_are_marked_sent(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        assert await h.say("oPassive", "/start", 1)
        await _until_no_pending(h)
        assert h.fake.calls == []  # short answers never touch the API


async def test_a_slow_turn_answers_success_then_sends_everything_by_api(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, passive_seconds=0) as h:
        assert await h.say("oSlowUser", "/start", 1) == ""  # "success": WeChat shows nothing, no retry
        await h.settle()
        session = h.service.session("wechat:oSlowUser")
        assert session is not None
        expected = plain_text(h.service.engine.current(session, h.service.clock()))
        assert "\n\n".join(h.fake.sent_texts("oSlowUser")) == expected
        await h.say("oSlowUser", "1", 2)
        await h.settle()
        assert len(h.fake.calls_to(TOKEN_PATH)) == 1  # the token is cached between deliveries
        assert len(h.fake.sent_texts("oSlowUser")) >= 2
        assert await _pending(h) == 0
        token_query = h.fake.calls_to(TOKEN_PATH)[0].query
        assert token_query["grant_type"] == "client_credential" and token_query["appid"] == h.fake.appid


async def test_an_expired_token_is_refreshed_and_the_message_still_goes_out(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, passive_seconds=0) as h:
        await h.say("oTokenUser", "/start", 1)
        await h.settle()
        h.fake.expire_tokens()  # WeChat answers 42001 for the cached token now
        await h.say("oTokenUser", "/help", 2)
        await h.settle()
        assert len(h.fake.calls_to(TOKEN_PATH)) == 2
        sends = h.fake.calls_to(SEND_PATH)
        assert sends[-1].query.get("accepted") == "1" and sends[-2].query.get("accepted") is None
        assert sends[-1].query["access_token"] != sends[-2].query["access_token"]
        assert await _pending(h) == 0


async def test_a_send_that_can_never_succeed_is_given_up(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, passive_seconds=0) as h:
        h.fake.fail_sends = [45015]  # the user's 48-hour window has closed
        assert await h.say("oLateUser", "/start", 1) == ""
        await h.settle()
        assert h.fake.sent_texts("oLateUser") == []
        assert await _pending(h) == 0  # not kept for a retry that would arrive out of place
        h.clock.advance(60)
        assert await h.service.resend_pending("wechat", h.channel.conversation.resend) == 0
        assert h.fake.sent_texts("oLateUser") == []


async def test_a_failed_send_stays_in_the_outbox_and_the_resend_delivers_it(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, passive_seconds=0) as h:
        h.fake.fail_sends = [-1]  # "system busy"
        assert await h.say("oBusyUser", "/start", 1) == ""
        await h.settle()
        assert h.fake.sent_texts("oBusyUser") == []
        assert await _pending(h) == 1
        assert await h.service.resend_pending("wechat", h.channel.conversation.resend) == 0  # leased
        h.clock.advance(31)  # the delivery's lease has ended
        # (the adapter's own retry loop may take it first: a claim is exclusive, either way once)
        await h.service.resend_pending("wechat", h.channel.conversation.resend)
        session = h.service.session("wechat:oBusyUser")
        assert session is not None
        expected = plain_text(h.service.engine.current(session, h.service.clock()))
        assert "\n\n".join(h.fake.sent_texts("oBusyUser")) == expected
        assert await _pending(h) == 0


async def test_create_menu_posts_commands_with_names_within_wechat_limits(tmp_settings: Settings) -> None:
    with running_fake() as (fake, api_base):
        settings = wechat_settings(tmp_settings, api_base)
        await wechat.create_menu(settings)
        await wechat.create_menu(settings, "en")
        menus = fake.calls_to(MENU_PATH)
        assert [m.query.get("accepted") for m in menus] == ["1", "1"]
        assert "求助".encode() in menus[0].body  # raw UTF-8: WeChat shows \\u escapes literally
        keys = {
            entry["key"]
            for button in menus[0].json()["button"]
            for entry in button.get("sub_button", [button])
        }
        flow = load_flow(content_dir("dialogs"))
        assert {"/start", "/help", "/summary", "/human"} <= keys == set(menu_commands(flow, "wechat"))
        table = parse.command_table(flow.commands)
        assert all(parse.command_of(key, table) for key in keys)  # every click runs a flow command
        wrong = dataclasses.replace(settings, wechat_appid="wx_not_ours")
        try:
            await wechat.create_menu(wrong)
        except ChannelError as error:
            assert "40013" in str(error)
        else:
            raise AssertionError("a menu with a wrong appid was accepted")
