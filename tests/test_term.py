"""Loan terms in days, weeks, months and years, and the true yearly rate of a 7-day loan."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.tools.answers import ToolInputError
from bot.tools.calculator import figures_from_answers
from bot.tools.term import chinese_number, parse_term


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("7天", {"days": 7}),
        ("七天", {"days": 7}),
        ("7日", {"days": 7}),
        ("两周", {"days": 14}),
        ("十四天", {"days": 14}),
        ("14 days", {"days": 14}),
        ("a week", {"days": 7}),
        ("2 weeks", {"days": 14}),
        ("3个月", {"months": 3}),
        ("三个月", {"months": 3}),
        ("一年", {"months": 12}),
        ("one year", {"months": 12}),
        ("半年", {"months": 6}),
        ("12", {"months": 12}),
        ("共12期", {"months": 12}),
        ("24 months", {"months": 24}),
        ("2年", {"months": 24}),
        ("三十六期", {"months": 36}),
    ],
)
def test_terms_people_type(typed: str, term: dict[str, int]) -> None:
    assert parse_term(typed) == term


@pytest.mark.parametrize("typed", ["很久", "ages", "0天", "0", "", "天", "1000年", "-7天", "7 apples"])
def test_what_is_not_a_term(typed: str) -> None:
    assert parse_term(typed) is None


def test_chinese_numbers() -> None:
    assert [chinese_number(w) for w in ("七", "十", "十四", "二十", "三十六", "九十九")] == [
        7,
        10,
        14,
        20,
        36,
        99,
    ]
    assert chinese_number("十十") is None and chinese_number("七七") is None


def test_seven_day_head_cut_loan_rate_matches_an_independent_computation() -> None:
    """Contract 1,000, 700 received (300 cut at the start), 1,000 due after 7 days."""
    answers = {
        "lender_type": "unlicensed",
        "contract_amount": 1000,
        "received_amount": 700,
        "monthly_payment": 1000,
        "loan_term": parse_term("7天"),
    }
    figures = figures_from_answers(answers)
    assert figures is not None
    # independent: the cost over the received cash, 365/7 such periods in a year, in exact fractions
    expected = (Fraction(1000) - 700) / 700 * Fraction(365, 7)
    assert figures.nominal_annual_rate == pytest.approx(float(expected), rel=1e-12)
    assert 22.3 < figures.nominal_annual_rate < 22.4  # about 2,235% a year
    assert figures.head_cut == 300
    # what the lender's contract amount would suggest: 0% (1,000 back for 1,000) hides it all
    assert figures.nominal_rate_if_contract_received == 0
    exceeded = {c.id for c in figures.checks if c.applies and c.exceeded}
    assert exceeded == {"four_lpr", "criminal_36"}


def test_fourteen_day_loan_with_fees() -> None:
    answers = {
        "lender_type": "small_loan",
        "contract_amount": 2000,
        "received_amount": 2000,
        "fees": 200,
        "monthly_payment": 2100,
        "loan_term": {"days": 14},
    }
    figures = figures_from_answers(answers)
    assert figures is not None
    expected = (Fraction(2100) - 1800) / 1800 * Fraction(365, 14)
    assert figures.nominal_annual_rate == pytest.approx(float(expected), rel=1e-12)


def test_month_terms_keep_the_instalment_irr() -> None:
    by_term = figures_from_answers(
        {"contract_amount": 12000, "monthly_payment": 1100, "loan_term": {"months": 12}}
    )
    by_old_slot = figures_from_answers({"contract_amount": 12000, "monthly_payment": 1100, "term_months": 12})
    assert by_term is not None and by_old_slot is not None
    assert by_term.nominal_annual_rate == by_old_slot.nominal_annual_rate
    assert by_term.terms.days is None


def test_a_broken_term_is_refused_not_crashed() -> None:
    with pytest.raises(ToolInputError):
        figures_from_answers({"contract_amount": 1000, "monthly_payment": 900, "loan_term": {"days": 10**6}})
    assert (
        figures_from_answers({"contract_amount": 1000, "monthly_payment": 900, "loan_term": {"days": "7"}})
        is None
    )
