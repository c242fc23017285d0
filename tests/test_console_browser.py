"""The operator console in a real browser (Playwright driving the system Chromium).

Screenshots land in test-artifacts/console/ (gitignored); docs/img/ holds two of them for the README.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from needs import unavailable
from playwright.sync_api import Browser, Page, expect, sync_playwright
from test_console_http import NEW_PASSWORD, Console, running_console

from bot.config import Settings
from bot.console.auth import add_operator
from bot.types import Inbound

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("WEIQUAN_TEST_CHROMIUM") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        unavailable(f"no Chromium at {path} (set WEIQUAN_TEST_CHROMIUM or install Debian's chromium)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console(tmp_settings: Settings, free_port: int) -> Iterator[Console]:
    with running_console(tmp_settings, free_port) as running:
        yield running


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    context = browser.new_context(
        base_url=console.url, viewport={"width": 1200, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, textarea, select, button')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map(el => el.outerHTML)"""


def assert_labelled(page: Page) -> None:
    """Every form control has a label (or, for a button, its text): screen readers name it."""
    assert page.evaluate(UNLABELLED_CONTROLS) == []


def sign_in_first_time(page: Page, console: Console, name: str = "amy") -> None:
    one_time = add_operator(console.settings, name)
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/console/login$"))
    assert_labelled(page)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(one_time)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console/password$"))
    page.get_by_label("当前密码（一次性密码）").fill(one_time)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    expect(page).to_have_url(re.compile(r"/console/$"))


def test_login_with_password_change_and_a_wrong_password(page: Page, console: Console) -> None:
    sign_in_first_time(page, console)
    expect(page.get_by_role("button", name="新来电")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/console/login$"))
    page.get_by_label("用户名").fill("amy")
    page.get_by_label("密码").fill("not-my-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("不正确")
    shot(page, "login-wrong-password")
    page.get_by_label("密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console/$"))
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="New call")).to_be_visible()


def _choose(page: Page, option_id: str) -> None:
    page.locator(f'[data-option-id="{option_id}"]').click()


def _answer(page: Page, text: str) -> None:
    page.get_by_label("来电者的回答（文字）").fill(text)
    page.get_by_role("button", name="提交回答").click()


def test_guided_call_clicked_through_to_the_case_file(page: Page, console: Console) -> None:
    sign_in_first_time(page, console)
    page.get_by_role("button", name="新来电").click()
    expect(page).to_have_url(re.compile(r"/console/call/[0-9a-f]+$"))
    expect(page.locator(".script")).to_contain_text("不会问你的身份证号")
    page.keyboard.press("1")  # shortcut for the first option: "I am the borrower"
    expect(page.locator('[data-option-id="employer"]')).to_be_visible()
    for option in ("me", "family", "contact_list"):  # a multi-select: boxes, then confirm
        page.locator(f'input[data-option-id="{option}"]').check()
    page.get_by_role("button", name="确认所选").click()
    for option in ("calls", "sms", "insults"):
        page.locator(f'input[data-option-id="{option}"]').check()
    page.get_by_role("button", name="确认所选").click()
    _choose(page, "many_daily")
    _choose(page, "yes")
    _answer(page, "上个月 15 号")
    _choose(page, "next")
    _answer(page, "闪电借")
    _choose(page, "small_loan")
    _choose(page, "start")
    for figure in ("1万", "7000", "1200元", "12期"):
        _answer(page, figure)
    _choose(page, "none")
    _answer(page, "3600")
    _answer(page, "2026-12-05")
    expect(page.locator("main")).to_contain_text("砍头息")  # the calculator's figures
    _choose(page, "next")
    _choose(page, "next")
    expect(page.locator("main")).to_contain_text("已完成 0 /")  # the evidence checklist
    shot(page, "guided-call-evidence")
    assert_labelled(page)
    page.get_by_label("添加备注").fill("来电者很害怕，约好明天回电")
    page.get_by_role("button", name="保存备注").click()
    expect(page.locator(".notes")).to_contain_text("约好明天回电")
    _choose(page, "next")
    expect(page.locator("main")).to_contain_text("12321")  # the channel plan
    shot(page, "guided-call")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column, big buttons
    expect(page.get_by_role("button", name="上一步")).to_be_visible()
    shot(page, "guided-call-phone")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("button", name="上一步").click()
    expect(page.locator("main")).to_contain_text("已完成 0 /")
    _choose(page, "next")
    _choose(page, "next")
    _choose(page, "next")
    expect(page.locator("#case-file-link")).to_be_visible()
    page.locator("#case-file-link").click()
    expect(page.locator("article.casefile")).to_contain_text("闪电借")
    shot(page, "case-file")
    shot(page, "case-file-top", full_page=False)
    with page.expect_download() as download_info:
        page.locator("#docx-link").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    assert Path(download.path()).read_bytes()[:2] == b"PK"  # a zip container: a real .docx


def test_queue_shows_a_crisis_above_an_ordinary_conversation(page: Page, console: Console) -> None:
    console.service.handle_sync(Inbound("terminal:x", "我不想活了"))
    console.service.handle_sync(Inbound("terminal:calm", "/start"))  # newer, but no risk
    console.service.handle_sync(Inbound("telegram:5150", "/start"))
    console.service.handle_sync(Inbound("telegram:5150", "/human"))
    sign_in_first_time(page, console)
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("terminal:x")
    expect(rows.nth(0)).to_contain_text("危机")
    expect(rows.nth(1)).to_contain_text("要求人工")
    expect(rows.nth(2)).to_contain_text("terminal:calm")
    shot(page, "queue")


def test_takeover_reply_reaches_the_terminal_user(page: Page, console: Console) -> None:
    service = console.service
    service.handle_sync(Inbound("terminal:x", "我不想活了"))
    sign_in_first_time(page, console)
    page.get_by_role("link", name="terminal:x").click()
    page.get_by_role("button", name="接管对话").click()
    expect(page.locator("#held-state")).to_contain_text("你已接管")
    page.get_by_label("回复用户（通过用户所在的渠道发送）").fill("我是热线接线员，我在听。")
    page.get_by_role("button", name="发送").click()
    expect(page.get_by_role("status")).to_contain_text("已保存")
    reply = service.handle_sync(Inbound("terminal:x", "谢谢你")).outbound
    assert "我是热线接线员，我在听。" in reply.text
    assert service.handle_sync(Inbound("terminal:x", "我还在")).outbound.messages == ()
    expect(page.locator("#transcript")).to_contain_text("我还在", timeout=15_000)  # live refresh
    shot(page, "takeover")
    assert_labelled(page)
    page.get_by_role("button", name="交还给机器人").click()
    expect(page.locator("#held-state")).to_contain_text("机器人正在自动回复")


def test_a_post_without_csrf_token_is_rejected(page: Page, console: Console) -> None:
    sign_in_first_time(page, console)
    response = page.request.post("/console/call/new", form={"name": "x"}, max_redirects=0)
    assert response.status == 403
    response = page.request.post("/console/case/terminal:x/takeover", form={"csrf": "nope"}, max_redirects=0)
    assert response.status == 403
