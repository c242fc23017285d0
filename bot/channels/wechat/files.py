"""The case file for WeChat users: a signed, expiring download link and the route that serves it.

WeChat text messages cannot carry a file (a document would need the media-upload API and a
verified account), so after /summary the user gets a link, built on WEIQUAN_PUBLIC_URL only (a
request's Host header is the sender's to choose); without it no link is sent. The token is signed
with WEIQUAN_CONSOLE_SECRET (itsdangerous) and expires; it names the user and the moment their
conversation began, so it is a bearer token for that one conversation's case file: after /delete,
the same user's new conversation is not served by an old link.
"""

from __future__ import annotations

import logging
from functools import partial
from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.config import Settings
from bot.service import Service
from bot.tools.case_render import render_docx

log = logging.getLogger(__name__)

LINK_HOURS = 24
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_SALT = "weiquan.wechat.case-file"


class CaseFileLinks:
    def __init__(self, settings: Settings) -> None:
        self._serializer = URLSafeTimedSerializer(settings.console_secret.reveal(), salt=_SALT)
        self.public_url = settings.public_url

    def url(self, user_key: str, lang: str, conversation_started: float) -> str | None:
        """The download link, or None when no public origin is configured."""
        if self.public_url is None:
            return None
        token = self._serializer.dumps([user_key, lang, conversation_started])
        return f"{self.public_url}/files/case/{token}"

    def read(self, token: str) -> tuple[str, str, float] | None:
        """(user_key, lang, conversation start), or None when forged, damaged or expired."""
        try:
            value = self._serializer.loads(token, max_age=LINK_HOURS * 3600)
        except SignatureExpired:
            log.info("wechat: expired case-file link", extra={"status": 410})
            return None
        except BadSignature:
            log.warning("wechat: forged case-file link", extra={"status": 404})
            return None
        if not (
            isinstance(value, list)
            and len(value) == 3
            and isinstance(value[0], str)
            and isinstance(value[1], str)
            and isinstance(value[2], int | float)
        ):
            return None
        return value[0], value[1], float(value[2])


def case_file_docx(service: Service, user_key: str, conversation_started: float) -> bytes | None:
    """The .docx of a user's case file, or None if we hold nothing about the conversation the
    link was made for (erased, or a new conversation since).

    Synchronous (python-docx and store reads): run it with `Service.build_document`.
    """
    session = service.session(user_key)
    if session is None or session.created_at != conversation_started:
        return None
    case = service.case_file(user_key)
    return None if case is None else render_docx(case)


def routes(service: Service, links: CaseFileLinks) -> list[BaseRoute]:
    async def download(request: Request) -> Response:
        found = links.read(request.path_params["token"])
        if found is None:
            return Response(status_code=404)
        user_key, lang, started = found
        try:
            document = await service.build_document(partial(case_file_docx, service, user_key, started))
        except Exception as error:  # never a traceback to the browser
            log.error("wechat: case file failed (%s)", type(error).__name__, extra={"status": 500})
            return Response(status_code=503)
        if document is None:
            return Response(status_code=404)
        name = service.i18n.text(lang, "wechat.case_file_name")
        return Response(
            document,
            media_type=DOCX_TYPE,
            headers={
                "Content-Disposition": (
                    f"attachment; filename=\"weiquan.docx\"; filename*=UTF-8''{quote(name, safe='')}.docx"
                ),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [Route("/files/case/{token}", download, methods=["GET"])]
