"""What the conduct in a police report may amount to, hedged: the police decide, not us.

Each line names the offence, the article, and the caveat facts.md gives (insult and defamation
are mostly private prosecutions, F017; threats in a debt dispute are usually not 寻衅滋事 unless
they go on after the police step in, F037). 催收非法债务 (F035) appears whenever a lender's debt
may be illegal and the collectors threatened, harassed or exposed; 非法放贷 (F067) only when an
unlicensed lender's rate is above 36%.
"""

from __future__ import annotations

from bot.tools import case
from bot.tools.answers import EXPOSURE, Answers, Text, ToolInputError, choice, choices, lender_type
from bot.tools.calculator import figures_from_answers
from bot.tools.violations import illegal_debt

_HARASSING = frozenset(
    {"violence_threats", "insults", "visits", "doctored_photos", "group_chats", "published_debt"}
)


def _above_36(view: Answers) -> bool:
    try:
        figures = figures_from_answers(view)
    except ToolInputError:
        return False
    return figures is not None and any(
        c.id == "criminal_36" and c.applies and c.exceeded for c in figures.checks
    )


def offence_ids(answers: Answers) -> list[str]:
    """Offence ids in the order a report lists them, across every lender of the case."""
    views = case.lender_views(answers)
    methods = frozenset().union(*(choices(v, "methods") for v in views))
    contacted = choices(answers, "contacted")
    frequent = choice(answers, "frequency") in ("many_daily", "nonstop")
    found: list[str] = []
    if methods & {"violence_threats", "insults"} or frequent or methods & EXPOSURE:
        found.append("harassment")
    if any((choices(v, "methods") & _HARASSING or frequent) and illegal_debt(v) for v in views):
        found.append("illegal_debt_collection")
    if any(lender_type(v) == "unlicensed" and _above_36(v) for v in views):
        found.append("illegal_lending")
    if "insults" in methods or methods & EXPOSURE:
        found.append("insult_defamation")
    if "violence_threats" in methods:
        found.append("extortion")
    if methods & {"violence_threats", "insults"}:
        found.append("provocation")
    if "fake_legal" in methods:
        found.append("impersonation")
    if "contact_list" in contacted:
        found.append("personal_information")
    return found


_KEYS = {
    "harassment": "tools.police.offence.harassment.f031",
    "illegal_debt_collection": "tools.police.offence.illegal_debt_collection.f035",
    "illegal_lending": "tools.police.offence.illegal_lending.f067",
    "insult_defamation": "tools.police.offence.insult_defamation.f036_f017",
    "extortion": "tools.police.offence.extortion.f039",
    "provocation": "tools.police.offence.provocation.f036_f037",
    "impersonation": "tools.police.offence.impersonation.f039",
    "personal_information": "tools.police.offence.personal_information.f038",
}


def offence_lines(answers: Answers, text: Text) -> list[str]:
    """One line per offence the facts may amount to; the report puts its intro above them."""
    return [text(_KEYS[o]) for o in offence_ids(answers)]
