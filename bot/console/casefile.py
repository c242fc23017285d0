"""The case file for the console: the same builder and renderers as `weiquan export`."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.service import Service
from bot.tools.case_render import render_docx
from bot.tools.export import CaseFile, build_case_file


def case_file(service: Service, user_key: str) -> CaseFile | None:
    session = service.session(user_key)
    if session is None:
        return None
    lang = session.lang

    def text(key: str, **params: Any) -> str:
        return service.i18n.text(lang, key, **params)

    return build_case_file(session.answers, lang, text, today=date.today())


def as_docx(case: CaseFile) -> bytes:
    return render_docx(case)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
