"""Letters: per-channel complaints and a repayment request, with blanks, never personal numbers."""

from __future__ import annotations

import re

import pytest
from test_tools_locales import strict_text

from bot.tools.letters import COMPLAINT_CHANNELS, complaint_letter, negotiation_letter

CASE = {
    "contacted": ["me", "family", "employer"],
    "methods": ["calls", "group_chats"],
    "frequency": "many_daily",
    "night": "yes",
    "lender_type": "bank",
    "lender_name": "好借银行 卡号 6222 0212 3456 7890 123",
    "since": "九月，他们打到我身份证 110101199003071234 上的地址",
    "contract_amount": 10_000,
    "received_amount": 7_000,
    "monthly_payment": 1_000,
    "term_months": 12,
    "income": 5_000,
    "essentials": 3_000,
    "other_debts": 500,
    "repaid_total": 2_000,
}
LONG_NUMBER = re.compile(r"\d(?:[\s-]?\d){10,}")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("channel", COMPLAINT_CHANNELS)
def test_complaint_letters_never_carry_id_or_card_numbers(lang: str, channel: str) -> None:
    text = strict_text(lang)
    letter = complaint_letter(CASE, channel, text)
    assert not LONG_NUMBER.search(letter)
    assert text("tools.common.masked_number") in letter
    assert "[" in letter and "]" in letter
    assert "好借银行" in letter
    assert text("tools.letter.fact.head_cut.f068", head_cut="3,000") in letter
    # exhibits are only what the user saved: nothing yet
    assert text("tools.letter.no_exhibits") in letter
    assert text("tools.evidence.posts.title") not in letter
    saved = complaint_letter({**CASE, "evidence_done": ["posts"]}, channel, text)
    assert f"1. {text('tools.evidence.posts.title')}" in saved
    if channel == "police":
        assert text("tools.letter.reporter") in letter
        assert text("tools.letter.respondent", lender="好借银行") not in letter  # not a complaint
        assert "GB/T" not in letter and text("tools.letter.request.recalculate.f068") not in letter
        return
    assert text("tools.letter.complainant") in letter  # name and phone left blank for the user
    assert text("tools.letter.request.stop_third_parties") in letter
    assert text("tools.letter.request.remove_posts") in letter
    assert text("tools.plan.point.third_parties") in letter  # first person, with sources
    assert "GB/T 45251-2025" in letter


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_each_channel_asks_for_what_it_can_give(lang: str) -> None:
    text = strict_text(lang)
    police = complaint_letter(CASE, "police", text)
    assert text("tools.letter.request.police_receipt.f016") in police
    assert text("tools.letter.request.police_investigate") in police
    bank = complaint_letter(CASE, "lender_own_complaint", text)
    assert text("tools.letter.request.reply_in_15_days.f005") in bank
    small = complaint_letter({**CASE, "lender_type": "small_loan"}, "lender_own_complaint", text)
    assert "15" not in small.split(text("tools.letter.heading.requests"))[1]  # unverified for them
    nfra = complaint_letter(CASE, "nfra_12378", text)
    assert text("tools.letter.request.regulator_nfra.f005") in nfra
    local = complaint_letter(CASE, "local_financial_regulator", text)
    assert text("tools.letter.request.regulator_reply") in local


def test_a_rate_above_the_small_loan_cap_asks_for_a_recalculation() -> None:
    text = strict_text("zh_CN")
    loan = {
        "lender_type": "small_loan",
        "contract_amount": 5_000,
        "monthly_payment": 500,
        "term_months": 12,
    }  # no head-cut, ~35% a year
    letter = complaint_letter(loan, "local_financial_regulator", text)
    assert text("tools.letter.request.recalculate.f068") in letter
    assert text("tools.plan.point.rate") in letter


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("身份证11010119900307123X", "身份证"),
        ("卡 6222-0212-3456-7890", "卡"),
        ("电话 138 1234 5678", "电话"),
        ("110101 19900307 1234 那个地址", "那个地址"),
        ("18812345678", ""),
    ],
)
def test_personal_numbers_typed_in_free_text_are_masked(typed: str, kept: str) -> None:
    text = strict_text("zh_CN")
    letter = complaint_letter({"since": typed}, "police", text)
    line = next(row for row in letter.splitlines() if "开始时间" in row)
    assert text("tools.common.masked_number") in line and kept in line
    assert not re.search(r"\d{4}", line)


def test_dates_and_amounts_in_free_text_are_kept() -> None:
    text = strict_text("en")
    letter = complaint_letter({"since": "2026-11-20 2026-11-21, about 3000 yuan"}, "police", text)
    assert "2026-11-20 2026-11-21, about 3000 yuan" in letter


def test_an_empty_case_still_gives_a_fillable_letter() -> None:
    text = strict_text("zh_CN")
    letter = complaint_letter({}, "lender_own_complaint", text)
    assert "[贷款机构名称]" in letter and "[姓名]" in letter and "[签名]" in letter
    with pytest.raises(ValueError, match="heimao_tousu"):
        complaint_letter({}, "heimao_tousu", text)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_negotiation_letter_offers_what_the_budget_allows(lang: str) -> None:
    text = strict_text(lang)
    letter = negotiation_letter(CASE, text)
    assert text("tools.letter.negotiation.offer_months", offer="1,200", months=5) in letter
    assert text("tools.letter.negotiation.principal.f068", received="7,000") in letter
    assert text("tools.letter.negotiation.stop_third_parties.f042") in letter
    assert text("tools.letter.negotiation.card_plan.f090") not in letter  # not a credit card
    assert not LONG_NUMBER.search(letter)
    card = negotiation_letter({"lender_type": "credit_card"}, text)
    assert text("tools.letter.negotiation.card_plan.f090") in card
    assert text("tools.letter.negotiation.offer_blank") in card
    squeezed = negotiation_letter({"income": 2_000, "essentials": 2_500}, text)
    assert text("tools.letter.negotiation.offer_blank") in squeezed


def test_chinese_punctuation_survives_the_trip() -> None:
    """Typed "，（）：" arrive NFKC-folded to ASCII; a Chinese letter shows them full-width again."""
    text = strict_text("zh_CN")
    letter = complaint_letter({"since": "10月初(国庆后),每天早上7:30开始打,欠1,000元"}, "police", text)
    assert "10月初（国庆后），每天早上7:30开始打，欠1,000元" in letter


def test_files_the_user_sent_are_exhibits_with_their_fingerprint() -> None:
    text = strict_text("zh_CN")
    sent = {
        "evidence_timeline": [
            {
                "at": 1_796_000_000,
                "kind": "photo",
                "description": "P 图截图",
                "sha256": "ab" * 32,
                "size": 2048,
                "number": 1,
            }
        ]
    }
    letter = complaint_letter(sent, "nfra_12378", text)
    attachments = letter.split(text("tools.letter.heading.attachments"), 1)[1]
    assert "1. " in attachments and "P 图截图" in attachments and "ab" * 32 in attachments
    assert text("tools.letter.no_exhibits") not in attachments
