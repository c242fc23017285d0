"""Guided calls: the operator walks the caller through the same flow as the chatbot.

A call is a console-channel session (`console:<random id>`); each button or typed answer is one
turn through the Service, exactly as a chat message would be.
"""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.console.web import Console
from bot.engine.flow import menu as flow_menu
from bot.engine.flow import menu_commands
from bot.store import console_tables as db
from bot.store.console_tables import OperatorRow
from bot.types import Inbound, UserKey


def _call_key(request: Request) -> str:
    call_id = str(request.path_params["call_id"])
    if not call_id.isalnum() or len(call_id) > 32:
        raise HTTPException(404)
    return str(UserKey("console", call_id))


def routes(console: Console) -> list[BaseRoute]:
    service = console.service
    # The call page's command buttons: the flow's `menus: console:` groups, `quick` (/crisis,
    # /danger: the script, and the case marked) and `steps` (/move: a code the caller types in
    # their own WeChat or Telegram); a button sends the command's name without the slash.
    menu = {group: [c.lstrip("/") for c in cs] for group, cs in flow_menu(service.engine.flow, "console")}
    commands = {command.lstrip("/"): command for command in menu_commands(service.engine.flow, "console")}

    async def new_call(request: Request, operator: OperatorRow) -> Response:
        call_id = secrets.token_hex(8)
        user_key = str(UserKey("console", call_id))
        result = await service.handle(Inbound(user_key, "/start", locale=console.lang(request)))
        console.remember_reply(user_key, result.outbound)
        await console.audit(operator, "new_call", user_key)
        return console.redirect(f"/console/call/{call_id}")

    async def audit_if_not_mine(operator: OperatorRow, user_key: str) -> None:
        """Another operator's guided call holds that caller's answers: opening it is audited."""
        starter = await console.read(lambda conn: db.call_starter(conn, user_key))
        if starter != operator.name:
            await console.audit(operator, "call", user_key)

    async def call_page(request: Request, operator: OperatorRow) -> Response:
        user_key = _call_key(request)
        session = await run_in_threadpool(service.session, user_key)
        if session is None:
            raise HTTPException(404)
        await audit_if_not_mine(operator, user_key)
        outbound = console.last_replies.pop(user_key, None)
        if outbound is None or outbound.state != session.state:
            outbound = service.engine.current(session, service.clock())
        notes = await console.read(lambda conn: db.notes(conn, service.store.cipher, user_key))
        script, ask = outbound.messages[:-1], outbound.messages[-1] if outbound.messages else None
        if ask is not None and not (ask.options or ask.expects_text):
            script, ask = outbound.messages, None
        return console.page(
            request,
            "call.html",
            operator=operator,
            user_key=user_key,
            call_id=UserKey.parse(user_key).id,
            outbound=outbound,
            script=script,
            ask=ask,
            notes=notes,
            finished="case_file" in outbound.effects or outbound.stage == "summary",
            menu=menu,
        )

    async def answer(request: Request, operator: OperatorRow) -> Response:
        user_key = _call_key(request)
        await audit_if_not_mine(operator, user_key)
        form = await request.form()
        chosen = [str(v) for v in form.getlist("options")]
        single = str(form.get("option", ""))
        command = commands.get(str(form.get("command", "")))
        if single:
            inbound = Inbound(user_key, option_ids=(single,))
        elif command:
            inbound = Inbound(user_key, command)
        elif chosen:
            inbound = Inbound(user_key, option_ids=tuple(chosen))
        else:
            # not cut here: the safety detector reads the caller's words whole, then the store bounds them
            inbound = Inbound(user_key, str(form.get("text", "")).strip())
        result = await service.handle(inbound)
        console.remember_reply(user_key, result.outbound)
        return console.redirect(f"/console/call/{UserKey.parse(user_key).id}")

    page = console.route

    return [
        page("/console/call/new", new_call, "POST"),
        page("/console/call/{call_id}", call_page),
        page("/console/call/{call_id}", answer, "POST"),
    ]
