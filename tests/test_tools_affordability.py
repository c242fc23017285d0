"""Affordability: a realistic monthly offer with a margin, never negative, and how long it takes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_tools_locales import strict_text

from bot.tools.affordability import (
    assess,
    budget_from_answers,
    debt_basis_key,
    outstanding_from_answers,
    render_budget,
)


def test_a_workable_budget_keeps_a_fifth_back() -> None:
    budget = assess(income=5_000, essentials=3_000, other_debts=500, debt=5_000)
    assert budget.spare == 1_500
    assert budget.offer == 1_200  # 1,500 less a fifth
    assert budget.months_needed == 5  # ceil(5,000 / 1,200)
    assert budget.verdict == "workable"
    assert budget.verdict_key == "tools.budget.verdict.workable.f092"


def test_offers_are_rounded_down_to_tens() -> None:
    assert assess(3_234, 2_000, 0, 1_000).offer == 980  # 1,234 × 0.8 = 987.2


def test_no_room_when_costs_exceed_income_and_never_a_negative_offer() -> None:
    budget = assess(income=3_000, essentials=3_500, other_debts=200, debt=8_000)
    assert budget.spare == -700
    assert budget.offer == 0 and budget.months_needed is None
    assert budget.verdict == "no_room"


def test_more_than_five_years_is_flagged() -> None:
    budget = assess(income=4_000, essentials=2_500, other_debts=0, debt=100_000)
    assert budget.offer == 1_200 and budget.months_needed == 84
    assert budget.verdict == "beyond_five_years"
    assert budget.verdict_key.endswith(".f090_f092")
    assert assess(4_000, 2_500, 0, 72_000).verdict == "workable"  # exactly 60 months


def test_the_debt_is_counted_on_the_money_received() -> None:
    answers = {"contract_amount": 10_000, "received_amount": 7_000, "repaid_total": 2_000}
    assert outstanding_from_answers(answers) == 5_000
    assert outstanding_from_answers({"contract_amount": 4_000}) == 4_000
    assert outstanding_from_answers({"received_amount": 1_000, "repaid_total": 3_000}) == 0
    assert outstanding_from_answers({}) is None
    assert debt_basis_key({"received_amount": 1}) == "tools.budget.debt_basis.f068"
    assert debt_basis_key({"contract_amount": 1}) == "tools.budget.debt_basis_contract"


def test_verdicts_for_unknown_and_cleared_debts() -> None:
    assert budget_from_answers({"income": 3_000}) is not None
    assert budget_from_answers({"income": 3_000}).verdict == "unknown_debt"  # type: ignore[union-attr]
    cleared = budget_from_answers({"income": 5_000, "received_amount": 1_000, "repaid_total": 1_500})
    assert cleared is not None and cleared.verdict == "nothing_owed"
    assert budget_from_answers({"essentials": 1_000}) is None


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_rendered_budget(lang: str) -> None:
    text = strict_text(lang)
    shown = render_budget(
        {
            "income": 5_000,
            "essentials": 3_000,
            "other_debts": 500,
            "received_amount": 7_000,
            "repaid_total": 2_000,
        },
        text,
    )
    assert "1,200" in shown and "1,500" in shown and "5,000" in shown
    assert render_budget({}, text) == text("tools.budget.incomplete")


@given(
    income=st.floats(0, 1e6),
    essentials=st.floats(0, 1e6),
    other=st.floats(0, 1e6),
    debt=st.one_of(st.none(), st.floats(0, 1e7)),
)
def test_offer_is_never_negative_nor_above_what_is_spare(
    income: float, essentials: float, other: float, debt: float | None
) -> None:
    budget = assess(income, essentials, other, debt)
    assert 0 <= budget.offer <= max(budget.spare, 0)
    if budget.months_needed is not None:
        assert debt is not None and budget.months_needed * budget.offer >= debt


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_shortfall_is_shown_as_one(lang: str) -> None:
    text = strict_text(lang)
    shown = render_budget({"income": 3_000, "essentials": 3_500, "other_debts": 200}, text)
    assert "700" in shown and text("tools.budget.verdict.no_room") in shown
    assert "剩下 0" not in shown and " 0 yuan left" not in shown


def test_what_is_left_adds_up_every_lender() -> None:
    answers = {
        "lender_name": "A",
        "received_amount": 7_000,
        "repaid_total": 2_000,
        "lender_index": 0,
        "lenders": [
            {"lender_name": "A"},
            {"lender_name": "B", "contract_amount": 3_000},
            {"lender_name": "C"},
        ],
    }
    assert outstanding_from_answers(answers) == 5_000 + 3_000
