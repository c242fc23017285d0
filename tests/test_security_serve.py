"""Against a real `weiquan serve`: sign-in load never stalls the channels, forwarded headers are
believed from WEIQUAN_TRUSTED_PROXIES only, and a restart sends what a crash left unsent."""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import httpx
from fakes.telegram_api import TOKEN
from fakes.telegram_api import running_fake as running_telegram
from fakes.telegram_harness import SECRET
from fakes.wechat_api import APPID
from fakes.wechat_api import SECRET as WECHAT_SECRET
from fakes.wechat_api import running_fake as running_wechat
from fakes.wechat_payloads import TOKEN as WECHAT_TOKEN
from fakes.wechat_payloads import WeChatServer
from serving import CONSOLE_SECRET, DATA_KEY, serve_env, serving
from store_backends import backend_settings  # noqa: F401 - fixture
from test_console_http import csrf_of

from bot.config import Secret, Settings
from bot.console.auth import ACCOUNT_LIMIT, add_operator
from bot.service import Service
from bot.types import Inbound

OPERATORS = 6  # x ACCOUNT_LIMIT wrong passwords each = 30 sign-ins really checked


async def test_thirty_sign_ins_in_flight_do_not_stall_wechat_or_healthz(
    tmp_settings: Settings, tmp_path: Path
) -> None:
    settings = dataclasses.replace(tmp_settings, data_key=Secret(DATA_KEY))
    env = serve_env(tmp_path, WEIQUAN_DATABASE_URL=settings.database_url)
    for n in range(OPERATORS):
        add_operator(settings, f"op{n}")
    with running_wechat() as (_fake, api_base):
        env.update(
            WEIQUAN_WECHAT_TOKEN=WECHAT_TOKEN,
            WEIQUAN_WECHAT_APPID=APPID,
            WEIQUAN_WECHAT_SECRET=WECHAT_SECRET,
            WEIQUAN_WECHAT_API_BASE=api_base,
        )
        with serving(tmp_path, env) as (url, _process):
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                token = csrf_of((await client.get("/console/login")).text)

                async def sign_in(n: int) -> int:
                    data = {"name": f"op{n % OPERATORS}", "password": f"wrong {n}", "csrf": token}
                    headers = {"X-Forwarded-For": f"10.9.{n}.1"}
                    return (await client.post("/console/login", data=data, headers=headers)).status_code

                wechat = WeChatServer()

                async def timed(request: httpx.Request) -> tuple[float, httpx.Response]:
                    started = time.perf_counter()
                    response = await client.send(request)
                    return time.perf_counter() - started, response

                sign_ins = asyncio.gather(*(sign_in(n) for n in range(OPERATORS * ACCOUNT_LIMIT)))
                await asyncio.sleep(0.1)  # every sign-in is in flight now
                wechat_times, health_times = [], []
                for msg_id in range(3):
                    said = "/start" if msg_id == 0 else "/help"
                    callback = wechat.text("oLoadUser_001", said, 900 + msg_id)
                    spent, response = await timed(
                        client.build_request("POST", "/wechat", params=callback.params, content=callback.body)
                    )
                    assert response.status_code == 200 and b"<Content>" in response.content
                    wechat_times.append(spent)
                    spent, response = await timed(client.build_request("GET", "/healthz"))
                    assert response.status_code == 200
                    health_times.append(spent)
                statuses = await sign_ins
    assert statuses.count(401) == OPERATORS * ACCOUNT_LIMIT  # all checked: the load was real
    print(
        f"\nwith 30 sign-ins in flight: wechat max {max(wechat_times):.3f}s, "
        f"healthz max {max(health_times):.3f}s"
    )
    assert max(wechat_times) < 1.0
    assert max(health_times) < 0.5


def test_forwarded_headers_are_believed_from_trusted_proxies_only(
    tmp_settings: Settings, tmp_path: Path
) -> None:
    settings = dataclasses.replace(tmp_settings, data_key=Secret(DATA_KEY))
    password = add_operator(settings, "amy")
    proxied = {"X-Forwarded-For": "10.7.7.7", "X-Forwarded-Proto": "https"}
    for trusted, secure in (("127.0.0.1", True), ("10.20.30.40", False)):
        env = serve_env(tmp_path, WEIQUAN_DATABASE_URL=settings.database_url, WEIQUAN_TRUSTED_PROXIES=trusted)
        with serving(tmp_path, env) as (url, _process), httpx.Client(base_url=url) as client:
            page = client.get("/console/login", headers=proxied)
            nonce = page.headers["set-cookie"].split(";", 1)[0]  # a Secure cookie: httpx keeps it back
            response = client.post(
                "/console/login",
                headers={**proxied, "Cookie": nonce},
                data={"name": "amy", "password": password, "csrf": csrf_of(page.text)},
            )
            assert response.status_code == 303
            cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("wq_session="))
            assert ("Secure" in cookie) is secure, (trusted, cookie)


def test_a_restart_sends_what_a_crash_left_unsent_without_new_messages(
    backend_settings: Settings, tmp_path: Path
) -> None:
    users = 12
    settings = dataclasses.replace(
        backend_settings, data_key=Secret(DATA_KEY), console_secret=Secret(CONSOLE_SECRET)
    )
    with running_telegram() as (fake, api_base):
        # a worker that committed these turns and died before sending any reply
        dead = Service.open(settings)
        try:
            for user in range(users):
                for n, text in enumerate(("/start", "/help")):
                    inbound = Inbound(f"telegram:{7000 + user}", text, message_id=f"{user}-{n}")
                    result = dead.handle_sync(inbound)
                    assert result.outbox_id is not None
        finally:
            dead.close()
        env = serve_env(
            tmp_path,
            WEIQUAN_DATABASE_URL=settings.database_url,
            WEIQUAN_TELEGRAM_TOKEN=TOKEN,
            WEIQUAN_TELEGRAM_WEBHOOK_SECRET=SECRET,
            WEIQUAN_TELEGRAM_API_BASE=api_base,
        )
        with serving(tmp_path, env):
            started = time.monotonic()
            while len(fake.sent_texts()) < 2 * users and time.monotonic() - started < 10:
                time.sleep(0.05)
            drained = time.monotonic() - started
        print(f"\nrestart drained {2 * users} replies in {drained:.2f}s")
        assert drained < 10, f"only {len(fake.sent_texts())} of {2 * users} replies after 10 s"
        check = Service.open(settings)
        try:
            for user in range(users):
                key = f"telegram:{7000 + user}"
                assert fake.sent_texts(7000 + user) == [t["out"] for t in check.store.transcript(key)]
        finally:
            check.close()
