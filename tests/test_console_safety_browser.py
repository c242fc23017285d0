"""Safety on the operator console, in a real browser: the guided call's emergency buttons, and
the alert when a user's message shows a crisis or danger, during a takeover too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_console_browser import browser, console, page, shot, sign_in_first_time  # noqa: F401
from test_console_http import Console

from bot.types import Inbound

pytestmark = pytest.mark.browser


def test_guided_call_quick_actions_show_the_script_and_mark_the_case(
    page: Page,  # noqa: F811
    console: Console,  # noqa: F811
) -> None:
    sign_in_first_time(page, console)
    page.get_by_role("button", name="新来电").click()
    expect(page).to_have_url(re.compile(r"/console/call/[0-9a-f]+$"))
    call_key = "console:" + page.url.rsplit("/", 1)[1]
    page.keyboard.press("1")
    expect(page.locator("#quick-crisis")).to_be_visible()  # on every step of the call
    page.locator("#quick-crisis").click()
    script = page.locator(".script")
    for number in ("12356", "010-82951332", "120", "110"):
        expect(script).to_contain_text(number)
    risks = {info.user_key: info.risk for info in console.service.store.sessions_by_risk()}
    assert risks[call_key] == 3
    shot(page, "call-crisis-script")
    page.locator("#quick-danger").click()
    expect(page.locator(".script .say").first).to_contain_text("110")
    expect(page.locator(".script")).not_to_contain_text("没看懂")


def test_a_crisis_message_during_a_takeover_alerts_the_operator_at_once(
    page: Page,  # noqa: F811
    console: Console,  # noqa: F811
) -> None:
    service = console.service
    service.handle_sync(Inbound("terminal:calm", "/start"))
    service.handle_sync(Inbound("terminal:x", "/start"))
    sign_in_first_time(page, console)
    page.get_by_role("link", name="terminal:x").click()
    page.get_by_role("button", name="接管对话").click()
    expect(page.locator("#held-state")).to_contain_text("你已接管")
    expect(page.locator("#safety-alert")).to_have_count(0)
    held = service.handle_sync(Inbound("terminal:x", "我打不通12356，怎么办，我现在就在楼顶"))
    assert held.outbound.messages == ()  # the operator holds the case: the bot stays silent
    alert = page.locator("#safety-alert")
    expect(alert).to_contain_text("危机信号", timeout=15_000)  # the page's live refresh
    expect(alert).to_contain_text("12356")
    shot(page, "takeover-crisis-alert")
    page.goto("/console/")
    expect(page.locator("#queue-alert")).to_contain_text("terminal:x")
    expect(page.locator("table.queue tbody tr").nth(0)).to_contain_text("terminal:x")


def test_a_danger_message_puts_the_case_on_top_with_an_alert(
    page: Page,  # noqa: F811
    console: Console,  # noqa: F811
) -> None:
    service = console.service
    service.handle_sync(Inbound("terminal:threat", "他们说今晚带人来我家，还带刀"))
    service.handle_sync(Inbound("terminal:calm", "/start"))  # newer, but calm
    sign_in_first_time(page, console)
    expect(page.locator("table.queue tbody tr").nth(0)).to_contain_text("terminal:threat")
    expect(page.locator("#queue-alert")).to_contain_text("terminal:threat")
    page.get_by_role("link", name="terminal:threat").first.click()
    expect(page.locator("#safety-alert")).to_contain_text("110")
