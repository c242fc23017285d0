"""Views: text blocks computed from the answers (plans, checklists, figures, letters, summary).

A view is named in dialogs/*.yaml (`say: [{view: channel_plan}]`) and registered here. The
computing lives in bot/tools (pure functions); a view only picks the tool and passes the
session's `text`, so every sentence still comes from locales/.
"""

from __future__ import annotations

from functools import cache

from bot.config import content_dir
from bot.engine.conditions import plan_index
from bot.engine.i18n import DEFAULT_LANG, I18n
from bot.engine.registry import Text, views
from bot.tools import (
    affordability,
    calculator,
    case,
    documents,
    letters,
    negotiation,
    plan,
    violations,
)
from bot.tools import evidence_checklist as evidence
from bot.tools.answers import THIRD_PARTIES, choices, money, yuan
from bot.tools.export import build_case_file
from bot.types import Session

PAGE_BREAK = "\f"  # between the messages of one view: each stays phone-sized
PAGE_LIMIT = {"zh_CN": 600, "en": 1200}  # characters in one message


def render(name: str, session: Session, text: Text) -> list[str]:
    """The view's text as phone-sized messages: long text is cut between lines."""
    limit = PAGE_LIMIT.get(session.lang, 600)
    pages: list[str] = []
    for part in views[name](session, text).split(PAGE_BREAK):
        pages.extend(paginate(part, limit))
    return [page for page in pages if page.strip()]


def paginate(block: str, limit: int) -> list[str]:
    """Lines packed into pages of at most `limit` characters (a longer single line is cut)."""
    pages: list[str] = []
    current = ""
    for line in block.split("\n"):
        while len(line) > limit:
            pages += [current] if current else []
            current = ""
            pages.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pages.append(current)
            current = line
        else:
            current = candidate
    if current:
        pages.append(current)
    return pages


@views.register("violations")
def violation_list(session: Session, text: Text) -> str:
    """The rules the collectors likely broke, with the facts behind each."""
    answers = session.answers
    return violations.render_assessment(case.lender_view(answers, case.buffer(answers)), text)


@views.register("loan_figures")
def loan_figures(session: Session, text: Text) -> str:
    """The calculator's figures, plus what was repaid and when the next payment is due."""
    answers = session.answers
    lines = [calculator.render_figures(answers, text)]
    repaid = money(answers, "repaid_total")
    if repaid:
        lines.append(text("views.loan.repaid", repaid=yuan(repaid)))
    due = answers.get("due_date")
    if isinstance(due, str) and due:
        lines.append(text("views.loan.due", date=due))
    return "\n".join(lines)


@views.register("evidence_checklist")
def evidence_checklist(session: Session, text: Text) -> str:
    """The evidence this case needs, each marked collected or still to do."""
    return evidence.render_progress(session.answers, text)


@views.register("evidence_item")
def evidence_item(session: Session, text: Text) -> str:
    """The item the user opened: its title, whether it is done, and how to save it."""
    picked = session.answers.get("evidence_item")
    items = {item.id: item for item in evidence.checklist(session.answers)}
    item = items.get(picked) if isinstance(picked, str) else None
    if item is None:
        return text("views.evidence.none_picked")
    done = item.id in choices(session.answers, "evidence_done")
    mark = text("tools.evidence.mark_done") if done else text("tools.evidence.mark_todo")
    return "\n".join([f"{mark} {text(item.title_key)}", text(item.how_key)])


def _steps(session: Session) -> tuple[plan.Step, ...]:
    return plan.undated_plan(session.answers)


@views.register("plan_overview")
def plan_overview(session: Session, text: Text) -> str:
    """The rungs in order, one line each: the detail comes one step at a time (c_step)."""
    lines = [
        text("views.plan.line", number=step.number, name=text(step.name_key), contact=text(step.contact_key))
        for step in _steps(session)
    ]
    return "\n".join(lines)


@views.register("plan_step")
def plan_step(session: Session, text: Text) -> str:
    """One step of the escalation plan: where to complain, what to say and attach."""
    steps = _steps(session)
    if not steps:
        return text("views.plan.empty")
    step = steps[min(plan_index(session), len(steps) - 1)]
    header = text("views.plan.position", number=step.number, total=len(steps))
    return "\n".join([header, *plan.step_lines(step, text)])


@cache
def _catalogs() -> I18n:
    """The locale files, for the Chinese copy of a letter an English reader also gets."""
    return I18n.load(content_dir("locales"))


def official_text(session: Session, text: Text) -> Text:
    if session.lang == DEFAULT_LANG:
        return text
    catalogs = _catalogs()

    def chinese(key: str, **params: object) -> str:
        return catalogs.text(DEFAULT_LANG, key, **params)

    return chinese


def _documents(session: Session, text: Text, prefix: str) -> str:
    docs = [
        d
        for d in documents.build(session.answers, text, official_text(session, text), session.lang)
        if d.id.startswith(prefix)
    ]
    if not docs:
        return text("views.letter.none")
    parts: list[str] = []
    for doc in docs:
        if doc.reading_copy:
            parts += [
                text("views.letter.send_copy"),
                doc.body,
                text("views.letter.reading_copy"),
                doc.reading_copy,
            ]
        else:
            parts.append(doc.body)
    return PAGE_BREAK.join(parts)


@views.register("complaint_letter")
def complaint_letter(session: Session, text: Text) -> str:
    """Per lender: to its complaint desk (licensed lenders) and to the regulator over it."""
    return _documents(session, text, "complaint_")


@views.register("police_letter")
def police_letter(session: Session, text: Text) -> str:
    """A police report ready to hand in (with a reading copy in the user's language)."""
    answers = session.answers
    catalogs_text = official_text(session, text)
    body = letters.police_report(answers, catalogs_text)
    if session.lang == DEFAULT_LANG:
        return body
    return PAGE_BREAK.join(
        [
            text("views.letter.send_copy"),
            body,
            text("views.letter.reading_copy"),
            letters.police_report(answers, text),
        ]
    )


@views.register("contacts_notice")
def contacts_notice(session: Session, text: Text) -> str:
    """The stop-contacting notice, in the voice of whoever sends it."""
    answers = session.answers
    body = letters.contacts_notice(answers, official_text(session, text))
    if session.lang == DEFAULT_LANG:
        return body
    return PAGE_BREAK.join(
        [
            text("views.letter.send_copy"),
            body,
            text("views.letter.reading_copy"),
            letters.contacts_notice(answers, text),
        ]
    )


@views.register("negotiation_options")
def negotiation_options(session: Session, text: Text) -> str:
    """Only options that really exist, tailored to the lender (no 停息挂账 right, F090)."""
    return negotiation.render_options(session.answers, text)


@views.register("affordability")
def budget(session: Session, text: Text) -> str:
    """The monthly budget: income, essentials and what is left for repayments."""
    return affordability.render_budget(session.answers, text)


@views.register("negotiation_letter")
def negotiation_letter(session: Session, text: Text) -> str:
    """A letter to the lender proposing a repayment the user can afford."""
    return letters.negotiation_letter(session.answers, text)


@views.register("case_summary")
def case_summary(session: Session, text: Text) -> str:
    """What the case file holds, short enough for a phone; the full file is the export."""
    answers = session.answers
    if not any(answers.get(slot) for slot in ("contacted", "methods", "lender_name", "lender_type")):
        return "\n".join([text("views.summary.title"), text("views.summary.nothing_yet")])
    casefile = build_case_file(answers, session.lang, text, letters=False)
    blocks = [text("views.summary.title")]
    facts = [text("views.summary.fact_line", label=line.label, value=line.value) for line in casefile.summary]
    blocks.append("\n".join(facts) if facts else text("views.summary.nothing_yet"))
    if casefile.violations:
        found = [f"• {entry.text}" for entry in casefile.violations]
        blocks.append("\n".join([text("views.summary.violations"), *found]))
    blocks.append(casefile.evidence_progress)
    channels = [
        text("views.summary.plan_line", number=row.number, name=row.channel, contact=row.contact)
        for row in casefile.plan
    ]
    blocks.append("\n".join([text("views.summary.plan"), *channels]))
    if session.answers.get("income") is not None:
        blocks.append("\n".join(casefile.budget))
    if case.is_borrower(session.answers) and choices(session.answers, "contacted") & THIRD_PARTIES:
        blocks.append(text("views.summary.contacts_reminder_f042_f049"))
    blocks.append(text("views.summary.export"))
    return "\n\n".join(blocks)  # render() cuts it into phone-sized pages
