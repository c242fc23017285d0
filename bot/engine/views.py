"""Views: text blocks computed from the answers (plans, checklists, figures, letters, summary).

A view is named in dialogs/*.yaml (`say: [{view: channel_plan}]`) and registered here. The
computing lives in bot/tools (pure functions); a view only picks the tool and passes the
session's `text`, so every sentence still comes from locales/.
"""

from __future__ import annotations

from bot.engine.conditions import plan_index
from bot.engine.registry import Text, views
from bot.tools import (
    affordability,
    calculator,
    case,
    evidence,
    letters,
    negotiation,
    plan,
    violations,
)
from bot.tools.answers import THIRD_PARTIES, choices, free_text, money, yuan
from bot.tools.export import build_case_file
from bot.types import Session


def render(name: str, session: Session, text: Text) -> str:
    return views[name](session, text)


@views.register("violations")
def violation_list(session: Session, text: Text) -> str:
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
    return plan.build_plan(session.answers)


@views.register("plan_overview")
def plan_overview(session: Session, text: Text) -> str:
    """The rungs in order, one line each: the detail comes one step at a time (c_step)."""
    lines = [
        text("views.plan.line", number=step.number, name=text(step.name_key),
             contact=text(step.contact_key))
        for step in _steps(session)
    ]
    return "\n".join(lines)


@views.register("plan_step")
def plan_step(session: Session, text: Text) -> str:
    steps = _steps(session)
    if not steps:
        return text("views.plan.empty")
    step = steps[min(plan_index(session), len(steps) - 1)]
    header = text("views.plan.position", number=step.number, total=len(steps))
    return "\n".join([header, *plan.step_lines(step, text)])


def _regulator(session: Session) -> str:
    steps = {step.channel_id for step in _steps(session)}
    return "nfra_12378" if "nfra_12378" in steps else "local_financial_regulator"


@views.register("complaint_letter")
def complaint_letter(session: Session, text: Text) -> str:
    """To the lender when there is one to write to; an unlicensed lender goes to the regulator."""
    answers = session.answers
    channel = "local_financial_regulator" if answers.get("lender_type") == "unlicensed" else (
        "lender_own_complaint")
    first = letters.complaint_letter(answers, channel, text)
    if channel == "lender_own_complaint":
        second = letters.complaint_letter(answers, _regulator(session), text)
        return "\n\n".join([first, text("views.letter.regulator_copy"), second])
    return first


@views.register("police_letter")
def police_letter(session: Session, text: Text) -> str:
    return letters.complaint_letter(session.answers, "police", text)


@views.register("contacts_notice")
def contacts_notice(session: Session, text: Text) -> str:
    """A message the user (or a harassed contact) can send the collector to stop third-party calls."""
    lender = free_text(session.answers, "lender_name", text) or text("views.letter.blank_lender")
    return text("views.letter.contacts_notice_f021_f042_f047_f049", lender=lender)


@views.register("negotiation_options")
def negotiation_options(session: Session, text: Text) -> str:
    """Only options that really exist, tailored to the lender (no 停息挂账 right, F090)."""
    return negotiation.render_options(session.answers, text)


@views.register("affordability")
def budget(session: Session, text: Text) -> str:
    return affordability.render_budget(session.answers, text)


@views.register("negotiation_letter")
def negotiation_letter(session: Session, text: Text) -> str:
    return letters.negotiation_letter(session.answers, text)


@views.register("case_summary")
def case_summary(session: Session, text: Text) -> str:
    """What the case file holds, short enough for a phone; the full file is the export."""
    answers = session.answers
    if not any(answers.get(slot) for slot in ("contacted", "methods", "lender_name", "lender_type")):
        return "\n".join([text("views.summary.title"), text("views.summary.nothing_yet")])
    case = build_case_file(answers, session.lang, text)
    blocks = [text("views.summary.title")]
    facts = [text("views.summary.fact_line", label=line.label, value=line.value)
             for line in case.summary]
    blocks.append("\n".join(facts) if facts else text("views.summary.nothing_yet"))
    if case.violations:
        found = [f"• {entry.text}" for entry in case.violations]
        blocks.append("\n".join([text("views.summary.violations"), *found]))
    blocks.append(case.evidence_progress)
    channels = [text("views.summary.plan_line", number=row.number, name=row.channel, contact=row.contact)
                for row in case.plan]
    blocks.append("\n".join([text("views.summary.plan"), *channels]))
    if session.answers.get("income") is not None:
        blocks.append("\n".join(case.budget))
    if choices(session.answers, "contacted") & THIRD_PARTIES:
        blocks.append(text("views.summary.contacts_reminder_f042_f049"))
    blocks.append(text("views.summary.export"))
    return "\n\n".join(blocks)
