"""The queue of conversations by risk, one case's page, takeover, replies, notes, export, erasure.

Every route about one case goes through `Console.case_route`: the rights rule and the audit row
are applied there, once, not route by route."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.console.delivery import Delivery, deliver
from bot.console.web import SECURITY_HEADERS, Console
from bot.store import console_tables as db
from bot.store.console_tables import OperatorRow
from bot.tools.case_render import render_docx
from bot.types import Session, UserKey

MAX_REPLY = 2000
MAX_NOTE = 4000
NOTICES = frozenset({*(d.value for d in Delivery), "unconfirmed"})  # locale keys case.sent.*
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def case_url(user_key: str) -> str:
    return "/console/case/" + quote(user_key, safe=":")


def _viewed(request: Request) -> str:
    # the page's own refresh while a case is held reads the transcript again: audited as such
    return "transcript" if request.query_params.get("fragment") == "transcript" else "view"


def _notice(request: Request) -> str | None:
    sent = request.query_params.get("sent")
    return sent if sent in NOTICES else None


def safety_alert(session: Session) -> str | None:
    """ "crisis" or "danger" when the conversation showed one (the detector, or the flow's own
    crisis and danger screens): the case page shows it on top, refreshed while it is held."""
    if "crisis_at" in session.answers:
        return "crisis"
    if "danger_at" in session.answers:
        return "danger"
    return None


def routes(console: Console) -> list[BaseRoute]:
    service = console.service
    store = service.store

    async def queue(request: Request, operator: OperatorRow) -> Response:
        rows = await run_in_threadpool(store.sessions_by_risk)
        held = await console.read(db.takeovers)
        return console.page(request, "queue.html", operator=operator, rows=rows, held=held)

    async def case(request: Request, operator: OperatorRow, user_key: str) -> Response:
        session = await run_in_threadpool(service.session, user_key)
        if session is None:
            raise HTTPException(404)
        transcript = await run_in_threadpool(store.transcript, user_key)
        alert = safety_alert(session)
        if _viewed(request) == "transcript":  # the page's own refresh while a person holds the case
            return console.page(request, "transcript.html", transcript=transcript, alert=alert)
        notes = await console.read(lambda conn: db.notes(conn, store.cipher, user_key))
        waiting = await console.read(lambda conn: db.waiting_replies(conn, store.cipher, user_key))
        held = await console.read(db.takeovers)
        stage = service.engine.flow.state(session.state).stage
        return console.page(
            request,
            "case.html",
            operator=operator,
            user_key=user_key,
            session=session,
            stage=stage,
            transcript=transcript,
            notes=notes,
            held_by=held.get(user_key),
            waiting=waiting,
            alert=alert,
            sent=_notice(request),
        )

    async def take_over(request: Request, operator: OperatorRow, user_key: str) -> Response:
        now = service.clock()
        if not await console.write(lambda conn: db.take_over(conn, user_key, operator.name, now)):
            raise HTTPException(404)
        return console.redirect(case_url(user_key))

    async def hand_back(request: Request, operator: OperatorRow, user_key: str) -> Response:
        await console.write(lambda conn: db.hand_back(conn, user_key))
        return console.redirect(case_url(user_key))

    async def reply(request: Request, operator: OperatorRow, user_key: str) -> Response:
        text = str((await request.form()).get("text", "")).strip()[:MAX_REPLY]
        if not text:
            return console.redirect(case_url(user_key))
        outcome = await deliver(service, console.operator_senders, user_key, operator.name, text)
        return console.redirect(f"{case_url(user_key)}?sent={outcome.value}")

    async def note(request: Request, operator: OperatorRow, user_key: str) -> Response:
        now = service.clock()
        text = str((await request.form()).get("text", "")).strip()[:MAX_NOTE]
        if text:
            await console.write(
                lambda conn: db.add_note(conn, store.cipher, user_key, operator.name, text, now)
            )
        back = str((await request.form()).get("next", ""))
        return console.redirect(back if back.startswith("/console/") else case_url(user_key))

    async def case_file(request: Request, operator: OperatorRow, user_key: str) -> Response:
        built = await run_in_threadpool(service.case_file, user_key)
        if built is None:
            raise HTTPException(404)
        key = UserKey.parse(user_key)  # a guided call goes back to its call page, others to the case
        back = f"/console/call/{key.id}" if key.channel == "console" else case_url(user_key)
        return console.page(
            request, "casefile.html", operator=operator, user_key=user_key, case=built, back=back
        )

    async def case_docx(request: Request, operator: OperatorRow, user_key: str) -> Response:
        built = await run_in_threadpool(service.case_file, user_key)
        if built is None:
            raise HTTPException(404)
        body = await service.build_document(partial(render_docx, built))
        filename = "weiquan-" + user_key.replace(":", "-") + ".docx"
        return Response(
            body,
            media_type=DOCX_TYPE,
            headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def erase(request: Request, operator: OperatorRow, user_key: str) -> Response:
        if (await request.form()).get("confirm") != "yes":  # the page's "I understand" box
            return console.redirect(f"{case_url(user_key)}?sent=unconfirmed")
        erased = await run_in_threadpool(store.delete_user, user_key)
        if erased:
            # The audit keeps who and when; the case is named only by a one-way digest.
            await console.audit(operator, "delete", console.signer.pseudonym(user_key))
        return console.redirect("/console/")

    async def audit_page(request: Request, operator: OperatorRow) -> Response:
        await console.audit(operator, "audit", None)
        rows = await console.read(db.audit_log)
        return console.page(request, "audit.html", operator=operator, rows=rows)

    page, about = console.route, console.case_route

    return [
        page("/console/", queue),
        page("/console/audit", audit_page),
        about("/console/case/{key}", case, _viewed),
        about("/console/case/{key}/file", case_file, "export"),
        about("/console/case/{key}/file.docx", case_docx, "export"),
        about("/console/case/{key}/takeover", take_over, "takeover", "POST"),
        about("/console/case/{key}/handback", hand_back, "handback", "POST"),
        about("/console/case/{key}/reply", reply, "reply", "POST"),
        about("/console/case/{key}/note", note, "note", "POST"),
        about("/console/case/{key}/delete", erase, lambda _request: None, "POST"),  # audits itself
    ]
