"""The console's routes: sign-in and password pages here; calls and cases in their modules.

Mounted by bot/app.py. `/console` redirects to `/console/`; every other page needs a signed-in
operator (else a redirect to `/console/login`); every POST needs the form's CSRF token (else 403).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.console import calls, cases
from bot.console.auth import (
    MIN_PASSWORD,
    SESSION_COOKIE,
    WINDOW,
    needs_rehash,
    throttle_keys,
)
from bot.console.delivery import Sender
from bot.console.web import HERE, LANG_COOKIE, Console
from bot.engine.i18n import LANGS
from bot.service import Service
from bot.store import console_tables as db
from bot.store import login_attempts as attempts


def _new_password_problem(current: str, new: str, repeat: str) -> str | None:
    if len(new) < MIN_PASSWORD:
        return "too_short"
    if new != repeat:
        return "mismatch"
    if new == current:
        return "same"
    return None


def _auth_routes(console: Console) -> list[BaseRoute]:
    async def login_page(request: Request) -> Response:
        return console.page(request, "login.html")

    async def admitted(purpose: str, name: str, request: Request) -> tuple[list[int], str] | None:
        """Counts the attempt before any password is checked; None once over the limit."""
        address = request.client.host if request.client else "?"  # via WEIQUAN_TRUSTED_PROXIES
        limits, cleared = throttle_keys(purpose, name, address)
        now = console.service.clock()
        ids = await console.write(lambda conn: attempts.admit(conn, limits, now, WINDOW))
        return None if ids is None else (ids, cleared)

    async def proven(attempt: tuple[list[int], str]) -> None:
        await console.write(lambda conn: attempts.settle(conn, *attempt))

    async def login(request: Request) -> Response:
        form = await console.checked_form(request)
        name = str(form.get("name", "")).strip()[:64]
        password = str(form.get("password", ""))
        attempt = await admitted("login", name, request)
        if attempt is None:
            return console.page(request, "login.html", status=429, error="too_many", name=name)
        row = await console.read(lambda conn: db.find_operator(conn, name=name))
        if row is None or row.disabled or not await console.passwords.verify(row, password):
            return console.page(request, "login.html", status=401, error="wrong", name=name)
        await proven(attempt)
        if needs_rehash(row):
            hashed = await console.passwords.hash(password)
            await console.write(lambda conn: db.rehash_password(conn, row.id, hashed))
        response = console.redirect("/console/password" if row.must_change else "/console/")
        console.set_cookie(request, response, SESSION_COOKIE, console.signer.session_cookie(row))
        return response

    async def logout(request: Request) -> Response:
        await console.checked_form(request)
        operator = await console.operator(request)
        if operator is not None:  # every session of this operator ends, copied cookies included
            await console.write(lambda conn: db.end_sessions(conn, operator.id))
        response = console.redirect("/console/login")
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    async def password_page(request: Request) -> Response:
        operator = await console.operator(request)
        if operator is None:
            return console.redirect("/console/login")
        return console.page(request, "password.html", operator=operator)

    async def change_password(request: Request) -> Response:
        form = await console.checked_form(request)
        operator = await console.operator(request)
        if operator is None:
            return console.redirect("/console/login")
        current, new = str(form.get("current", "")), str(form.get("new", ""))
        attempt = await admitted("password", operator.name, request)
        if attempt is None:
            error: str | None = "too_many"
        elif not await console.passwords.verify(operator, current):
            error = "wrong_current"
        else:
            await proven(attempt)  # the current password was right: not a guess
            error = _new_password_problem(current, new, str(form.get("repeat", "")))
        if error:
            status = 429 if error == "too_many" else 400
            return console.page(request, "password.html", status=status, operator=operator, error=error)
        hashed = await console.passwords.hash(new)
        await console.write(lambda conn: db.set_password(conn, operator.id, hashed))
        fresh = await console.read(lambda conn: db.find_operator(conn, id=operator.id))
        assert fresh is not None
        response = console.redirect("/console/")
        console.set_cookie(request, response, SESSION_COOKIE, console.signer.session_cookie(fresh))
        return response

    async def choose_lang(request: Request) -> Response:
        form = await console.checked_form(request)
        lang = str(form.get("lang", ""))
        back = str(form.get("next", "/console/"))
        response = console.redirect(back if back.startswith("/console/") else "/console/")
        if lang in LANGS:
            console.set_cookie(request, response, LANG_COOKIE, lang)
        return response

    return [
        Route("/console/login", login_page, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/logout", logout, methods=["POST"]),
        Route("/console/password", password_page, methods=["GET"]),
        Route("/console/password", change_password, methods=["POST"]),
        Route("/console/lang", choose_lang, methods=["POST"]),
    ]


def routes(
    service: Service, settings: Settings, operator_senders: Mapping[str, Sender] | None = None
) -> list[BaseRoute]:
    """`operator_senders`: per channel, how an operator's reply is pushed (else it waits for the
    user's next message)."""
    console = Console(service, settings, operator_senders or {})

    async def to_console(request: Request) -> Response:
        return RedirectResponse("/console/", status_code=307)

    return [
        Route("/console", to_console),
        Mount("/console/static", app=StaticFiles(directory=HERE / "static"), name="console-static"),
        *_auth_routes(console),
        *cases.routes(console),
        *calls.routes(console),
    ]
