"""The case file: built from answers, rendered as Markdown, JSON and a real .docx."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from docx import Document
from test_tools_locales import strict_text

from bot.tools.case_render import render_docx, render_json, render_markdown
from bot.tools.export import build_case_file

TODAY = date(2026, 11, 23)
CASE = {
    "contacted": ["me", "friends"],
    "methods": ["calls", "sms", "fake_legal"],
    "frequency": "daily",
    "night": "yes",
    "since": "2026-10",
    "lender_name": "快借消费金融",
    "lender_type": "consumer_finance",
    "contract_amount": 10_000,
    "received_amount": 7_000,
    "monthly_payment": 1_000,
    "term_months": 12,
    "income": 5_000,
    "essentials": 3_000,
    "evidence_done": ["call_records", "messages"],
    "evidence_dates": {"call_records": "2026-11-20", "messages": "2026-11-21"},
}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_case_file_holds_every_part(lang: str) -> None:
    text = strict_text(lang)
    case = build_case_file(CASE, lang, text, today=TODAY)
    assert case.lang == lang and case.created_on == "2026-11-23"
    assert [line.field for line in case.summary] == [
        "role",
        "lender_name",
        "lender_type",
        "contacted",
        "methods",
        "frequency",
        "night",
        "since",
    ]
    assert [v.id for v in case.violations] == [
        "night_contact",
        "third_parties",
        "fake_legal",
        "head_cut",
        "rate_licensed_24",
    ]
    assert all(v.fact_ids and v.citation for v in case.violations)
    assert [r.item_id for r in case.evidence][:2] == ["call_records", "messages"]
    assert case.evidence[0].date == "2026-11-20" and case.evidence[0].done
    # a fake court paper: checking it (12368) and the police (110) lead the plan
    assert [p.channel_id for p in case.plan][:4] == [
        "court_12368",
        "police",
        "lender_own_complaint",
        "nfra_12378",
    ]
    assert case.plan[0].follow_up_on == case.plan[1].follow_up_on == ""  # no deadline there
    assert case.plan[2].follow_up_on == "2026-12-08"
    documents = [
        "complaint_lender_own_complaint_1",
        "complaint_nfra_12378_1",
        "police",
        "stop_contacts",
        "negotiation_1",
    ]
    if lang == "en":  # the Chinese copy to hand in, each followed by an English reading copy
        documents = [d for doc in documents for d in (doc, f"{doc}_reading")]
    assert [letter.id for letter in case.letters] == documents
    assert any("113.4%" in line for line in case.loan)
    assert any("1,600" in line for line in case.budget)


def test_markdown_has_sections_and_tables() -> None:
    text = strict_text("zh_CN")
    md = render_markdown(build_case_file(CASE, "zh_CN", text, today=TODAY))
    assert md.startswith("# 维权案卷")
    for section in ("summary", "violations", "evidence", "plan", "loan", "budget", "negotiation", "letters"):
        assert f"## {text(f'tools.export.heading.{section}')}" in md
    assert "| 1 | 催收电话的录音和通话记录 | 已完成 | 2026-11-20 |" in md
    assert "12378" in md and "12368" in md and "[姓名]" in md


def test_json_is_machine_readable_with_ids_and_fact_ids() -> None:
    data = json.loads(render_json(build_case_file(CASE, "en", strict_text("en"), today=TODAY)))
    assert data["lang"] == "en"
    # a consumer-finance company: the banking association's guideline binds it, then the standard
    assert data["violations"][0]["fact_ids"] == ["F047", "F042"]
    assert data["plan"][3]["channel_id"] == "nfra_12378"
    assert data["plan"][3]["response_days"] == 15
    messages = "Screenshots of texts and WeChat messages (sender and time visible)"
    assert data["evidence"][1] == {
        "number": 2,
        "item_id": "messages",
        "item": messages,
        "status": "done",
        "done": True,
        "date": "2026-11-21",
    }


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_docx_opens_with_headings_tables_and_letters(lang: str) -> None:
    text = strict_text(lang)
    case = build_case_file(CASE, lang, text, today=TODAY)
    document = Document(io.BytesIO(render_docx(case)))
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == case.title
    assert case.headings["evidence"] in headings and case.headings["letters"] in headings
    assert text("tools.letter.negotiation.title") in headings
    evidence_table, plan_table = document.tables
    assert len(evidence_table.rows) == len(case.evidence) + 1
    assert [c.text for c in evidence_table.rows[0].cells] == list(case.columns["evidence"])
    assert evidence_table.rows[1].cells[3].text == "2026-11-20"
    assert plan_table.rows[4].cells[1].text == text("channels.nfra_12378.name.f001_f003")
    assert plan_table.rows[3].cells[4].text == "2026-12-08"
    styles_xml = document.styles.element.xml
    assert "eastAsiaTheme" not in styles_xml and 'w:eastAsia="SimSun"' in styles_xml
    body = "\n".join(p.text for p in document.paragraphs)
    bold = {p.text for p in document.paragraphs if p.runs and p.runs[0].bold}
    assert text("tools.letter.heading.requests") in bold
    assert text("tools.letter.complainant") in body
    assert case.notice in body


def test_an_empty_case_renders_everywhere() -> None:
    text = strict_text("en")
    case = build_case_file({}, "en", text)
    assert case.created_on == "" and case.violations == () and case.summary[0].field == "role"
    assert all(row.follow_up_on == "" for row in case.plan)
    assert render_markdown(case) and json.loads(render_json(case))["plan"]
    assert Document(io.BytesIO(render_docx(case))).tables


def test_docx_holds_markup_characters_and_drops_what_xml_cannot_hold() -> None:
    text = strict_text("zh_CN")
    case = build_case_file({**CASE, "lender_name": "A&B <借贷>\x07平台"}, "zh_CN", text, today=TODAY)
    document = Document(io.BytesIO(render_docx(case)))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "A&B <借贷>平台" in body and "\x07" not in body
    assert document.core_properties.title == case.title and not document.core_properties.author
    width, height = document.sections[0].page_width, document.sections[0].page_height
    assert width is not None and height is not None
    assert (round(width.cm, 1), round(height.cm, 1)) == (21.0, 29.7)  # A4
