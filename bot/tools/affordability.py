"""What a person can really offer each month, and how long that takes.

Our own budgeting rule, not a legal fact: of what is left after essentials and other debts, a
fifth is kept back for surprises (a repayment plan that breaks in month two helps nobody), and
the offer is rounded down to whole tens of yuan. The five-year mark in the verdict is the longest
personalised instalment plan the credit-card rules allow (F090); any plan needs the lender's
consent (F092), so the verdict only says how far the offer is from that mark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.tools import case
from bot.tools.answers import Answers, Text, money, yuan

SAFETY_SHARE = 0.2
ROUND_TO = 10
LONGEST_PLAN_MONTHS = 60  # 5 years (F090)


@dataclass(frozen=True, slots=True)
class Budget:
    income: float
    essentials: float
    other_debts: float
    spare: float  # income - essentials - other debts (may be negative)
    offer: float  # realistic monthly amount, never negative
    debt: float | None  # the amount to clear, if known
    months_needed: int | None  # None when there is nothing to offer or no debt figure
    verdict: str  # no_room | nothing_owed | workable | beyond_five_years | unknown_debt
    verdict_key: str


def assess(income: float, essentials: float, other_debts: float, debt: float | None) -> Budget:
    spare = income - essentials - other_debts
    offer = 0.0 if spare <= 0 else math.floor(spare * (1 - SAFETY_SHARE) / ROUND_TO) * ROUND_TO
    owed = debt is not None and debt >= 0.01  # less than a fen is nothing owed
    months = max(1, math.ceil(debt / offer)) if offer > 0 and owed and debt is not None else None
    if offer <= 0:
        verdict = "no_room"
    elif debt is None:
        verdict = "unknown_debt"
    elif not owed:
        verdict = "nothing_owed"
    elif months is not None and months > LONGEST_PLAN_MONTHS:
        verdict = "beyond_five_years"
    else:
        verdict = "workable"
    suffix = {"workable": ".f092", "beyond_five_years": ".f090_f092"}.get(verdict, "")
    return Budget(
        income,
        essentials,
        other_debts,
        spare,
        offer,
        debt,
        months,
        verdict,
        f"tools.budget.verdict.{verdict}{suffix}",
    )


def outstanding_from_answers(answers: Answers) -> float | None:
    """What is left on the basis the law uses: the amount actually received (F068) minus repaid,
    summed over the case's lenders that have an amount.

    This is a floor for planning, not a statement of what is legally owed: the user's contract
    and any court decision settle that.
    """
    left = [amount for view in case.lender_views(answers) if (amount := _outstanding(view)) is not None]
    return sum(left) if left else None


def _outstanding(answers: Answers) -> float | None:
    base = money(answers, "received_amount")
    if base is None:
        base = money(answers, "contract_amount")
    if base is None:
        return None
    return max(0.0, base - (money(answers, "repaid_total") or 0.0))


def budget_from_answers(answers: Answers) -> Budget | None:
    income = money(answers, "income")
    if income is None:
        return None
    return assess(
        income,
        money(answers, "essentials") or 0.0,
        money(answers, "other_debts") or 0.0,
        outstanding_from_answers(answers),
    )


def debt_basis_key(answers: Answers) -> str:
    """Which sentence explains the debt figure: the received amount (F068) or only the contract."""
    if money(answers, "received_amount") is not None:
        return "tools.budget.debt_basis.f068"
    return "tools.budget.debt_basis_contract"


def render_budget(answers: Answers, text: Text) -> str:
    budget = budget_from_answers(answers)
    if budget is None:
        return text("tools.budget.incomplete")
    return "\n".join(budget_lines(budget, text, debt_basis_key(answers)))


def budget_lines(budget: Budget, text: Text, basis_key: str = "tools.budget.debt_basis.f068") -> list[str]:
    costs = yuan(budget.essentials + budget.other_debts)
    if budget.spare < 0:  # a shortfall is shown as one, never as "0 left"
        lines = [
            text(
                "tools.budget.shortfall",
                income=yuan(budget.income),
                essentials=costs,
                shortfall=yuan(-budget.spare),
            )
        ]
    else:
        lines = [
            text("tools.budget.spare", income=yuan(budget.income), essentials=costs, spare=yuan(budget.spare))
        ]
    if budget.offer > 0:
        lines.append(text("tools.budget.offer", offer=yuan(budget.offer)))
    if budget.debt is not None and budget.debt > 0:
        lines.append(text(basis_key, debt=yuan(budget.debt)))
    lines.append(
        text(
            budget.verdict_key,
            months=budget.months_needed or 0,
            years=round((budget.months_needed or 0) / 12, 1),
        )
    )
    return lines
