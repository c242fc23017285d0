"""Plain-text letters from the answers: a complaint (per channel) and a repayment request.

Personal identifiers are never filled in: the letters leave blanks such as [姓名] for the user to
write by hand, and free text the user typed has long digit runs masked, in case an ID or card
number slipped into it.
"""

from __future__ import annotations

from bot.tools.affordability import budget_from_answers
from bot.tools.answers import (
    THIRD_PARTIES,
    Answers,
    Text,
    ToolInputError,
    choice,
    choices,
    free_text,
    lender_type,
    percent,
    yuan,
)
from bot.tools.calculator import figures_from_answers
from bot.tools.evidence import catalogue
from bot.tools.plan import point_key
from bot.tools.violations import Finding, assess, citation

COMPLAINT_CHANNELS = ("lender_own_complaint", "nfra_12378", "local_financial_regulator", "police")
_ANSWER_ORDER = {
    "contacted": ("me", "family", "friends", "employer", "contact_list"),
    "methods": ("calls", "sms", "im", "doctored_photos", "group_chats", "visits", "fake_legal",
                "violence_threats", "insults", "published_debt"),
}


def labels(answers: Answers, key: str, text: Text) -> str:
    """The chosen options of a multi-select as words, in the flow's order; unknown ids dropped."""
    chosen = choices(answers, key)
    words = [text(f"tools.answer.{key}.{o}") for o in _ANSWER_ORDER[key] if o in chosen]
    return text("tools.common.list_separator").join(words)


def lender_label(answers: Answers, text: Text) -> str:
    return free_text(answers, "lender_name", text) or text("tools.letter.blank_lender")


def _situation(answers: Answers, text: Text) -> list[str]:
    lines = []
    if contacted := labels(answers, "contacted", text):
        lines.append(text("tools.letter.fact.contacted", who=contacted))
    if methods := labels(answers, "methods", text):
        lines.append(text("tools.letter.fact.methods", how=methods))
    frequency = choice(answers, "frequency")
    if frequency in ("few_weekly", "daily", "many_daily", "nonstop"):
        lines.append(text("tools.letter.fact.frequency",
                          often=text(f"tools.answer.frequency.{frequency}")))
    if choice(answers, "night") == "yes":
        lines.append(text("tools.letter.fact.night"))
    if since := free_text(answers, "since", text):
        lines.append(text("tools.letter.fact.since", since=since))
    return lines


def _loan_facts(answers: Answers, text: Text) -> list[str]:
    try:
        figures = figures_from_answers(answers)
    except ToolInputError:
        return []
    if figures is None:
        return []
    terms = figures.terms
    lines = [text("tools.letter.fact.loan", contract=yuan(terms.contract_amount),
                  received=yuan(terms.received_amount), payment=yuan(terms.monthly_payment),
                  months=terms.months, rate=percent(figures.nominal_annual_rate))]
    if figures.head_cut > 0:
        lines.append(text("tools.letter.fact.head_cut.f068", head_cut=yuan(figures.head_cut)))
    return lines


def _requests(channel: str, answers: Answers) -> list[str]:
    found = {f.id for f in assess(answers).likely}
    keys = []
    if choices(answers, "contacted") & THIRD_PARTIES:
        keys.append("tools.letter.request.stop_third_parties")
    if found & {"night_contact", "night_visit", "too_many_calls"}:
        keys.append("tools.letter.request.stop_night_and_frequency")
    if "exposure" in found:
        keys.append("tools.letter.request.remove_posts")
    if found & {"head_cut", "collection_fees"} or any(f.startswith("rate_") for f in found):
        keys.append("tools.letter.request.recalculate.f068")
    if channel == "police":
        keys.append("tools.letter.request.police_receipt.f016")
        if found & {"threats", "insults", "exposure", "night_visit", "too_many_calls"}:
            keys.append("tools.letter.request.police_no_contact.f031")
    elif channel == "lender_own_complaint" and lender_type(answers) in (
            "bank", "credit_card", "consumer_finance"):
        keys.append("tools.letter.request.reply_in_15_days.f005")
    elif channel == "nfra_12378":
        keys.append("tools.letter.request.regulator_nfra.f005")
    else:
        keys.append("tools.letter.request.regulator_reply")
    return keys


def _merged_findings(answers: Answers) -> list[Finding]:
    """Findings in the letter's first-person words; the rate findings become one line."""
    merged: dict[str, Finding] = {}
    for finding in assess(answers).likely:
        key = point_key(finding.id)
        before = merged.get(key)
        facts = before.fact_ids + finding.fact_ids if before else finding.fact_ids
        merged[key] = Finding(finding.id, key, tuple(dict.fromkeys(facts)))
    return list(merged.values())


def complaint_letter(answers: Answers, channel: str, text: Text) -> str:
    if channel not in COMPLAINT_CHANNELS:
        raise ValueError(f"no complaint letter for channel {channel!r}")
    lender = lender_label(answers, text)
    lines = [text(f"tools.letter.complaint.title.{channel}"), "",
             text(f"tools.letter.complaint.to.{channel}"),
             text("tools.letter.complainant"), text("tools.letter.respondent", lender=lender),
             "", text("tools.letter.heading.facts")]
    lines.extend(f"{n}. {line}" for n, line in enumerate(
        _situation(answers, text) + _loan_facts(answers, text), start=1))
    findings = _merged_findings(answers)
    if findings:
        lines += ["", text("tools.letter.heading.rules")]
        for finding in findings:
            lines.append(f"• {text(finding.text_key)}{text('tools.letter.rule_end')}"
                         f"{citation(finding, text)}")
    lines += ["", text("tools.letter.heading.requests")]
    lines.extend(f"{n}. {text(key)}" for n, key in enumerate(_requests(channel, answers), start=1))
    lines += ["", text("tools.letter.heading.attachments")]
    lines.extend(f"{row.number}. {row.title}" for row in catalogue(answers, text))
    lines += ["", text("tools.letter.closing"), text("tools.letter.signature")]
    return "\n".join(lines)


def negotiation_letter(answers: Answers, text: Text) -> str:
    lender = lender_label(answers, text)
    lines = [text("tools.letter.negotiation.title"), "",
             text("tools.letter.negotiation.to", lender=lender), text("tools.letter.complainant"),
             text("tools.letter.negotiation.loan_ref"), "", text("tools.letter.negotiation.opening")]
    budget = budget_from_answers(answers)
    if budget is not None and budget.offer > 0:
        if budget.months_needed:
            lines.append(text("tools.letter.negotiation.offer_months", offer=yuan(budget.offer),
                              months=budget.months_needed))
        else:
            lines.append(text("tools.letter.negotiation.offer", offer=yuan(budget.offer)))
    else:
        lines.append(text("tools.letter.negotiation.offer_blank"))
    try:
        figures = figures_from_answers(answers)
    except ToolInputError:
        figures = None
    if figures is not None and figures.head_cut > 0:
        lines.append(text("tools.letter.negotiation.principal.f068",
                          received=yuan(figures.terms.received_amount)))
    if lender_type(answers) == "credit_card":
        lines.append(text("tools.letter.negotiation.card_plan.f090"))
    if choices(answers, "contacted") & THIRD_PARTIES:
        lines.append(text("tools.letter.negotiation.stop_third_parties.f042"))
    lines += [text("tools.letter.negotiation.in_writing"), "",
              text("tools.letter.closing"), text("tools.letter.signature")]
    return "\n".join(lines)
