"""Whole stories, told as a person would, end in a case file that holds up.

Each story is a transcript in tests/dialogs/ (run there too); here it is replayed through the real
service on a real SQLite file, then the exported case file (what `weiquan export` writes) is
checked: its findings, documents and plan.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Settings
from bot.service import Service
from bot.tools.case_render import render_json, render_markdown
from bot.tools.export import CaseFile
from bot.types import Inbound

DIALOGS = Path(__file__).parent / "dialogs"
FACT_ID = re.compile(r"\bF\d{3}\b")


def replay(path: Path, tmp_path: Path) -> CaseFile:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings = Settings.load(
        {"WEIQUAN_DATA_DIR": str(tmp_path), "WEIQUAN_DATA_KEY": "k" * 32, "HOME": str(tmp_path)}
    )
    clock = [1_796_000_000.0]
    with_service = Service.open(settings, clock=lambda: clock[0])
    try:
        user = "terminal:story"
        lang = doc.get("lang", "zh_CN")
        for step in doc["steps"]:
            clock[0] += 5
            if "user" in step:
                inbound = Inbound(user, str(step["user"]), locale=lang)
            else:
                ids = step["choose"] if isinstance(step["choose"], list) else [step["choose"]]
                inbound = Inbound(user, option_ids=tuple(ids), locale=lang)
            with_service.handle_sync(inbound)
        case = with_service.case_file(user)
    finally:
        with_service.close()
    assert case is not None
    return case


def documents(case: CaseFile) -> dict[str, str]:
    return {letter.id: letter.body for letter in case.letters}


def user_text(case: CaseFile) -> str:
    """Everything a person reads in the file (the JSON's fact ids are for machines)."""
    return render_markdown(case)


STORIES = sorted(DIALOGS.glob("*_story_*.yaml"))


def test_every_story_is_told_in_both_languages() -> None:
    names = {p.name for p in STORIES}
    for story in (
        "three_lenders",
        "mother_at_work",
        "colleague_contacts",
        "guarantor",
        "fake_court_clicked",
        "credit_card",
        "seven_day_loan",
    ):
        assert {f"zh_story_{story}.yaml", f"en_story_{story}.yaml"} <= names, story


@pytest.mark.parametrize("path", STORIES, ids=lambda p: p.stem)
def test_the_case_file_holds_up(path: Path, tmp_path: Path) -> None:
    case = replay(path, tmp_path)
    story = path.stem.split("_story_", 1)[1]
    shown = user_text(case)
    assert not FACT_ID.search(shown), FACT_ID.findall(shown)[:5]  # no internal ids for people
    docs = documents(case)
    for doc_id, body in docs.items():
        if doc_id.endswith("_reading"):
            continue
        # the copy to hand in is Chinese, with Chinese punctuation, and claims nothing unsaid
        assert re.search(r"[\u4e00-\u9fff]", body) and "。" in body, doc_id
        assert "以上情况属实" not in body and "透露了我的欠款" not in body, doc_id
        assert "夜间上门" not in body or "night_visit" in {v.id for v in case.violations}
    if case.lang == "en":
        assert all(f"{d}_reading" in docs for d in docs if not d.endswith("_reading"))
    CHECKS[story](case, docs, shown)
    json.loads(render_json(case))


def _three_lenders(case: CaseFile, docs: dict[str, str], shown: str) -> None:
    assert [s.name for s in case.lenders] == ["XX消费金融", "闪电借", "安心小贷"]
    by_name = {s.name: s for s in case.lenders}
    licensed = {v.id for v in by_name["XX消费金融"].violations}
    unlicensed = {v.id for v in by_name["闪电借"].violations}
    assert "illegal_debt_collection" not in licensed
    assert {"illegal_debt_collection", "head_cut", "rate_criminal_36"} <= unlicensed
    # the banking guideline binds the consumer-finance company, not the others
    assert all(
        "F049" not in v.fact_ids and "F048" not in v.fact_ids for s in case.lenders[1:] for v in s.violations
    )
    assert any("F048" in v.fact_ids or "F049" in v.fact_ids for v in by_name["XX消费金融"].violations)
    police = docs["police"]
    assert "第 293 条之一" in police and "非法经营罪" in police and "受案回执" in police
    assert "被投诉方" not in police and "GB/T" not in police
    assert "complaint_nfra_12378_1" in docs and "complaint_local_financial_regulator_2" in docs
    assert "complaint_lender_own_complaint_2" not in docs  # an unlicensed app has no desk to write to
    saved = [row.item for row in case.evidence if row.done]
    assert len(saved) == 2
    for body in docs.values():  # exhibits: only the two saved items
        if "四、证据目录" in body:
            listed = body.split("四、证据目录", 1)[1]
            assert all(row.item not in listed for row in case.evidence if not row.done)


def _mother_at_work(case: CaseFile, docs: dict[str, str], shown: str) -> None:
    assert case.role == "relative"
    ids = [v.id for v in case.violations]
    assert ids[0] == "dunned_non_borrower" and "contact_debtor" not in ids
    assert "F049" in case.violations[0].fact_ids
    notice = docs["stop_contacts"]
    assert "我不是这笔借款的借款人" in notice and "110" in notice
    for doc_id, body in docs.items():
        if doc_id.startswith("complaint_") and not doc_id.endswith("_reading"):
            assert "我不是借款人" in body and "行业自律" in body
    assert not any(d.startswith("negotiation") for d in docs)  # she owes nothing
    assert all(row.item_id not in ("loan_contract", "repayment_records") for row in case.evidence)


def _colleague_contacts(case: CaseFile, docs: dict[str, str], shown: str) -> None:
    assert case.role == "contact"
    ids = [v.id for v in case.violations]
    assert "dunned_non_borrower" in ids and "exposure" in ids
    assert (
        "我只是借款人通讯录里的联系人" in docs["stop_contacts"]
        or "我不是这笔借款的借款人" in docs["stop_contacts"]
    )
    assert not any(d.startswith("negotiation") for d in docs)
    # an unlicensed lender: neither the banking guideline nor the recommended standard is cited
    assert all(not {"F042", "F047", "F048", "F049"} & set(v.fact_ids) for v in case.violations)


def _guarantor(case: CaseFile, docs: dict[str, str], shown: str) -> None:
    assert case.role == "guarantor"
    ids = [v.id for v in case.violations]
    assert "dunned_non_borrower" not in ids and "insults" in ids
    assert "我是这笔借款的担保人" in docs["stop_contacts"]
    assert any("F052" in v.fact_ids for v in case.violations)  # the small-loan measures bind it


def _fake_court_clicked(case: CaseFile, docs: dict[str, str], shown: str) -> None:
    assert [row.channel_id for row in case.plan][:2] == ["court_12368", "police"]
    assert case.plan[0].follow_up_on == "" and case.plan[1].follow_up_on == ""
    assert "fake_legal" in {v.id for v in case.violations}
    assert "冒充国家机关工作人员" in docs["police"]


def _credit_card(case: CaseFile, docs: dict[str, str], shown: str) -> None:
    assert case.lenders[0].kind in ("信用卡", "credit card")
    assert any("F051" in v.fact_ids for v in case.violations)
    assert any("个性化分期" in body for d, body in docs.items() if d.startswith("negotiation"))
    assert any("缺口" in line or "shortfall" in line for line in case.budget)
    assert not any("剩下 0" in line for line in case.budget)


def _seven_day_loan(case: CaseFile, docs: dict[str, str], shown: str) -> None:
    section = case.lenders[0]
    assert any("2234.7%" in line for line in section.loan)
    ids = {v.id for v in section.violations}
    assert {"head_cut", "rate_four_lpr", "rate_criminal_36", "illegal_debt_collection"} <= ids
    assert "第 293 条之一" in docs["police"] and "非法经营罪" in docs["police"]
    assert "借 7 天后一次还 1,000 元" in docs["police"]


CHECKS: dict[str, Any] = {
    "three_lenders": _three_lenders,
    "mother_at_work": _mother_at_work,
    "colleague_contacts": _colleague_contacts,
    "guarantor": _guarantor,
    "fake_court_clicked": _fake_court_clicked,
    "credit_card": _credit_card,
    "seven_day_loan": _seven_day_loan,
}
