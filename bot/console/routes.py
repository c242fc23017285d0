"""The console's routes: sign-in and password pages here; calls and cases in their modules.

Mounted by bot/app.py. `/console` redirects to `/console/`; every other page needs a signed-in
operator (else a redirect to `/console/login`); every POST needs the form's CSRF token (else 403).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.console import calls, cases
from bot.console.auth import (
    MIN_PASSWORD,
    SESSION_COOKIE,
    add_operator,
    disable_operator,
    hash_password,
    needs_rehash,
    verify_password,
)
from bot.console.web import HERE, LANG_COOKIE, Console
from bot.engine.i18n import LANGS
from bot.service import Service
from bot.store import console_tables as db

__all__ = ["add_operator", "disable_operator", "routes"]


def _auth_routes(console: Console) -> list[BaseRoute]:
    async def login_page(request: Request) -> Response:
        return console.page(request, "login.html")

    async def login(request: Request) -> Response:
        form = await console.checked_form(request)
        name = str(form.get("name", "")).strip()[:64]
        password = str(form.get("password", ""))
        now = console.service.clock()
        client = request.client.host if request.client else "?"
        keys = (f"name:{name}", f"addr:{client}")
        if not console.throttle.allowed(keys, now):
            return console.page(request, "login.html", status=429, error="too_many", name=name)
        row = await console.read(lambda conn: db.find_operator(conn, name=name))
        if row is None or row.disabled or not verify_password(row, password):
            console.throttle.failed(keys, now)
            return console.page(request, "login.html", status=401, error="wrong", name=name)
        console.throttle.succeeded(keys)
        if needs_rehash(row):
            hashed = hash_password(password)
            await console.write(lambda conn: db.rehash_password(conn, row.id, hashed))
        response = console.redirect("/console/password" if row.must_change else "/console/")
        console.set_cookie(request, response, SESSION_COOKIE, console.signer.session_cookie(row))
        return response

    async def logout(request: Request) -> Response:
        await console.checked_form(request)
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
        error = None
        if not verify_password(operator, current):
            error = "wrong_current"
        elif len(new) < MIN_PASSWORD:
            error = "too_short"
        elif new != str(form.get("repeat", "")):
            error = "mismatch"
        elif new == current:
            error = "same"
        if error:
            return console.page(request, "password.html", status=400, operator=operator, error=error)
        hashed = hash_password(new)
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


def routes(service: Service, settings: Settings) -> list[BaseRoute]:
    console = Console(service, settings)

    async def to_console(request: Request) -> Response:
        return RedirectResponse("/console/", status_code=307)

    return [
        Route("/console", to_console),
        Mount("/console/static", app=StaticFiles(directory=HERE / "static"), name="console-static"),
        *_auth_routes(console),
        *cases.routes(console),
        *calls.routes(console),
    ]
