"""Layouts of a CaseFile: Markdown, JSON and Word (.docx). No wording here, only arrangement."""

from __future__ import annotations

import dataclasses
import io
from typing import TYPE_CHECKING, Any

import orjson
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

if TYPE_CHECKING:
    from bot.tools.export import CaseFile

_CJK_FONT = "SimSun"  # Word's usual fallback for Chinese text; without it some viewers show boxes
# Column widths in cm (A4 text width is about 16 cm): narrow numbers and dates, wide text
_WIDTHS = {"evidence": (1.3, 9.2, 2.5, 3.0), "plan": (1.3, 4.0, 5.8, 2.1, 2.8)}


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return lines


def _evidence_rows(case: CaseFile) -> list[tuple[object, ...]]:
    return [(r.number, r.item, r.status, r.date) for r in case.evidence]


def _plan_rows(case: CaseFile) -> list[tuple[object, ...]]:
    return [(r.number, r.channel, r.contact, r.response_short, r.follow_up_on) for r in case.plan]


def render_markdown(case: CaseFile) -> str:
    h = case.headings
    out = [f"# {case.title}", ""]
    if case.created_on:
        out += [case.created_on, ""]
    out += [case.intro, "", f"## {h['summary']}", ""]
    out += [f"- **{line.label}**: {line.value}" for line in case.summary]
    out += ["", f"## {h['violations']}"]
    for lender in case.lenders:
        out += ["", f"### {lender.number}. {lender.name}（{lender.kind}）", "", f"- {lender.check}"]
        for v in lender.violations:
            out += [f"- {v.text}", f"  - {v.citation}"]
        out += [f"- {case.channels_label}{case.list_separator.join(lender.channels)}"]
    out += [""] + [f"- {text}" for text in case.allowed]
    out += ["", f"## {h['evidence']}", "", case.evidence_progress, ""]
    out += _md_table(case.columns["evidence"], _evidence_rows(case))
    out += ["", f"## {h['plan']}", ""]
    out += _md_table(case.columns["plan"], _plan_rows(case))
    for row in case.plan:
        out += ["", f"### {row.number}. {row.channel}", ""]
        out += [_md_detail(line) for line in row.details]
    out += ["", f"## {h['loan']}"]
    for lender in case.lenders:
        out += ["", f"### {lender.number}. {lender.name}", ""] + [f"- {line}" for line in lender.loan]
    out += ["", f"## {h['budget']}", ""] + [f"- {line}" for line in case.budget]
    out += ["", f"## {h['negotiation']}", ""] + [f"- {line}" for line in case.negotiation]
    out += ["", f"## {h['letters']}"]
    for letter in case.letters:
        out += ["", f"### {letter.title}", "", "```text", letter.body, "```"]
    out += ["", "---", "", case.notice, ""]
    return "\n".join(out)


def _md_detail(line: str) -> str:
    """Script points come indented with a dash from plan.step_lines: nest them."""
    stripped = line.strip()
    return f"  - {stripped[1:].strip()}" if stripped.startswith("–") else f"- {stripped}"


def render_json(case: CaseFile) -> str:
    data: dict[str, Any] = dataclasses.asdict(case)
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")


def render_docx(case: CaseFile) -> bytes:
    doc = Document()
    _set_fonts(doc)
    w = _Writer(doc)
    doc.core_properties.title = case.title
    doc.core_properties.author = ""
    w.heading(case.title, level=0)
    if case.created_on:
        w.para(case.created_on)
    w.para(case.intro)
    h = case.headings
    w.heading(h["summary"], level=1)
    for line in case.summary:
        paragraph = w.para(style="List Bullet")
        paragraph.add_run(f"{line.label}: ").bold = True
        paragraph.add_run(line.value)
    w.heading(h["violations"], level=1)
    for lender in case.lenders:
        w.heading(f"{lender.number}. {lender.name}（{lender.kind}）", level=2)
        w.para(lender.check)
        for v in lender.violations:
            w.para(v.text, style="List Bullet")
            cited = w.para()
            cited.paragraph_format.left_indent = Cm(0.63)  # under the bullet's text
            cited.add_run(v.citation).italic = True
        w.para(case.channels_label + case.list_separator.join(lender.channels))
    for text in case.allowed:
        w.para(text, style="List Bullet")
    w.heading(h["evidence"], level=1)
    w.para(case.evidence_progress)
    _docx_table(doc, case.columns["evidence"], _evidence_rows(case), _WIDTHS["evidence"])
    w.heading(h["plan"], level=1)
    _docx_table(doc, case.columns["plan"], _plan_rows(case), _WIDTHS["plan"])
    for row in case.plan:
        w.heading(f"{row.number}. {row.channel}", level=2)
        for detail in row.details:
            point = detail.strip().startswith("–")
            w.para(detail.strip().lstrip("–").strip(), style="List Bullet 2" if point else "List Bullet")
    w.heading(h["loan"], level=1)
    for lender in case.lenders:
        w.heading(f"{lender.number}. {lender.name}", level=2)
        for sentence in lender.loan:
            w.para(sentence)
    w.heading(h["budget"], level=1)
    for sentence in case.budget:
        w.para(sentence)
    w.heading(h["negotiation"], level=1)
    for option in case.negotiation:
        w.para(option, style="List Bullet")
    w.heading(h["letters"], level=1)
    for index, letter in enumerate(case.letters):
        heading = w.heading(letter.title, level=2)
        heading.paragraph_format.page_break_before = index > 0  # each letter on its own pages
        lines = letter.body.splitlines()
        if lines and lines[0] == letter.title:
            lines = lines[1:]  # the heading already says it
        for letter_line in lines:
            if not letter_line.strip():
                continue  # blank lines become paragraph spacing
            paragraph = w.para()
            paragraph.add_run(letter_line).bold = letter_line in case.letter_headings
            paragraph.paragraph_format.space_after = Pt(4)
    w.para(case.notice).runs[0].italic = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


class _Writer:
    """Paragraphs with their style set by id. python-docx's own assignment by name (and even by
    style object) scans every style in the document to find the default one, each time: that
    was over half of a case file's rendering, about 5 ms per styled paragraph."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._ids: dict[str, str] = {}

    def para(self, text: str = "", style: str | None = None) -> Any:
        paragraph = self.doc.add_paragraph(text)
        if style is not None:
            if style not in self._ids:
                self._ids[style] = self.doc.styles[style].style_id
            paragraph._p.style = self._ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> Any:
        return self.para(text, "Title" if level == 0 else f"Heading {level}")


def _docx_table(
    doc: Any, columns: tuple[str, ...], rows: list[tuple[object, ...]], widths: tuple[float, ...]
) -> None:
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.autofit = False
    sizes = [Cm(width) for width in widths]
    # Word reads the cell widths, LibreOffice the grid columns: set both. Each cell's width is set
    # as the row is filled: python-docx builds every cell of the table for each `column.cells`.
    for column, size in zip(table.columns, sizes, strict=True):
        column.width = size
    for cell, heading, size in zip(table.rows[0].cells, columns, sizes, strict=True):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
        cell.width = size
    for row in rows:
        for cell, value, size in zip(table.add_row().cells, row, sizes, strict=True):
            cell.text = str(value)
            cell.width = size


def _set_fonts(doc: Any) -> None:
    """A CJK font for every style; the template's theme fonts would otherwise win over it."""
    doc.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts()
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), _CJK_FONT)
