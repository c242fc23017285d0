"""The evidence checklist, its progress and the evidence catalogue (证据目录)."""

from __future__ import annotations

import pytest
from test_tools_locales import strict_text

from bot.tools.evidence_checklist import ITEM_IDS, catalogue, checklist, progress, render_checklist

ALWAYS = ["loan_contract", "repayment_records", "timeline", "backups"]


def item_ids(answers: dict[str, object]) -> list[str]:
    return [item.id for item in checklist(answers)]


def test_calls_only_gets_recordings_and_the_basics() -> None:
    assert item_ids({"methods": ["calls"]}) == ["call_records", *ALWAYS]


def test_nothing_answered_still_asks_for_calls_and_messages() -> None:
    assert item_ids({}) == ["call_records", "messages", *ALWAYS]


def test_everything_answered_gets_every_item_in_order() -> None:
    answers = {
        "methods": ["calls", "im", "group_chats", "visits", "fake_legal"],
        "contacted": ["employer"],
        "contract_amount": 5000,
        "received_amount": 4000,
    }
    assert item_ids(answers) == list(ITEM_IDS)


def test_head_cut_asks_for_the_bank_record_of_money_received() -> None:
    assert "money_received" in item_ids({"contract_amount": 5000, "received_amount": 4500})
    assert "money_received" not in item_ids({"contract_amount": 5000, "received_amount": 5000})


def test_progress_counts_only_items_on_this_checklist() -> None:
    answers = {"methods": ["calls"], "evidence_done": ["call_records", "timeline", "posts", "x"]}
    state = progress(answers)
    assert (state.done, state.total) == (2, 5)
    assert state.missing == ("loan_contract", "repayment_records", "backups")
    assert progress({"methods": ["calls"], "evidence_done": "timeline"}).done == 1


def test_catalogue_rows_are_numbered_and_dated_when_done() -> None:
    answers = {
        "methods": ["sms"],
        "evidence_done": ["messages", "timeline"],
        "evidence_dates": {"messages": "2026-11-20", "loan_contract": "2026-11-21"},
    }
    rows = catalogue(answers, strict_text("zh_CN"))
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    by_id = {r.item_id: r for r in rows}
    assert by_id["messages"].done and by_id["messages"].date == "2026-11-20"
    assert by_id["timeline"].done and by_id["timeline"].date == ""
    assert not by_id["loan_contract"].done and by_id["loan_contract"].date == ""  # not done yet
    assert catalogue({"evidence_dates": ["junk"]}, strict_text("en"))[0].date == ""


@pytest.mark.parametrize(("lang", "wechat"), [("zh_CN", "微信"), ("en", "WeChat")])
def test_how_to_steps_cover_android_iphone_and_wechat(lang: str, wechat: str) -> None:
    text = strict_text(lang)
    for item in ("call_records", "messages"):
        how = text(next(i.how_key for i in checklist({}) if i.id == item))
        assert ("安卓" if lang == "zh_CN" else "Android") in how or item == "messages"
        assert "iPhone" in how and wechat in how
    shown = render_checklist({"methods": ["calls"], "evidence_done": ["call_records"]}, text)
    assert text("tools.evidence.progress", done=1, total=5) in shown
    assert text("tools.evidence.call_records.how") not in shown  # done items drop their steps
    assert text("tools.evidence.timeline.how").splitlines()[0] in shown
