"""Which collection rules were likely broken, from what the user told us.

Each finding names the facts it rests on. The wording in the locales says "likely": we hear one
side, and the rules differ by lender type (the national standard, the banking association's
guideline, the credit-card and small-loan rules), so the citations are tailored to the lender.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.tools.answers import (
    BANKING,
    EXPOSURE,
    THIRD_PARTIES,
    Answers,
    Text,
    ToolInputError,
    choice,
    choices,
    lender_type,
    money,
)
from bot.tools.calculator import figures_from_answers

# Limits whose crossing opens a remedy but breaks no rule (credit-card rates are free, F072)
NOT_A_VIOLATION = frozenset({"card_24"})


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    text_key: str  # the sentence; its suffix names the facts the sentence itself states
    fact_ids: tuple[str, ...]  # every source cited for this user's case (tailored to the lender)


@dataclass(frozen=True, slots=True)
class Assessment:
    likely: tuple[Finding, ...]  # likely broken rules
    allowed: tuple[Finding, ...]  # what collectors may plainly do, so expectations stay real


def _key(finding_id: str, facts: tuple[str, ...], kind: str = "violation") -> str:
    return f"tools.{kind}.{finding_id}.{'_'.join(f.lower() for f in facts)}"


def _finding(finding_id: str, stated: tuple[str, ...], extra: tuple[str, ...] = ()) -> Finding:
    cited = tuple(dict.fromkeys(stated + extra))
    return Finding(finding_id, _key(finding_id, stated), cited)


def _lender_rules(kind: str) -> tuple[str, ...]:
    """The conduct rules that bind this kind of lender, besides the national standard (F042)."""
    rules: list[str] = []
    if kind in BANKING or kind == "unknown":
        rules.append("F048")  # banking association guideline: banks and their members
    if kind in ("credit_card", "bank", "unknown"):
        rules.append("F051")
    if kind in ("small_loan", "unknown"):
        rules.append("F052")
    return tuple(rules)


def assess(answers: Answers) -> Assessment:
    kind = lender_type(answers)
    methods = choices(answers, "methods")
    contacted = choices(answers, "contacted")
    night = choice(answers, "night") == "yes"
    frequency = choice(answers, "frequency")
    rules = _lender_rules(kind)
    likely: list[Finding] = []
    allowed: list[Finding] = []

    if night:
        likely.append(_finding("night_contact", ("F042", "F047")))
    if frequency in ("many_daily", "nonstop"):
        likely.append(_finding("too_many_calls", ("F042", "F047")))
    if contacted & THIRD_PARTIES:
        # F049 is the banking association's third-party rule: it binds wherever F048 does
        extra: tuple[str, ...] = ("F049",) if "F048" in rules else ()
        extra += tuple(f for f in ("F051", "F052") if f in rules)
        likely.append(_finding("third_parties", ("F042", "F021"), extra))
    if "contact_list" in contacted:
        likely.append(_finding("contact_list", ("F021", "F054"), ("F038", "F055")))
    if "violence_threats" in methods:
        likely.append(_finding("threats", ("F031", "F035", "F039"), rules))
    if "insults" in methods:
        likely.append(_finding("insults", ("F031", "F036"), rules))
    if methods & EXPOSURE:
        likely.append(_finding("exposure", ("F021", "F031", "F032", "F036", "F040"), rules))
    if "fake_legal" in methods:
        likely.append(_finding("fake_legal", ("F039", "F100"), (*rules, "F013")))
    if "visits" in methods:
        if night:
            likely.append(_finding("night_visit", ("F047", "F050")))
        allowed.append(Finding("daytime_visits", _key("daytime_visits", ("F050",), "allowed"), ("F050",)))
    if (money(answers, "collection_fees") or 0) > 0:
        likely.append(_finding("collection_fees", ("F048", "F094")))
    likely.extend(_loan_findings(answers))
    if methods & {"calls", "sms", "im"} or contacted & {"me"}:
        allowed.append(Finding("contact_debtor", _key("contact_debtor", ("F042",), "allowed"), ("F042",)))
    return Assessment(tuple(likely), tuple(allowed))


def _loan_findings(answers: Answers) -> list[Finding]:
    try:
        figures = figures_from_answers(answers)
    except ToolInputError:
        return []  # contradictory figures: the calculator view explains; no claim rests on them
    if figures is None:
        return []
    found = []
    if figures.head_cut > 0:
        found.append(_finding("head_cut", ("F068",)))
    for check in figures.checks:
        if check.applies and check.exceeded and check.id not in NOT_A_VIOLATION:
            found.append(_finding(f"rate_{check.id}", check.fact_ids))
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
    """"Sources: …" with each fact's short source name (tools.source.fNNN)."""
    # several facts share one source (F048/F049 are both the banking guideline): name it once
    sources = list(dict.fromkeys(text(f"tools.source.{fact.lower()}") for fact in finding.fact_ids))
    return text("tools.violation.sources", sources=text("tools.violation.source_separator").join(sources))
