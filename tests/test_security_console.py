"""Console attacks that once worked: parallel password guessing, lock-outs of the real operator,
cookies that outlive sign-out, replies and hand-backs by operators who do not hold the case,
reads missing from the audit log, and erasure without its confirmation box."""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from store_backends import backend_settings, engine  # noqa: F401 - fixtures
from test_console_http import (
    NEW_PASSWORD,
    Console,
    csrf_of,
    running_console,
    sign_in,
    signed_in_client,
)

from bot.config import Settings
from bot.console.auth import ACCOUNT_LIMIT, ADDRESS_LIMIT, add_operator
from bot.engine.engine import Engine
from bot.types import Inbound


@pytest.fixture
def console(tmp_settings: Settings, free_port: int) -> Iterator[Console]:
    with running_console(tmp_settings, free_port) as running:
        yield running


def _from(address: str) -> dict[str, str]:
    """The console trusts X-Forwarded-For from loopback (uvicorn's default trusted proxy)."""
    return {"X-Forwarded-For": address}


def _audit(console: Console) -> list[tuple[str, str, str | None]]:
    with contextlib.closing(sqlite3.connect(console.db_path)) as db:
        return db.execute("SELECT operator, action, user_key FROM console_audit ORDER BY id").fetchall()


async def test_parallel_guesses_are_counted_before_the_password_is_checked(console: Console) -> None:
    client, _ = signed_in_client(console)
    client.close()
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as guesser:
        page = await guesser.get("/console/login")
        token = csrf_of(page.text)

        async def guess(n: int) -> int:
            data = {"name": "amy", "password": f"guess {n}", "csrf": token}
            return (await guesser.post("/console/login", data=data, headers=_from("10.1.1.1"))).status_code

        statuses = await asyncio.gather(*(guess(n) for n in range(40)))
    assert statuses.count(401) == ACCOUNT_LIMIT  # checked; every other guess refused unchecked
    assert statuses.count(429) == 40 - ACCOUNT_LIMIT


def test_a_lock_out_never_blocks_the_right_password_from_another_address(console: Console) -> None:
    client, _ = signed_in_client(console)
    client.close()
    with httpx.Client(base_url=console.url, headers=_from("10.2.2.2")) as attacker:
        token = csrf_of(attacker.get("/console/login").text)
        for n in range(ADDRESS_LIMIT + 2):  # amy's account and every name from this address
            attacker.post(
                "/console/login",
                data={"name": "amy" if n < 8 else f"x{n}", "password": "wrong", "csrf": token},
            )
        assert sign_in(attacker, "amy", NEW_PASSWORD).status_code == 429
    with httpx.Client(base_url=console.url, headers=_from("10.3.3.3")) as operator:
        assert sign_in(operator, "amy", NEW_PASSWORD).headers["location"] == "/console/"
        assert operator.get("/console/").status_code == 200


def test_the_password_form_is_throttled_too(console: Console) -> None:
    client, token = signed_in_client(console)
    with contextlib.closing(client):
        statuses = [
            client.post(
                "/console/password",
                data={
                    "current": f"guess {n}",
                    "new": "another long password",
                    "repeat": "another long password",
                    "csrf": token,
                },
            ).status_code
            for n in range(ACCOUNT_LIMIT + 1)
        ]
        assert statuses == [400] * ACCOUNT_LIMIT + [429]


def test_sign_out_ends_every_session_copied_cookies_included(console: Console) -> None:
    client, token = signed_in_client(console)
    with contextlib.closing(client):
        copied = dict(client.cookies)
        other_browser = httpx.Client(base_url=console.url, follow_redirects=False)
        with contextlib.closing(other_browser):
            assert sign_in(other_browser, "amy", NEW_PASSWORD).headers["location"] == "/console/"
            assert client.post("/console/logout", data={"csrf": token}).status_code == 303
            assert other_browser.get("/console/").headers["location"] == "/console/login"
        with httpx.Client(base_url=console.url, cookies=copied) as thief:
            assert thief.get("/console/").headers["location"] == "/console/login"


def test_a_password_change_ends_the_other_sessions(console: Console) -> None:
    client, token = signed_in_client(console)
    with contextlib.closing(client), httpx.Client(base_url=console.url) as other:
        assert sign_in(other, "amy", NEW_PASSWORD).headers["location"] == "/console/"
        changed = client.post(
            "/console/password",
            data={
                "current": NEW_PASSWORD,
                "new": "a brand new password",
                "repeat": "a brand new password",
                "csrf": token,
            },
        )
        assert changed.headers["location"] == "/console/"
        assert client.get("/console/").status_code == 200  # the browser that changed it stays in
        assert other.get("/console/").headers["location"] == "/console/login"


def test_only_the_holder_or_an_admin_may_reply_take_over_or_hand_back(console: Console) -> None:
    console.service.handle_sync(Inbound("terminal:case", "/start"))
    amy, amy_token = signed_in_client(console, "amy")
    bob, bob_token = signed_in_client(console, "bob")
    admin, admin_token = signed_in_client(console, "root")
    with contextlib.closing(amy), contextlib.closing(bob), contextlib.closing(admin):
        with contextlib.closing(sqlite3.connect(console.db_path)) as db:
            db.execute("UPDATE operators SET role = 'admin' WHERE name = 'root'")
            db.commit()
        case = "/console/case/terminal:case"
        # nobody holds it: no reply without taking it over first
        assert bob.post(f"{case}/reply", data={"csrf": bob_token, "text": "hi"}).status_code == 403
        assert amy.post(f"{case}/takeover", data={"csrf": amy_token}).status_code == 303
        assert bob.post(f"{case}/reply", data={"csrf": bob_token, "text": "hi"}).status_code == 403
        assert bob.post(f"{case}/handback", data={"csrf": bob_token}).status_code == 403
        assert bob.post(f"{case}/takeover", data={"csrf": bob_token}).status_code == 403
        assert amy.post(f"{case}/reply", data={"csrf": amy_token, "text": "我在"}).status_code == 303
        assert admin.post(f"{case}/reply", data={"csrf": admin_token, "text": "主管在"}).status_code == 303
        assert admin.post(f"{case}/handback", data={"csrf": admin_token}).status_code == 303
    actions = [(who, what) for who, what, _key in _audit(console)]
    assert ("bob", "reply") not in actions and ("bob", "handback") not in actions
    assert ("amy", "reply") in actions and ("root", "handback") in actions


def test_operator_add_admin_stores_the_role(console: Console) -> None:
    add_operator(console.settings, "chief", admin=True)
    add_operator(console.settings, "plain")
    with contextlib.closing(sqlite3.connect(console.db_path)) as db:
        roles = dict(db.execute("SELECT name, role FROM operators").fetchall())
    assert roles == {"chief": "admin", "plain": "operator"}


def test_every_read_and_note_is_audited(console: Console) -> None:
    console.service.handle_sync(Inbound("terminal:read", "/start"))
    amy, amy_token = signed_in_client(console, "amy")
    bob, bob_token = signed_in_client(console, "bob")
    with contextlib.closing(amy), contextlib.closing(bob):
        call = amy.post("/console/call/new", data={"csrf": amy_token}).headers["location"]
        assert bob.get(call).status_code == 200  # another operator's guided call
        assert amy.get(call).status_code == 200  # one's own: not an extra audit row
        case = "/console/case/terminal:read"
        assert bob.post(f"{case}/note", data={"csrf": bob_token, "text": "备注"}).status_code == 303
        assert bob.get(f"{case}?fragment=transcript").status_code == 200
        assert bob.get("/console/audit").status_code == 200
    rows = _audit(console)
    call_key = "console:" + call.rsplit("/", 1)[1]
    assert ("bob", "call", call_key) in rows and ("amy", "call", call_key) not in rows
    assert ("bob", "note", "terminal:read") in rows
    assert ("bob", "transcript", "terminal:read") in rows
    assert ("bob", "audit", None) in rows


def test_delete_needs_its_confirmation_box(console: Console) -> None:
    console.service.handle_sync(Inbound("terminal:keep", "/start"))
    client, token = signed_in_client(console)
    with contextlib.closing(client):
        unconfirmed = client.post("/console/case/terminal:keep/delete", data={"csrf": token})
        assert unconfirmed.status_code == 303
        assert console.service.session("terminal:keep") is not None
        assert "sent=unconfirmed" in unconfirmed.headers["location"]
        confirmed = client.post("/console/case/terminal:keep/delete", data={"csrf": token, "confirm": "yes"})
        assert confirmed.headers["location"] == "/console/"
        assert console.service.session("terminal:keep") is None


def test_the_throttle_is_shared_by_workers_and_counts_before_checking(
    backend_settings: Settings, engine: Engine
) -> None:
    """Two stores on one database stand for two worker processes: 40 attempts at once on one
    account and address, half through each, admit exactly ACCOUNT_LIMIT."""
    from concurrent.futures import Future

    from bot.console.auth import WINDOW, throttle_keys
    from bot.service import Service
    from bot.store import login_attempts

    workers = [Service.open(backend_settings, engine=engine) for _ in range(2)]
    try:
        limits, cleared = throttle_keys("login", "amy", "10.4.4.4")
        futures: list[Future[list[int] | None]] = [
            workers[n % 2].store.submit(lambda conn: login_attempts.admit(conn, limits, 1000.0, WINDOW))
            for n in range(40)
        ]
        admitted = [f.result() for f in futures]
        assert sum(ids is not None for ids in admitted) == ACCOUNT_LIMIT
        first = next(ids for ids in admitted if ids is not None)
        workers[0].store.submit(lambda conn: login_attempts.settle(conn, first, cleared)).result()
        again = workers[1].store.submit(lambda conn: login_attempts.admit(conn, limits, 1001.0, WINDOW))
        assert again.result() is not None  # a right password starts the account's count again
        window_later = 1000.0 + WINDOW + 1
        later = workers[1].store.submit(lambda conn: login_attempts.admit(conn, limits, window_later, WINDOW))
        assert later.result() is not None
    finally:
        for worker in workers:
            worker.close()
