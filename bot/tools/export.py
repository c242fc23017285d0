"""The case file: everything the tools know about a case, rendered as Markdown, JSON or .docx.

`build_case_file` turns the answers into plain data (text already in the user's language, ids
and fact ids kept beside it for machines); the renderers only lay that data out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.tools import case, documents
from bot.tools.affordability import budget_from_answers, budget_lines, debt_basis_key
from bot.tools.answers import Answers, Text, ToolInputError, choice, free_text, lender_type
from bot.tools.calculator import figure_lines, figures_from_answers
from bot.tools.evidence_checklist import catalogue, progress
from bot.tools.letters import labels
from bot.tools.negotiation import option_lines
from bot.tools.plan import Step, build_plan, channel_ids, directory_name, step_lines
from bot.tools.timeline import timeline_catalogue
from bot.tools.violations import assess, citation


@dataclass(frozen=True, slots=True)
class SummaryLine:
    field: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ViolationEntry:
    id: str
    text: str
    citation: str
    fact_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    number: int
    item_id: str
    item: str
    status: str
    done: bool
    date: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    number: int
    channel_id: str
    channel: str
    contact: str
    response: str
    response_short: str  # "15 days" / "no fixed time", for the table
    response_days: int | None
    start_on: str  # ISO date or ""
    follow_up_on: str  # ISO date or ""
    details: tuple[str, ...]  # the full step: script, attachments, what to do without an answer
    fact_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Letter:
    id: str  # complaint_<channel id> | negotiation
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class LenderSection:
    number: int
    name: str
    kind: str  # the lender type in words
    check: str  # how to check its licence, from the official look-ups
    loan: tuple[str, ...]  # its own calculator result
    violations: tuple[ViolationEntry, ...]  # its own findings
    channels: tuple[str, ...]  # where to complain about it, in order


@dataclass(frozen=True, slots=True)
class CaseFile:
    lang: str
    title: str
    created_on: str  # ISO date or ""
    intro: str
    headings: dict[str, str]  # section id -> heading in the user's language
    columns: dict[str, tuple[str, ...]]  # table id -> column headings
    summary: tuple[SummaryLine, ...]
    violations: tuple[ViolationEntry, ...]
    allowed: tuple[str, ...]
    evidence_progress: str
    evidence: tuple[EvidenceRow, ...]
    plan: tuple[PlanRow, ...]
    loan: tuple[str, ...]
    budget: tuple[str, ...]
    negotiation: tuple[str, ...]  # repayment options that really exist
    letters: tuple[Letter, ...]
    role: str  # borrower | relative | contact | guarantor | spouse (bot.tools.case)
    lenders: tuple[LenderSection, ...]
    channels_label: str  # "Where to complain: " before a lender's channels
    list_separator: str
    letter_headings: tuple[str, ...]  # section lines inside the letters, shown bold in .docx
    notice: str


SECTIONS = ("summary", "violations", "evidence", "plan", "loan", "budget", "negotiation", "letters")
TABLES = {
    "evidence": ("number", "item", "status", "date"),
    "plan": ("number", "channel", "contact", "response", "follow_up"),
}


def _summary(answers: Answers, text: Text) -> tuple[SummaryLine, ...]:
    names = [free_text(view, "lender_name", text) for view in case.lender_views(answers)]
    kinds = dict.fromkeys(
        text(f"tools.answer.lender_type.{lender_type(view)}") for view in case.lender_views(answers)
    )
    separator = text("tools.common.list_separator")
    values: list[tuple[str, str | None]] = [
        ("role", text(f"tools.answer.role.{case.role(answers)}")),
        ("lender_name", separator.join(n for n in names if n)),
        ("lender_type", separator.join(kinds)),
        ("contacted", labels(answers, "contacted", text)),
        ("methods", labels(answers, "methods", text)),
    ]
    frequency = choice(answers, "frequency")
    if frequency in ("few_weekly", "daily", "many_daily", "nonstop"):
        values.append(("frequency", text(f"tools.answer.frequency.{frequency}")))
    night = choice(answers, "night")
    if night in ("yes", "no", "unsure"):
        values.append(("night", text(f"tools.answer.night.{night}")))
    values.append(("since", free_text(answers, "since", text)))
    return tuple(SummaryLine(f, text(f"tools.export.field.{f}"), v) for f, v in values if v)


def _loan(answers: Answers, text: Text) -> tuple[str, ...]:
    try:
        figures = figures_from_answers(answers)
    except ToolInputError as problem:
        return (text(f"tools.calc.invalid.{problem.reason}"),)
    return tuple(figure_lines(figures, text)) if figures else (text("tools.calc.incomplete"),)


def _plan_row(step: Step, text: Text) -> PlanRow:
    days = step.response_days
    return PlanRow(
        number=step.number,
        channel_id=step.channel_id,
        channel=text(step.name_key),
        contact=text(step.contact_key),
        response=text(step.response_key),
        response_short=text("tools.export.days", days=days)
        if days is not None
        else text("tools.export.no_days"),
        response_days=days,
        start_on=step.start_on.isoformat() if step.start_on else "",
        follow_up_on=step.follow_up_on.isoformat() if step.follow_up_on else "",
        details=tuple(step_lines(step, text)[2:]),  # title and contact are in the table already
        fact_ids=step.fact_ids,
    )


def _lender_sections(answers: Answers, text: Text) -> tuple[LenderSection, ...]:
    sections = []
    for number, view in enumerate(case.lender_views(answers), start=1):
        kind = lender_type(view)
        sections.append(
            LenderSection(
                number=number,
                name=free_text(view, "lender_name", text) or text("tools.letter.blank_lender"),
                kind=text(f"tools.answer.lender_type.{kind}"),
                check=text(case.check_key(kind)),
                loan=_loan(view, text),
                violations=_violations(view, text),
                channels=tuple(text(directory_name(c)) for c in channel_ids(view)),
            )
        )
    return tuple(sections)


def _violations(view: Answers, text: Text) -> tuple[ViolationEntry, ...]:
    return tuple(
        ViolationEntry(f.id, text(f.text_key), citation(f, text), f.fact_ids) for f in assess(view).likely
    )


def build_case_file(
    answers: Answers,
    lang: str,
    text: Text,
    *,
    today: date | None = None,
    official: Text | None = None,
    letters: bool = True,
) -> CaseFile:
    """`today` dates the plan (when to follow up); without it the plan has no dates. `official`
    is the Chinese text for the documents (default: `text`, for a Chinese-speaking user).
    `letters=False` leaves the letters out (the summary screen shows none; they are half the work)."""
    views = case.lender_views(answers)
    several = len(views) > 1
    sections = _lender_sections(answers, text)
    violations = tuple(
        ViolationEntry(
            entry.id,
            text("tools.export.lender_finding", lender=section.name, finding=entry.text)
            if several
            else entry.text,
            entry.citation,
            entry.fact_ids,
        )
        for section in sections
        for entry in section.violations
    )
    result = assess(views[0])
    done_word, todo_word = text("tools.export.status.done"), text("tools.export.status.todo")
    evidence = tuple(
        EvidenceRow(r.number, r.item_id, r.title, done_word if r.done else todo_word, r.done, r.date)
        for r in catalogue(answers, text)
    )
    # files the user sent, with their SHA-256 (bot/followups/evidence.py): proof they are unchanged
    evidence += tuple(EvidenceRow(*row) for row in timeline_catalogue(answers, text, len(evidence) + 1))
    state = progress(answers)
    steps = build_plan(answers, today)
    plan = tuple(_plan_row(s, text) for s in steps)
    written = []
    for doc in documents.build(answers, text, official or text, lang) if letters else ():
        written.append(Letter(doc.id, doc.title, doc.body))
        if doc.reading_copy:
            written.append(
                Letter(
                    f"{doc.id}_reading",
                    text("tools.export.reading_copy_title", title=doc.title),
                    doc.reading_copy,
                )
            )
    budget = budget_from_answers(answers)
    return CaseFile(
        lang=lang,
        title=text("tools.export.title"),
        created_on=today.isoformat() if today else "",
        intro=text("tools.export.intro"),
        headings={s: text(f"tools.export.heading.{s}") for s in SECTIONS},
        columns={t: tuple(text(f"tools.export.column.{c}") for c in cols) for t, cols in TABLES.items()},
        summary=_summary(answers, text),
        violations=violations,
        allowed=tuple(text(f.text_key) for f in result.allowed),
        evidence_progress=text("tools.evidence.progress", done=state.done, total=state.total),
        evidence=evidence,
        plan=plan,
        loan=_loan(answers, text),
        budget=(
            tuple(budget_lines(budget, text, debt_basis_key(answers)))
            if budget
            else (text("tools.budget.incomplete"),)
        ),
        negotiation=tuple(option_lines(answers, text)),
        letters=tuple(written),
        role=case.role(answers),
        lenders=sections,
        channels_label=text("tools.export.channels_label"),
        list_separator=text("tools.common.list_separator"),
        letter_headings=tuple(
            text(f"tools.letter.heading.{h}") for h in ("facts", "rules", "requests", "attachments")
        ),
        notice=text("tools.export.notice"),
    )
