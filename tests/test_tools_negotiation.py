"""Negotiation options: only what exists, tailored to the lender."""

from __future__ import annotations

import pytest
from test_tools_locales import fact_ids_in, strict_text

from bot.tools.negotiation import options, render_options


def option_ids(kind: str) -> list[str]:
    return [o.id for o in options({"lender_type": kind})]


def test_card_holders_hear_about_personalised_instalments() -> None:
    assert option_ids("credit_card")[:2] == ["card_personalised_plan", "card_charges_reducible"]
    assert "card_personalised_plan" not in option_ids("small_loan")
    assert "card_personalised_plan" not in option_ids("unlicensed")


def test_the_fifteen_day_complaint_clock_is_only_promised_where_it_applies() -> None:
    assert "complain_meanwhile" in option_ids("consumer_finance")
    assert "complain_meanwhile" not in option_ids("small_loan")
    assert "complain_meanwhile" not in option_ids("unknown")


def test_everyone_hears_that_concessions_need_consent_and_repair_is_a_scam() -> None:
    for kind in ("bank", "unlicensed", "unknown"):
        ids = option_ids(kind)
        assert {
            "consent_needed",
            "no_stop_interest_right",
            "partial_payments",
            "in_writing",
            "credit_repair_scam",
        } <= set(ids)
    for option in options({}):
        assert fact_ids_in(option.text_key) == list(option.fact_ids)


@pytest.mark.parametrize(("lang", "word"), [("zh_CN", "停息挂账"), ("en", "not a legal right")])
def test_rendered_options(lang: str, word: str) -> None:
    shown = render_options({"lender_type": "credit_card"}, strict_text(lang))
    assert word in shown and "5" in shown
