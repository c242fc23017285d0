"""Repayment options that really exist, for the negotiation stage and the case file.

Only what the facts support: a personalised instalment plan is something a card issuer *may*
agree to (F090), every other concession needs the lender's consent (F092), partial payments
are applied to costs and interest first (F093), and agreements should be on record (F131).
"""

from __future__ import annotations

from bot.tools import case
from bot.tools.answers import Answers, Text, lender_type
from bot.tools.violations import Finding

# (id, facts its sentence states, lender types it is for; None = everyone)
_OPTIONS: tuple[tuple[str, tuple[str, ...], frozenset[str] | None], ...] = (
    ("card_personalised_plan", ("F090",), frozenset({"credit_card", "unknown"})),
    ("card_charges_reducible", ("F073",), frozenset({"credit_card", "unknown"})),
    ("consent_needed", ("F092",), None),
    ("no_stop_interest_right", ("F090", "F102"), None),
    ("partial_payments", ("F093",), None),
    ("in_writing", ("F090", "F131"), None),
    ("complain_meanwhile", ("F005", "F095"), frozenset({"bank", "credit_card", "consumer_finance"})),
    ("credit_repair_scam", ("F085", "F086"), None),
)


def options(answers: Answers) -> tuple[Finding, ...]:
    """The options for every lender of the case (a card's own options once any lender is a card)."""
    owed = {lender_type(view) for view in case.lender_views(answers)}
    return tuple(
        Finding(option_id, f"tools.negotiation.{option_id}.{'_'.join(f.lower() for f in facts)}", facts)
        for option_id, facts, kinds in _OPTIONS
        if kinds is None or owed & kinds
    )


def option_lines(answers: Answers, text: Text) -> list[str]:
    return [text(option.text_key) for option in options(answers)]


def render_options(answers: Answers, text: Text) -> str:
    lines = [f"• {line}" for line in option_lines(answers, text)]
    return "\n".join([text("tools.negotiation.intro"), *lines])
