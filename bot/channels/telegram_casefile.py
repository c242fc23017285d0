"""The case file sent after /summary, as a .docx.

The real builder is `bot.tools.export.case_file_docx` (another engineer's work). Until it lands,
this interim builder writes the summary the user has just read into a plain Word document, so
the channel already sends a real .docx; wiring the builder is a change to this one function.
"""

from __future__ import annotations

import io

import docx

from bot.service import Service
from bot.types import Outbound


def case_file_docx(service: Service, user_key: str, lang: str, summary: Outbound) -> bytes:
    """Runs in a worker thread (python-docx is synchronous)."""
    document = docx.Document()
    document.add_heading(service.i18n.text(lang, "telegram.case_file_title"), level=1)
    for message in summary.messages:
        for paragraph in message.text.split("\n\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
