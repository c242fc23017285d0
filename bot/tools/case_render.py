"""Layouts of a CaseFile: Markdown, JSON and Word (.docx). No wording here, only arrangement."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from functools import cache
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import orjson
from docx import Document
from docx.oxml.ns import qn

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
    """The case file as a Word document: its body written as WordprocessingML text and added to
    a prepared package (styles, numbering, theme) that is built once. Building it through
    python-docx's object model cost about 80 ms per file, a third of a webhook turn's CPU."""
    template = _template()
    body = _Body(template.style_ids)
    body.para(case.title, style="Title")
    if case.created_on:
        body.para(case.created_on)
    body.para(case.intro)
    h = case.headings
    body.para(h["summary"], style="Heading 1")
    for line in case.summary:
        body.para(_Run(f"{line.label}: ", bold=True), _Run(line.value), style="List Bullet")
    body.para(h["violations"], style="Heading 1")
    for lender in case.lenders:
        body.para(f"{lender.number}. {lender.name}（{lender.kind}）", style="Heading 2")
        body.para(lender.check)
        for v in lender.violations:
            body.para(v.text, style="List Bullet")
            body.para(_Run(v.citation, italic=True), indent_cm=0.63)  # under the bullet's text
        body.para(case.channels_label + case.list_separator.join(lender.channels))
    for text in case.allowed:
        body.para(text, style="List Bullet")
    body.para(h["evidence"], style="Heading 1")
    body.para(case.evidence_progress)
    body.table(case.columns["evidence"], _evidence_rows(case), _WIDTHS["evidence"])
    body.para(h["plan"], style="Heading 1")
    body.table(case.columns["plan"], _plan_rows(case), _WIDTHS["plan"])
    for row in case.plan:
        body.para(f"{row.number}. {row.channel}", style="Heading 2")
        for detail in row.details:
            point = detail.strip().startswith("–")
            body.para(detail.strip().lstrip("–").strip(), style="List Bullet 2" if point else "List Bullet")
    body.para(h["loan"], style="Heading 1")
    for lender in case.lenders:
        body.para(f"{lender.number}. {lender.name}", style="Heading 2")
        for sentence in lender.loan:
            body.para(sentence)
    body.para(h["budget"], style="Heading 1")
    for sentence in case.budget:
        body.para(sentence)
    body.para(h["negotiation"], style="Heading 1")
    for option in case.negotiation:
        body.para(option, style="List Bullet")
    body.para(h["letters"], style="Heading 1")
    for index, letter in enumerate(case.letters):
        # each letter on its own pages
        body.para(letter.title, style="Heading 2", page_break_before=index > 0)
        lines = letter.body.splitlines()
        if lines and lines[0] == letter.title:
            lines = lines[1:]  # the heading already says it
        for letter_line in lines:
            if letter_line.strip():  # blank lines become paragraph spacing
                bold = letter_line in case.letter_headings
                body.para(_Run(letter_line, bold=bold), space_after_pt=4)
    body.para(_Run(case.notice, italic=True))
    return template.package(document=body.xml(), core=_core_xml(case.title))


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DOCUMENT_PART, _CORE_PART = "word/document.xml", "docProps/core.xml"
_STYLES = ("Title", "Heading 1", "Heading 2", "List Bullet", "List Bullet 2", "Table Grid")
# A4 with 2.5 cm margins: 16 cm of text width, which the tables' columns fill
_SECTION = (
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1417" '
    'w:bottom="1440" w:left="1417" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = {"\t": "<w:tab/>", "\n": "<w:br/>"}


def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


def _text_xml(text: str) -> str:
    """Text as run content: escaped, characters XML cannot hold dropped, tabs and line breaks
    as Word's own elements."""
    safe = escape(_NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    pieces = re.split("([\t\n])", safe)
    return "".join(_BREAKS.get(p) or f'<w:t xml:space="preserve">{p}</w:t>' for p in pieces if p)


@dataclasses.dataclass(frozen=True)
class _Run:
    text: str
    bold: bool = False
    italic: bool = False

    def xml(self) -> str:
        marks = ("<w:b/>" if self.bold else "") + ("<w:i/>" if self.italic else "")
        props = f"<w:rPr>{marks}</w:rPr>" if marks else ""
        return f"<w:r>{props}{_text_xml(self.text)}</w:r>" if self.text else ""


class _Body:
    """The document's body as WordprocessingML text, paragraph by paragraph."""

    def __init__(self, style_ids: dict[str, str]) -> None:
        self._style_ids = style_ids
        self._parts: list[str] = []

    def para(
        self,
        *runs: str | _Run,
        style: str | None = None,
        page_break_before: bool = False,
        space_after_pt: int | None = None,
        indent_cm: float | None = None,
    ) -> None:
        # the order of the properties is the schema's
        props = f'<w:pStyle w:val="{self._style_ids[style]}"/>' if style else ""
        props += "<w:pageBreakBefore/>" if page_break_before else ""
        props += f'<w:spacing w:after="{space_after_pt * 20}"/>' if space_after_pt is not None else ""
        props += f'<w:ind w:left="{_twips(indent_cm)}"/>' if indent_cm is not None else ""
        content = "".join((run if isinstance(run, _Run) else _Run(run)).xml() for run in runs)
        self._parts.append(f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{content}</w:p>")

    def table(
        self, columns: tuple[str, ...], rows: list[tuple[object, ...]], widths_cm: tuple[float, ...]
    ) -> None:
        """A grid with fixed column widths: Word reads the cells' widths, LibreOffice the grid's."""
        twips = [_twips(width) for width in widths_cm]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
        header = [_Run(c, bold=True) for c in columns]
        lines = [header, *([_Run(str(value)) for value in row] for row in rows)]
        body = "".join(
            "<w:tr>"
            + "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>{run.xml()}</w:p></w:tc>'
                for run, w in zip(line, twips, strict=True)
            )
            + "</w:tr>"
            for line in lines
        )
        self._parts.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self._style_ids["Table Grid"]}"/>'
            '<w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
        )

    def xml(self) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{_W_NS}"><w:body>{"".join(self._parts)}{_SECTION}</w:body></w:document>'
        )


def _core_xml(title: str) -> str:
    """The document's properties: its title, and no author."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<cp:coreProperties xmlns:cp="{_CP_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(_NOT_XML.sub('', title))}</dc:title><dc:creator></dc:creator></cp:coreProperties>"
    )


@dataclasses.dataclass(frozen=True)
class _Template:
    parts: bytes  # a .docx package holding everything but the document and its properties
    style_ids: dict[str, str]  # style name -> id, as the package's styles define them

    def package(self, document: str, core: str) -> bytes:
        """The template's package with these two parts added (its own parts are copied, not
        compressed again)."""
        buffer = io.BytesIO(self.parts)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as package:
            package.writestr(_DOCUMENT_PART, document)
            package.writestr(_CORE_PART, core)
        return buffer.getvalue()


@cache
def _template() -> _Template:
    """python-docx's default package with a CJK font in its styles, built once per process."""
    doc = Document()
    _set_fonts(doc)
    style_ids = {name: doc.styles[name].style_id for name in _STYLES}
    saved, parts = io.BytesIO(), io.BytesIO()
    doc.save(saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(parts, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in (_DOCUMENT_PART, _CORE_PART):
                target.writestr(info, source.read(info))
    return _Template(parts.getvalue(), style_ids)


def _set_fonts(doc: Any) -> None:
    """A CJK font for every style; the template's theme fonts would otherwise win over it."""
    doc.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts()
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), _CJK_FONT)
