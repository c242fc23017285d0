"""The case file for the console: the same builder and renderers as `weiquan export`."""

from __future__ import annotations

from bot.tools.case_render import render_docx

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
as_docx = render_docx
