"""The operator console over real HTTP (uvicorn on loopback): sign-in, CSRF, queue, takeover,
delivery, notes, export, audit and erasure. The browser tests reuse `running_console`."""

from __future__ import annotations

import contextlib
import io
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from bot.config import Settings
from bot.console.auth import add_operator, disable_operator
from bot.console.delivery import Sender
from bot.service import Service
from bot.types import Inbound

NEW_PASSWORD = "correct horse battery"


def build_console_app(
    service: Service, settings: Settings, operator_senders: dict[str, Sender] | None = None
) -> Starlette:
    if operator_senders is not None:  # the console alone, with these channels' senders
        from bot.console import routes as console

        return Starlette(routes=console.routes(service, settings, operator_senders))
    try:
        from bot.app import build_app
    except ImportError as missing:  # a channel module another engineer is still writing
        if "bot.channels" not in str(missing):
            raise
        from bot.console import routes as console

        return Starlette(routes=console.routes(service, settings))
    return build_app(service, settings)


@dataclass
class Console:
    url: str
    service: Service
    settings: Settings
    db_path: Path


@contextlib.contextmanager
def running_console(
    settings: Settings, port: int, operator_senders: dict[str, Sender] | None = None
) -> Iterator[Console]:
    service = Service.open(settings)
    app = build_console_app(service, settings, operator_senders)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the console server did not start")
        time.sleep(0.02)
    db_path = Path(settings.database_url.split("///", 1)[1])
    try:
        yield Console(f"http://127.0.0.1:{port}", service, settings, db_path)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        service.close()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/console/login").text)
    return client.post("/console/login", data={"name": name, "password": password, "csrf": token})


def signed_in_client(console: Console, name: str = "amy") -> tuple[httpx.Client, str]:
    """A client whose operator has replaced the one-time password; returns it and a CSRF token."""
    one_time = add_operator(console.settings, name)
    client = httpx.Client(base_url=console.url, follow_redirects=False)
    assert sign_in(client, name, one_time).headers["location"] == "/console/password"
    token = csrf_of(client.get("/console/password").text)
    changed = client.post(
        "/console/password",
        data={"current": one_time, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD, "csrf": token},
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/console/"
    return client, token


@pytest.fixture
def console(tmp_settings: Settings, free_port: int) -> Iterator[Console]:
    with running_console(tmp_settings, free_port) as running:
        yield running


def queue_keys(html: str) -> list[str]:
    return re.findall(r'data-user-key="([^"]+)"', html)


def test_unauthenticated_pages_redirect_to_login(console: Console) -> None:
    with httpx.Client(base_url=console.url) as client:
        assert client.get("/console").headers["location"] == "/console/"
        for path in ("/console/", "/console/audit", "/console/case/terminal:x", "/console/call/ab12"):
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_first_login_forces_a_password_change(console: Console) -> None:
    one_time = add_operator(console.settings, "amy")
    with httpx.Client(base_url=console.url) as client:
        response = sign_in(client, "amy", one_time)
        assert response.headers["location"] == "/console/password"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert client.get("/console/").headers["location"] == "/console/password"
        token = csrf_of(client.get("/console/password").text)
        short = client.post(
            "/console/password", data={"current": one_time, "new": "short", "repeat": "short", "csrf": token}
        )
        assert short.status_code == 400
        changed = client.post(
            "/console/password",
            data={"current": one_time, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD, "csrf": token},
        )
        assert changed.headers["location"] == "/console/"
        page = client.get("/console/")
        assert page.status_code == 200 and "新来电" in page.text
    with httpx.Client(base_url=console.url) as fresh:
        assert sign_in(fresh, "amy", one_time).status_code == 401  # the one-time password is gone
        assert sign_in(fresh, "amy", NEW_PASSWORD).headers["location"] == "/console/"


def test_posts_need_a_csrf_token_and_a_session(console: Console) -> None:
    client, token = signed_in_client(console)
    with contextlib.closing(client):
        assert client.post("/console/call/new", data={}).status_code == 403
        assert client.post("/console/call/new", data={"csrf": "forged"}).status_code == 403
        assert client.post("/console/call/new", data={"csrf": token}).status_code == 303
    with httpx.Client(base_url=console.url) as stranger:
        assert stranger.post("/console/call/new", data={"csrf": token}).status_code == 403
        nonce_token = csrf_of(stranger.get("/console/login").text)
        response = stranger.post("/console/call/new", data={"csrf": nonce_token})
        assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_wrong_passwords_are_rejected_then_rate_limited(console: Console) -> None:
    client, _ = signed_in_client(console)
    client.close()
    with httpx.Client(base_url=console.url) as client:
        for _ in range(5):
            assert sign_in(client, "amy", "not the password").status_code == 401
        assert sign_in(client, "amy", NEW_PASSWORD).status_code == 429
        bob = add_operator(console.settings, "bob")  # same address, another account: not locked
        assert sign_in(client, "bob", bob).headers["location"] == "/console/password"


def test_a_disabled_operator_is_signed_out(console: Console) -> None:
    client, _ = signed_in_client(console)
    with contextlib.closing(client):
        assert client.get("/console/").status_code == 200
        disable_operator(console.settings, "amy")
        assert client.get("/console/").headers["location"] == "/console/login"
        assert sign_in(client, "amy", NEW_PASSWORD).status_code == 401


def test_queue_ranks_crisis_then_threats_then_contacts_then_recency(console: Console) -> None:
    service = console.service
    service.handle_sync(Inbound("terminal:old", "/start"))
    for text in ("/start", "1", "1 2"):  # the borrower, then family contacted
        service.handle_sync(Inbound("terminal:contacts", text))
    service.handle_sync(Inbound("terminal:threat", "催收的人堵在门口了"))
    service.handle_sync(Inbound("terminal:crisis", "我不想活了"))
    service.handle_sync(Inbound("telegram:7", "/start"))
    risks = {info.user_key: info.risk for info in service.store.sessions_by_risk()}
    client, _ = signed_in_client(console)
    with contextlib.closing(client):
        keys = queue_keys(client.get("/console/").text)
    assert (risks["terminal:crisis"], risks["terminal:threat"], risks["terminal:contacts"]) == (3, 2, 1)
    assert keys[:3] == ["terminal:crisis", "terminal:threat", "terminal:contacts"]
    expected = sorted(risks, key=lambda key: -risks[key])
    assert [risks[key] for key in keys] == [risks[key] for key in expected]
    assert keys.index("telegram:7") < keys.index("terminal:old")  # same risk: most recent first


def test_takeover_holds_the_bot_and_queues_the_reply_for_the_terminal(console: Console) -> None:
    service = console.service
    service.handle_sync(Inbound("terminal:x", "/start"))
    service.handle_sync(Inbound("terminal:x", "/human"))
    client, token = signed_in_client(console)
    with contextlib.closing(client):
        assert 'class="badge human"' in client.get("/console/").text
        assert client.post("/console/case/terminal:x/takeover", data={"csrf": token}).status_code == 303
        sent = client.post("/console/case/terminal:x/reply", data={"csrf": token, "text": "我是接线员小王"})
        assert sent.headers["location"].endswith("sent=queued")
        assert "我是接线员小王" in client.get("/console/case/terminal:x").text  # shown as waiting
        first = service.handle_sync(Inbound("terminal:x", "你好，有人吗")).outbound
        assert "我是接线员小王" in first.text and len(first.messages) == 1
        second = service.handle_sync(Inbound("terminal:x", "他们又打电话了")).outbound
        assert second.messages == ()  # held: the bot does not answer by itself
        assert "他们又打电话了" in client.get("/console/case/terminal:x").text
        client.post("/console/case/terminal:x/handback", data={"csrf": token})
        assert service.handle_sync(Inbound("terminal:x", "/help")).outbound.messages != ()
        client.post("/console/case/terminal:x/takeover", data={"csrf": token})
    # Held or not, the user can still erase their data.
    assert service.handle_sync(Inbound("terminal:x", "/delete")).outbound.stage == "help"
    assert service.handle_sync(Inbound("terminal:x", option_ids=("confirm",))).outbound.effects == (
        "deleted",
    )
    assert service.session("terminal:x") is None


def test_takeover_reply_goes_through_the_channels_sender(tmp_settings: Settings, free_port: int) -> None:
    pushed: list[tuple[str, str]] = []

    async def send(user_key: str, text: str) -> None:
        pushed.append((user_key, text))

    with running_console(tmp_settings, free_port, {"telegram": send}) as console:
        console.service.handle_sync(Inbound("telegram:42", "/start"))
        client, token = signed_in_client(console)
        with contextlib.closing(client):
            client.post("/console/case/telegram:42/takeover", data={"csrf": token})
            sent = client.post("/console/case/telegram:42/reply", data={"csrf": token, "text": "Hello"})
        assert sent.headers["location"].endswith("sent=sent")
        assert pushed == [("telegram:42", "【人工接线员】Hello")]
        assert console.service.store.transcript("telegram:42")[-1]["out"] == "【人工接线员】Hello"


def test_notes_are_encrypted_and_erasure_removes_console_rows(console: Console) -> None:
    service = console.service
    service.handle_sync(Inbound("terminal:gone", "/start"))
    client, token = signed_in_client(console)
    with contextlib.closing(client):
        client.get("/console/case/terminal:gone")
        client.post("/console/case/terminal:gone/note", data={"csrf": token, "text": "来电者声音很紧张"})
        client.post("/console/case/terminal:gone/takeover", data={"csrf": token})
        client.post("/console/case/terminal:gone/reply", data={"csrf": token, "text": "稍等"})
        assert "来电者声音很紧张" in client.get("/console/case/terminal:gone").text
        raw = console.db_path.read_bytes() + Path(f"{console.db_path}-wal").read_bytes()
        assert "来电者声音很紧张".encode() not in raw
        erased = client.post("/console/case/terminal:gone/delete", data={"csrf": token, "confirm": "yes"})
        assert erased.headers["location"] == "/console/"
        audit = client.get("/console/audit").text
    with contextlib.closing(sqlite3.connect(console.db_path)) as db:
        for table in ("console_notes", "console_pending", "console_takeovers"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        keys = [row[0] for row in db.execute("SELECT user_key FROM console_audit")]
    assert "terminal:gone" not in keys and "terminal:gone" not in audit
    assert any(key and key.startswith("erased:") for key in keys)


def test_case_file_view_and_docx_are_audited(console: Console) -> None:
    service = console.service
    for text in ("/start", "1", "1 2", "/summary"):
        service.handle_sync(Inbound("terminal:case", text))
    client, _ = signed_in_client(console)
    with contextlib.closing(client):
        assert client.get("/console/case/terminal:case/file").status_code == 200
        response = client.get("/console/case/terminal:case/file.docx")
        audit = client.get("/console/audit").text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(response.content))
    assert any(p.text.strip() for p in document.paragraphs)
    assert audit.count("terminal:case") == 2


def test_operator_add_prints_the_one_time_password_last(tmp_settings: Settings, tmp_path: Path) -> None:
    env = {
        "WEIQUAN_DATA_DIR": str(tmp_path),
        "WEIQUAN_DATABASE_URL": tmp_settings.database_url,
        "WEIQUAN_DATA_KEY": "k",
        "WEIQUAN_CONSOLE_SECRET": "s",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "operator", "add", "li"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    password = done.stdout.strip().splitlines()[-1].rsplit(": ", 1)[1]
    from bot.console.auth import verify_password
    from bot.store import console_tables
    from bot.store.db import open_engine

    engine = open_engine(tmp_settings.database_url)
    with engine.connect() as conn:
        row = console_tables.find_operator(conn, name="li")
    engine.dispose()
    assert row is not None and row.must_change and verify_password(row, password)


@pytest.mark.postgres
def test_takeover_pending_reply_and_erasure_on_postgresql(tmp_settings: Settings, pg_url: str) -> None:
    import dataclasses

    from sqlalchemy import func, select

    from bot.store import console_tables
    from bot.store.db import open_engine, upgrade

    engine = open_engine(pg_url)
    upgrade(engine)
    engine.dispose()
    service = Service.open(dataclasses.replace(tmp_settings, database_url=pg_url))
    store = service.store
    try:
        service.handle_sync(Inbound("terminal:pg", "/start"))
        store.submit(lambda conn: console_tables.take_over(conn, "terminal:pg", "amy", 1.0)).result()
        store.submit(
            lambda conn: console_tables.queue_reply(
                conn, store.cipher, "terminal:pg", "amy", "operator here", 1.0
            )
        ).result()
        store.submit(lambda conn: console_tables.audit(conn, "amy", "view", "terminal:pg", 1.0)).result()
        from bot.store import console_turns

        console_turns.wake(store)
        assert "operator here" in service.handle_sync(Inbound("terminal:pg", "hi")).outbound.text
        assert service.handle_sync(Inbound("terminal:pg", "still there?")).outbound.messages == ()
        assert store.delete_user("terminal:pg")
        with store.db.connect() as conn:
            for table in (console_tables.console_pending, console_tables.console_takeovers):
                assert conn.execute(select(func.count()).select_from(table)).scalar() == 0
            keys = conn.execute(select(console_tables.console_audit.c.user_key)).scalars().all()
        assert keys == [None]
    finally:
        service.close()
