"""The loan calculator against figures worked out independently in the test."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_tools_locales import strict_text

from bot.errors import BotError
from bot.tools.answers import ToolInputError
from bot.tools.calculator import LoanTerms, compute, figures_from_answers, monthly_irr, render_figures


def present_value(rate: float, payment: float, months: int) -> float:
    """Plain sum of discounted instalments, no closed form: an independent check."""
    return sum(payment / (1 + rate) ** k for k in range(1, months + 1))


def irr_by_hand(received: float, payment: float, months: int) -> float:
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if present_value(middle, payment, months) > received:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def test_head_cut_loan_10000_contract_7000_received_12_by_1000() -> None:
    figures = compute(LoanTerms(10_000, 7_000, 1_000, 12), "unknown")
    expected = irr_by_hand(7_000, 1_000, 12)
    assert figures.monthly_rate == pytest.approx(expected, abs=1e-10)
    assert figures.monthly_rate == pytest.approx(0.0945350, abs=1e-6)  # annuity factor 7 at 12
    assert present_value(figures.monthly_rate, 1_000, 12) == pytest.approx(7_000, abs=1e-6)
    assert figures.nominal_annual_rate == pytest.approx(12 * expected, abs=1e-9)
    assert figures.nominal_annual_rate == pytest.approx(1.134420, abs=1e-5)
    assert figures.effective_annual_rate == pytest.approx((1 + expected) ** 12 - 1, abs=1e-9)
    assert figures.effective_annual_rate == pytest.approx(1.956350, abs=1e-5)
    assert figures.head_cut == 3_000
    assert figures.total_repaid == 12_000
    assert figures.total_cost == 5_000
    # on the contract amount the same loan looks like ~35%: the head-cut hides the cost
    assert figures.nominal_rate_if_contract_received == pytest.approx(
        12 * irr_by_hand(10_000, 1_000, 12), abs=1e-9
    )
    assert {c.id: (c.applies, c.exceeded) for c in figures.checks} == {
        "four_lpr": (True, True),
        "licensed_24": (True, True),
        "card_24": (False, True),
        "small_loan_24": (False, True),
        "criminal_36": (True, True),
    }


def test_zero_interest_loan_has_zero_rate_and_breaks_no_limit() -> None:
    figures = compute(LoanTerms(12_000, 12_000, 1_000, 12), "unlicensed")
    assert abs(figures.monthly_rate) < 1e-9
    assert abs(figures.effective_annual_rate) < 1e-8
    assert figures.total_cost == 0 and figures.head_cut == 0
    assert not any(c.exceeded for c in figures.checks)


def test_a_rate_exactly_at_four_lpr_is_within_it() -> None:
    rate = 0.01  # 12% nominal
    payment = 10_000 * rate / (1 - (1 + rate) ** -24)
    figures = compute(LoanTerms(10_000, 10_000, payment, 24), "unlicensed")
    assert figures.nominal_annual_rate == pytest.approx(0.12, abs=1e-10)
    four_lpr = next(c for c in figures.checks if c.id == "four_lpr")
    assert four_lpr.applies and not four_lpr.exceeded
    assert four_lpr.text_key == "tools.calc.limit.four_lpr.within.f060_f063_f064"


def test_which_limits_apply_depends_on_the_lender() -> None:
    def applying(kind: str) -> set[str]:
        return {c.id for c in compute(LoanTerms(1000, 1000, 100, 12), kind).checks if c.applies}

    assert applying("bank") == applying("consumer_finance") == {"licensed_24"}
    assert applying("credit_card") == {"card_24"}  # free card rates (F072), courts may cut
    assert applying("small_loan") == {"small_loan_24"}  # the regulators' cap, not the 2017 opinion
    assert applying("unlicensed") == {"four_lpr", "criminal_36"}
    assert applying("unknown") == {"four_lpr", "licensed_24", "criminal_36"}


def test_up_front_fees_reduce_the_cash_and_raise_the_rate() -> None:
    without = compute(LoanTerms(10_000, 10_000, 900, 12))
    with_fees = compute(LoanTerms(10_000, 10_000, 900, 12, upfront_fees=500))
    assert with_fees.net_received == 9_500
    assert with_fees.total_cost == 900 * 12 - 9_500
    assert with_fees.monthly_rate == pytest.approx(irr_by_hand(9_500, 900, 12), abs=1e-10)
    assert with_fees.monthly_rate > without.monthly_rate


def test_repaying_less_than_received_gives_a_negative_rate_not_a_crash() -> None:
    figures = compute(LoanTerms(10_000, 10_000, 800, 12))
    assert figures.monthly_rate < 0
    assert present_value(figures.monthly_rate, 800, 12) == pytest.approx(10_000, abs=1e-6)


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        (LoanTerms(5_000, 6_000, 500, 12), "received_above_contract"),
        (LoanTerms(5_000, 5_000, 500, 0), "months_out_of_range"),
        (LoanTerms(5_000, 5_000, 500, 601), "months_out_of_range"),
        (LoanTerms(0, 0, 500, 6), "amount_not_positive"),
        (LoanTerms(5_000, 5_000, 0, 6), "payment_not_positive"),
        (LoanTerms(5_000, 5_000, -1, 6), "payment_not_positive"),
        (LoanTerms(5_000, 5_000, 500, 6, upfront_fees=5_000), "fees_out_of_range"),
        (LoanTerms(5_000, 5_000, math.nan, 6), "not_a_number"),
        (LoanTerms(math.inf, 5_000, 500, 6), "not_a_number"),
        (LoanTerms(5_000, 5_000, 500, 1.5), "months_not_whole"),  # type: ignore[arg-type]
        (LoanTerms(1, 1, 10_000_000, 1), "rate_implausible"),
    ],
)
def test_impossible_figures_raise_a_clear_value_error(terms: LoanTerms, reason: str) -> None:
    with pytest.raises(ToolInputError) as caught:
        compute(terms)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, BotError)


def test_answers_are_read_leniently() -> None:
    answers = {
        "contract_amount": "10,000",
        "received_amount": "7000元",
        "monthly_payment": 1000,
        "term_months": "12",
        "lender_type": "bank",
    }
    figures = figures_from_answers(answers)
    assert figures is not None and figures.head_cut == 3_000
    assert figures_from_answers({"monthly_payment": 1000, "term_months": 12}) is None
    assert figures_from_answers({"contract_amount": 100, "monthly_payment": 10, "term_months": 1.5}) is None
    assert figures_from_answers({"contract_amount": True, "monthly_payment": 10, "term_months": 2}) is None
    only_received = figures_from_answers({"received_amount": 900, "monthly_payment": 100, "term_months": 10})
    assert only_received is not None and only_received.head_cut == 0


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_rendered_figures_state_the_rates_and_the_head_cut_rule(lang: str) -> None:
    answers = {
        "contract_amount": 10_000,
        "received_amount": 7_000,
        "monthly_payment": 1_000,
        "term_months": 12,
        "lender_type": "consumer_finance",
    }
    shown = render_figures(answers, strict_text(lang))
    assert "113.4%" in shown and "195.6%" in shown and "9.5%" in shown
    assert "3,000" in shown and "7,000" in shown and "24%" in shown
    assert "12%" not in shown  # 4×LPR is the private-lending cap: not for a licensed lender
    bad = render_figures({**answers, "received_amount": 20_000}, strict_text(lang))
    assert "%" not in bad and bad


@given(
    rate=st.floats(min_value=-0.05, max_value=1.5),
    months=st.integers(min_value=1, max_value=120),
    payment=st.floats(min_value=1, max_value=100_000),
)
def test_the_solver_recovers_any_rate(rate: float, months: int, payment: float) -> None:
    received = present_value(rate, payment, months)
    solved = monthly_irr(received, payment, months)
    assert present_value(solved, payment, months) == pytest.approx(received, rel=1e-9)
    assert solved == pytest.approx(rate, abs=1e-7)
