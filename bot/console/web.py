"""What every console page shares: the operator behind a request, CSRF, language, templates."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.console import rights
from bot.console.auth import CSRF_COOKIE, SESSION_COOKIE, PasswordWork, Signer, new_nonce
from bot.console.delivery import Sender
from bot.engine.i18n import DEFAULT_LANG, LANGS
from bot.service import Service
from bot.store import console_tables as db
from bot.store import console_turns
from bot.types import Outbound

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "wq_lang"
T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Response]]
OperatorHandler = Callable[[Request, db.OperatorRow], Awaitable[Response]]
CaseHandler = Callable[[Request, db.OperatorRow, str], Awaitable[Response]]
# The audit action of a request ("view", "transcript" …), or None when the handler audits itself.
AuditAction = Callable[[Request], str | None]
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Console:
    def __init__(
        self, service: Service, settings: Settings, operator_senders: Mapping[str, Sender] | None = None
    ) -> None:
        self.service = service
        self.operator_senders: Mapping[str, Sender] = operator_senders or {}
        self.signer = Signer(settings.console_secret.reveal())
        self.passwords = PasswordWork()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # The reply to a guided call's last answer (re-prompts, warnings): shown once after the
        # redirect; a page loaded later shows the state's messages again.
        self.last_replies: OrderedDict[str, Outbound] = OrderedDict()

    # -- data access: reads in a worker thread, writes through the store thread -------------------
    async def read(self, job: Callable[[Connection], T]) -> T:
        def run() -> T:
            with self.service.store.db.connect() as conn:
                return job(conn)

        return await run_in_threadpool(run)

    async def write(self, job: Callable[[Connection], T]) -> T:
        result: T = await asyncio.wrap_future(self.service.store.submit(job))
        console_turns.wake(self.service.store)  # a takeover or a waiting reply applies from the next turn
        return result

    async def audit(self, operator: db.OperatorRow, action: str, user_key: str | None) -> None:
        now = self.service.clock()
        await self.write(lambda conn: db.audit(conn, operator.name, action, user_key, now))

    def remember_reply(self, user_key: str, outbound: Outbound) -> None:
        self.last_replies[user_key] = outbound
        while len(self.last_replies) > 1000:
            self.last_replies.popitem(last=False)

    # -- who is asking ---------------------------------------------------------------------------
    async def operator(self, request: Request) -> db.OperatorRow | None:
        ids = self.signer.read_session(request.cookies.get(SESSION_COOKIE))
        if ids is None:
            return None
        row = await self.read(lambda conn: db.find_operator(conn, id=ids[0]))
        if row is None or row.disabled or row.generation != ids[1]:
            return None
        return row

    async def checked_form(self, request: Request) -> FormData:
        """Every POST: the form must carry the CSRF token of this browser's nonce cookie."""
        form = await request.form()
        if not self.signer.csrf_valid(request.cookies.get(CSRF_COOKIE), form.get("csrf")):
            raise HTTPException(403)
        return form

    def lang(self, request: Request) -> str:
        chosen = request.cookies.get(LANG_COOKIE, "")
        return chosen if chosen in LANGS else DEFAULT_LANG

    def text(self, lang: str) -> Callable[..., str]:
        def t(key: str, /, **params: Any) -> str:
            return self.service.i18n.text(lang, f"console.{key}", **params)

        return t

    # -- responses -----------------------------------------------------------------------------------
    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        nonce = request.cookies.get(CSRF_COOKIE) or new_nonce()
        lang = self.lang(request)
        t = self.text(lang)
        html = self.templates.get_template(template).render(
            t=t,
            lang=lang,
            csrf=self.signer.csrf_token(nonce),
            path=request.url.path,
            age=lambda since: _age(t, self.service.clock() - since),
            **context,
        )
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        if request.cookies.get(CSRF_COOKIE) != nonce:
            self.set_cookie(request, response, CSRF_COOKIE, nonce)
        return response

    def set_cookie(self, request: Request, response: Response, name: str, value: str) -> None:
        response.set_cookie(
            name,
            value,
            httponly=True,
            samesite="strict",
            path="/console",
            secure=request.url.scheme == "https",
        )

    def route(self, path: str, handler: OperatorHandler, method: str = "GET") -> Route:
        return Route(path, signed_in(self, handler), methods=[method])

    def case_route(
        self, path: str, handler: CaseHandler, action: str | AuditAction, method: str = "GET"
    ) -> Route:
        """A page about one conversation: the rights rule (bot/console/rights.py) is checked
        before the handler runs, and the audit log gets a row for every answer it gives."""
        audit_as = (lambda _request: action) if isinstance(action, str) else action

        async def run(request: Request, operator: db.OperatorRow) -> Response:
            user_key = case_key(request)
            name = audit_as(request)
            if name in rights.GUARDED:
                holder = await self.read(lambda conn: db.holder(conn, user_key))
                if not rights.permitted(name, operator, holder):
                    raise HTTPException(403)
            response = await handler(request, operator, user_key)
            if name is not None and response.status_code < 400:
                await self.audit(operator, name, user_key)
            return response

        return self.route(path, run, method)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def case_key(request: Request) -> str:
    user_key = str(request.path_params["key"])
    if ":" not in user_key or len(user_key) > 128:
        raise HTTPException(404)
    return user_key


def _age(t: Callable[..., str], seconds: float) -> str:
    if seconds < 60:
        return t("age.seconds")
    for unit, size in (("days", 86400), ("hours", 3600)):
        if seconds >= size:
            return t(f"age.{unit}", n=int(seconds // size))
    return t("age.minutes", n=int(seconds // 60))


def signed_in(console: Console, handler: OperatorHandler) -> Handler:
    """Pages for a signed-in operator whose one-time password has been replaced."""

    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            await console.checked_form(request)
        operator = await console.operator(request)
        if operator is None:
            return console.redirect("/console/login")
        if operator.must_change:
            return console.redirect("/console/password")
        return await handler(request, operator)

    return endpoint
