"""Letters from the answers: a complaint (per lender and channel), a police report (报案材料), a
stop-contacting notice, and a repayment request.

A letter asserts only what the user told us: each fact line restates one answer, in the user's
own words where they typed them (masked for long digit runs, in case an ID or card number slipped
in). Rules are cited as "likely", with the sources that bind that lender. Personal identifiers
are never filled in: blanks such as [姓名] are for the user to write by hand. Exhibits list only
evidence the user marked as saved.
"""

from __future__ import annotations

from bot.tools import case, dates
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
    money,
    percent,
    yuan,
)
from bot.tools.calculator import figures_from_answers
from bot.tools.evidence_checklist import catalogue
from bot.tools.plan import point_key
from bot.tools.police import offence_lines
from bot.tools.timeline import timeline_catalogue
from bot.tools.violations import Finding, assess, citation

COMPLAINT_CHANNELS = ("lender_own_complaint", "nfra_12378", "local_financial_regulator", "police")
_ANSWER_ORDER = {
    "contacted": ("me", "family", "friends", "employer", "contact_list"),
    "methods": (
        "calls",
        "sms",
        "im",
        "doctored_photos",
        "group_chats",
        "visits",
        "fake_legal",
        "violence_threats",
        "insults",
        "published_debt",
    ),
}


def labels(answers: Answers, key: str, text: Text) -> str:
    """The chosen options of a multi-select as words, in the flow's order; unknown ids dropped."""
    chosen = choices(answers, key)
    words = [text(f"tools.answer.{key}.{o}") for o in _ANSWER_ORDER[key] if o in chosen]
    return text("tools.common.list_separator").join(words)


def lender_label(answers: Answers, text: Text) -> str:
    return free_text(answers, "lender_name", text) or text("tools.letter.blank_lender")


def who_i_am(answers: Answers, text: Text) -> list[str]:
    """A non-borrower says so first: the letter is theirs, not the borrower's."""
    role = case.role(answers)
    return [] if role == "borrower" else [text(f"tools.letter.fact.role.{role}")]


def situation(answers: Answers, text: Text) -> list[str]:
    """One line per answer the user gave about the harassment, nothing more."""
    lines = who_i_am(answers, text)
    if contacted := labels(answers, "contacted", text):
        lines.append(text("tools.letter.fact.contacted", who=contacted))
    if methods := labels(answers, "methods", text):
        lines.append(text("tools.letter.fact.methods", how=methods))
    frequency = choice(answers, "frequency")
    if frequency in ("few_weekly", "daily", "many_daily", "nonstop"):
        lines.append(text("tools.letter.fact.frequency", often=text(f"tools.answer.frequency.{frequency}")))
    if choice(answers, "night") == "yes":
        lines.append(text("tools.letter.fact.night"))
    if since := free_text(answers, "since", text):
        when = dates.resolve(since, dates.answered_on(answers.get("since_on")))
        if when is None:
            lines.append(text("tools.letter.fact.since", since=since))
        elif dates.resolve(since, None) is not None:  # already a date: one format, said once
            lines.append(text("tools.letter.fact.since", since=_calendar(when, text)))
        else:  # a calendar date for the office, the user's own words beside it
            lines.append(text("tools.letter.fact.since_dated", since=since, when=_calendar(when, text)))
    return lines


def _calendar(when: dates.When, text: Text) -> str:
    kind = "week" if when.week_of else "month" if when.day is None else "day"
    return text(f"tools.date.{kind}", year=when.year, month=f"{when.month:02d}", day=f"{when.day or 1:02d}")


def loan_facts(answers: Answers, text: Text) -> list[str]:
    try:
        figures = figures_from_answers(answers)
    except ToolInputError:
        return []
    if figures is None:
        return []
    terms = figures.terms
    rate = percent(figures.nominal_annual_rate)
    amounts = _amounts(answers, text)
    if terms.days is not None:
        lines = [
            text(
                "tools.letter.fact.loan_short",
                amounts=amounts,
                total=yuan(terms.monthly_payment),
                days=terms.days,
                rate=rate,
            )
        ]
    else:
        lines = [
            text(
                "tools.letter.fact.loan",
                amounts=amounts,
                payment=yuan(terms.monthly_payment),
                months=terms.months,
                rate=rate,
            )
        ]
    if figures.head_cut > 0:
        lines.append(text("tools.letter.fact.head_cut.f068", head_cut=yuan(figures.head_cut)))
    return lines


def _amounts(answers: Answers, text: Text) -> str:
    """Only the amounts the user gave: the calculator may assume one from the other, a letter not."""
    given = [
        text(f"tools.letter.fact.amount.{key}", amount=yuan(value))
        for key in ("contract_amount", "received_amount")
        if (value := money(answers, key)) is not None
    ]
    return text("tools.common.list_separator").join(given)


def exhibits(answers: Answers, text: Text) -> list[str]:
    """Only evidence the user marked as saved, and the files they sent (with their fingerprints)."""
    saved = [row.title for row in catalogue(answers, text) if row.done]
    saved += [str(row[2]) for row in timeline_catalogue(answers, text, 1)]
    if not saved:
        return [text("tools.letter.no_exhibits")]
    return [f"{n}. {title}" for n, title in enumerate(saved, start=1)]


def _requests(channel: str, answers: Answers) -> list[str]:
    found = {f.id for f in assess(answers).likely}
    keys = []
    if case.role(answers) in case.NOT_LIABLE:
        keys.append("tools.letter.request.stop_contacting_me")
    elif choices(answers, "contacted") & THIRD_PARTIES:
        keys.append("tools.letter.request.stop_third_parties")
    if found & {"night_contact", "night_visit", "too_many_calls"}:
        keys.append("tools.letter.request.stop_night_and_frequency")
    if "exposure" in found:
        keys.append("tools.letter.request.remove_posts")
    borrower_side = case.role(answers) not in case.NOT_LIABLE
    if borrower_side and (
        found & {"head_cut", "collection_fees"} or any(f.startswith("rate_") for f in found)
    ):
        keys.append("tools.letter.request.recalculate.f068")
    if channel == "lender_own_complaint" and lender_type(answers) in (
        "bank",
        "credit_card",
        "consumer_finance",
    ):
        keys.append("tools.letter.request.reply_in_15_days.f005")
    elif channel == "nfra_12378":
        keys.append("tools.letter.request.regulator_nfra.f005")
    else:
        keys.append("tools.letter.request.regulator_reply")
    return keys


def merged_findings(answers: Answers) -> list[Finding]:
    """Findings in the letter's first-person words; the rate findings become one line."""
    merged: dict[str, Finding] = {}
    for finding in assess(answers).likely:
        key = point_key(finding.id)
        before = merged.get(key)
        facts = before.fact_ids + finding.fact_ids if before else finding.fact_ids
        merged[key] = Finding(finding.id, key, tuple(dict.fromkeys(facts)))
    return list(merged.values())


def complaint_letter(answers: Answers, channel: str, text: Text) -> str:
    """To the lender or a regulator about one lender (its view: bot.tools.case.lender_view)."""
    if channel == "police":
        return police_report(answers, text)
    if channel not in COMPLAINT_CHANNELS:
        raise ValueError(f"no complaint letter for channel {channel!r}")
    lender = lender_label(answers, text)
    lines = [
        text(f"tools.letter.complaint.title.{channel}"),
        "",
        text(f"tools.letter.complaint.to.{channel}"),
        text("tools.letter.complainant"),
        text("tools.letter.respondent", lender=lender),
        "",
        text("tools.letter.heading.facts"),
    ]
    facts = situation(answers, text)
    if case.role(answers) not in case.NOT_LIABLE:
        facts += loan_facts(answers, text)
    lines.extend(f"{n}. {line}" for n, line in enumerate(facts, start=1))
    findings = merged_findings(answers)
    if findings:
        lines += ["", text("tools.letter.heading.rules")]
        for finding in findings:
            lines.append(
                f"• {text(finding.text_key)}{text('tools.letter.rule_end')}{citation(finding, text)}"
            )
    lines += ["", text("tools.letter.heading.requests")]
    lines.extend(f"{n}. {text(key)}" for n, key in enumerate(_requests(channel, answers), start=1))
    lines += ["", text("tools.letter.heading.attachments"), *exhibits(answers, text)]
    lines += ["", text("tools.letter.signature")]
    return "\n".join(lines)


def police_report(answers: Answers, text: Text) -> str:
    """报案材料 for the whole case: what happened, what it may amount to, what is asked."""
    lines = [
        text("tools.letter.complaint.title.police"),
        "",
        text("tools.letter.complaint.to.police"),
        text("tools.letter.reporter"),
        "",
        text("tools.letter.heading.facts"),
    ]
    facts = situation(answers, text)
    for view in case.lender_views(answers):
        if view.get("lender_name") or view.get("lender_type"):
            facts.append(
                text(
                    "tools.letter.fact.police_lender",
                    lender=lender_label(view, text),
                    kind=text(f"tools.answer.lender_type.{lender_type(view)}"),
                )
            )
            if case.role(answers) not in case.NOT_LIABLE:
                facts += loan_facts(view, text)
    lines.extend(f"{n}. {line}" for n, line in enumerate(facts, start=1))
    offences = offence_lines(answers, text)
    if offences:
        lines += ["", text("tools.letter.heading.offences"), text("tools.police.offence.intro")]
        lines.extend(f"• {line}" for line in offences)
    lines += [
        "",
        text("tools.letter.heading.police_requests"),
        f"1. {text('tools.letter.request.police_receipt.f016')}",
        f"2. {text('tools.letter.request.police_investigate')}",
    ]
    lines += ["", text("tools.letter.heading.attachments"), *exhibits(answers, text)]
    lines += ["", text("tools.letter.signature")]
    return "\n".join(lines)


def contacts_notice(answers: Answers, text: Text) -> str:
    """The stop-contacting notice, in the voice of whoever sends it."""
    names = [lender_label(view, text) for view in case.lender_views(answers) if view.get("lender_name")]
    lender = text("tools.common.list_separator").join(names) or text("tools.letter.blank_lender")
    role = case.role(answers)
    if role in case.NOT_LIABLE:
        return text("tools.letter.notice.not_borrower_f042_f049_f021_f039", lender=lender)
    if role in ("spouse", "guarantor"):
        return text(f"tools.letter.notice.{role}", lender=lender)
    return text("tools.letter.notice.borrower_f021_f042_f049", lender=lender)


def negotiation_letter(answers: Answers, text: Text) -> str:
    lender = lender_label(answers, text)
    lines = [
        text("tools.letter.negotiation.title"),
        "",
        text("tools.letter.negotiation.to", lender=lender),
        text("tools.letter.complainant"),
        text("tools.letter.negotiation.loan_ref"),
        "",
        text("tools.letter.negotiation.opening"),
    ]
    budget = budget_from_answers(answers)
    if budget is not None and budget.offer > 0:
        if budget.months_needed:
            lines.append(
                text(
                    "tools.letter.negotiation.offer_months",
                    offer=yuan(budget.offer),
                    months=budget.months_needed,
                )
            )
        else:
            lines.append(text("tools.letter.negotiation.offer", offer=yuan(budget.offer)))
    else:
        lines.append(text("tools.letter.negotiation.offer_blank"))
    try:
        figures = figures_from_answers(answers)
    except ToolInputError:
        figures = None
    if figures is not None and figures.head_cut > 0:
        lines.append(
            text("tools.letter.negotiation.principal.f068", received=yuan(figures.terms.received_amount))
        )
    if lender_type(answers) == "credit_card":
        lines.append(text("tools.letter.negotiation.card_plan.f090"))
    if choices(answers, "contacted") & THIRD_PARTIES:
        lines.append(text("tools.letter.negotiation.stop_third_parties.f042"))
    lines += [text("tools.letter.negotiation.in_writing"), "", text("tools.letter.signature")]
    return "\n".join(lines)
