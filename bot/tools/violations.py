"""Which collection rules were likely broken, from what the user told us, for one lender.

Each finding names only the sources that bind *that* lender (facts.md says which binds whom):
laws bind everyone; the credit-card and small-loan measures bind those lenders; the banking
association's guideline (F046–F050) is self-regulation for its member institutions (banks, card
issuers, consumer-finance companies); GB/T 45251 (F042) is a recommended standard for licensed
lenders, a benchmark for complaints and no basis for penalties (F043). The sentence itself says
"likely": we hear one side, and whether conduct breaks a law is for the authorities.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.tools import case
from bot.tools.answers import (
    BANKING,
    EXPOSURE,
    LICENSED,
    THIRD_PARTIES,
    Answers,
    Text,
    ToolInputError,
    choice,
    choices,
    lender_type,
    money,
)
from bot.tools.calculator import LoanFigures, figures_from_answers
from bot.tools.memo import by_answers

# Limits whose crossing opens a remedy but breaks no rule (credit-card rates are free, F072)
NOT_A_VIOLATION = frozenset({"card_24"})
# Conduct that, used to collect an illegal debt, 刑法 293-1 covers (F035): threats, harassment
_ILLEGAL_DEBT_CONDUCT = frozenset(
    {"violence_threats", "visits", "insults", "doctored_photos", "group_chats", "published_debt"}
)


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    text_key: str  # the conduct in plain words; its suffix names the facts the sentence states
    fact_ids: tuple[str, ...]  # the sources that bind this lender, cited after the sentence


@dataclass(frozen=True, slots=True)
class Assessment:
    likely: tuple[Finding, ...]  # likely broken rules
    allowed: tuple[Finding, ...]  # what collectors may plainly do, so expectations stay real


def _key(finding_id: str, facts: tuple[str, ...], kind: str = "violation") -> str:
    suffix = "_".join(f.lower() for f in facts)
    return f"tools.{kind}.{finding_id}.{suffix}" if suffix else f"tools.{kind}.{finding_id}.plain"


def _finding(finding_id: str, stated: tuple[str, ...], cited: tuple[str, ...]) -> Finding:
    return Finding(finding_id, _key(finding_id, stated), tuple(dict.fromkeys(cited)))


def conduct_rules(kind: str) -> tuple[str, ...]:
    """The collection-conduct rules that bind this kind of lender, beyond the laws."""
    rules: list[str] = []
    if kind in BANKING:
        rules.append("F048")  # banking association guideline: its member institutions
    if kind == "credit_card":
        rules.append("F051")
    if kind == "small_loan":
        rules.append("F052")
    if kind in LICENSED:
        rules.append("F042")  # recommended national standard for licensed lenders (F041, F043)
    return tuple(rules)


def _night_rules(kind: str) -> tuple[str, ...]:
    if kind in BANKING:
        return ("F047", "F042")
    return ("F042",) if kind in LICENSED else ("F021",)


def _third_party_rules(kind: str) -> tuple[str, ...]:
    rules = ["F049"] if kind in BANKING else []
    rules += [r for r in conduct_rules(kind) if r in ("F051", "F052", "F042")]
    return (*rules, "F021")


def _loan_figures(answers: Answers) -> LoanFigures | None:
    try:
        return figures_from_answers(answers)
    except ToolInputError:
        return None  # contradictory figures: the calculator view explains; no claim rests on them


def illegal_debt(answers: Answers) -> bool:
    """An unlicensed lender's debt, or one above the legal rate limit: 293-1's "illegal debt"."""
    figures = _loan_figures(answers)
    over_limit = figures is not None and any(
        c.applies and c.exceeded and c.id in ("four_lpr", "criminal_36") for c in figures.checks
    )
    return lender_type(answers) == "unlicensed" or over_limit


@by_answers
def assess(answers: Answers) -> Assessment:
    kind = lender_type(answers)
    methods = choices(answers, "methods")
    contacted = choices(answers, "contacted")
    night = choice(answers, "night") == "yes"
    frequency = choice(answers, "frequency")
    who = case.role(answers)
    rules = conduct_rules(kind)
    laws_and_rules = tuple(r for r in rules if r != "F042")
    likely: list[Finding] = []
    allowed: list[Finding] = []

    if who in case.NOT_LIABLE:
        likely.append(_finding("dunned_non_borrower", ("F049",), _third_party_rules(kind)))
    if night:
        likely.append(_finding("night_contact", (), _night_rules(kind)))
    if frequency in ("many_daily", "nonstop"):
        too_many = ("F047", "F042") if kind in BANKING else (*rules, "F031")
        likely.append(_finding("too_many_calls", (), too_many))
    if who == "borrower" and contacted & THIRD_PARTIES:
        likely.append(_finding("third_parties", (), _third_party_rules(kind)))
    if "contact_list" in contacted:
        likely.append(_finding("contact_list", ("F054", "F055"), ("F021", "F054", "F055")))
    if "violence_threats" in methods:
        likely.append(_finding("threats", ("F031",), ("F031", "F039", *laws_and_rules)))
    if "insults" in methods:
        likely.append(_finding("insults", ("F031",), ("F031", "F036", *laws_and_rules)))
    if methods & EXPOSURE:
        likely.append(_finding("exposure", ("F040",), ("F021", "F031", "F036", "F040", *laws_and_rules)))
    if "fake_legal" in methods:
        likely.append(_finding("fake_legal", ("F039",), ("F039", "F013", *laws_and_rules)))
    harassing = bool(methods & _ILLEGAL_DEBT_CONDUCT) or frequency in ("many_daily", "nonstop")
    if harassing and illegal_debt(answers):
        likely.append(_finding("illegal_debt_collection", ("F035",), ("F035",)))
    if "visits" in methods:
        if night and kind in BANKING:
            likely.append(_finding("night_visit", ("F047", "F050"), ("F047", "F050")))
        # the banks' visit rule is about visiting the debtor; nobody may dun a non-borrower (F049)
        banks_rule = kind in BANKING and who not in case.NOT_LIABLE
        visit_key = "banking" if banks_rule else "other"
        visit_facts = ("F050", "F039") if banks_rule else ("F039",)
        allowed.append(Finding("visits", _key(f"visits_{visit_key}", visit_facts, "allowed"), visit_facts))
    if (money(answers, "collection_fees") or 0) > 0:
        fee_rules = ("F048",) if kind in BANKING else ("F066",) if kind == "small_loan" else ("F067",)
        likely.append(_finding("collection_fees", (), fee_rules))
    likely.extend(_loan_findings(answers))
    if who == "borrower" and (methods & {"calls", "sms", "im"} or "me" in contacted):
        allowed.append(Finding("contact_debtor", _key("contact_debtor", (), "allowed"), ()))
    if who in ("spouse", "guarantor"):  # may be dunned within limits: say so, and where to ask
        facts = ("F049", "F011") if who == "spouse" else ("F042", "F011")
        allowed.append(Finding(who, _key(who, facts, "allowed"), facts))
    return Assessment(tuple(likely), tuple(allowed))


def _loan_findings(answers: Answers) -> list[Finding]:
    figures = _loan_figures(answers)
    if figures is None:
        return []
    found = []
    if figures.head_cut > 0:
        found.append(_finding("head_cut", ("F068",), ("F068",)))
    for check in figures.checks:
        if check.applies and check.exceeded and check.id not in NOT_A_VIOLATION:
            found.append(_finding(f"rate_{check.id}", check.fact_ids, check.fact_ids))
    return found


def render_assessment(answers: Answers, text: Text) -> str:
    result = assess(answers)
    lines = [text("tools.violation.intro") if result.likely else text("tools.violation.none")]
    for finding in result.likely:
        lines.append(f"• {text(finding.text_key)}")
        lines.append(f"  {citation(finding, text)}")
    if result.allowed:
        lines.append(text("tools.allowed.intro"))
        lines.extend(f"• {text(item.text_key)}" for item in result.allowed)
    return "\n".join(lines)


def citation(finding: Finding, text: Text) -> str:
    """ "Sources: …": each binding source's name, article and status (tools.source.fNNN)."""
    # several facts share one source (F047/F048/F049 are all the banking guideline): name it once
    sources = list(dict.fromkeys(text(f"tools.source.{fact.lower()}") for fact in finding.fact_ids))
    return text("tools.violation.sources", sources=text("tools.violation.source_separator").join(sources))
