"""Views: text blocks computed from the answers (plans, checklists, figures).

A view is named in dialogs/*.yaml (`say: [{view: channel_plan}]`) and registered here.
"""

from __future__ import annotations

from bot.engine.registry import Text, views
from bot.types import Session


def render(name: str, session: Session, text: Text) -> str:
    return views[name](session, text)


def _lines(session: Session, text: Text, prefix: str, ids: list[str]) -> str:
    return "\n".join(f"• {text(f'{prefix}.{i}')}" for i in ids)


@views.register("violations")
def violations(session: Session, text: Text) -> str:
    methods = set(session.answers.get("methods") or [])
    contacted = set(session.answers.get("contacted") or [])
    found = []
    if session.answers.get("night") == "yes":
        found.append("night")
    if contacted - {"me"}:
        found.append("third_parties")
    if methods & {"violence_threats", "insults"}:
        found.append("threats")
    if methods & {"doctored_photos", "group_chats", "published_debt"}:
        found.append("exposure")
    if "fake_legal" in methods:
        found.append("fake_legal")
    if not found:
        return text("views.violations.none")
    return text("views.violations.intro") + "\n" + _lines(session, text, "views.violations", found)


@views.register("loan_figures")
def loan_figures(session: Session, text: Text) -> str:
    a = session.answers
    contract, received = a.get("contract_amount"), a.get("received_amount")
    monthly, months = a.get("monthly_payment"), a.get("term_months")
    if not (received and monthly and months):
        return text("views.loan.incomplete")
    total = monthly * months
    head_cut = (contract - received) if contract and contract > received else 0
    return text("views.loan.figures_f068", received=received, total=total, head_cut=head_cut)


@views.register("evidence_checklist")
def evidence_checklist(session: Session, text: Text) -> str:
    done = set(session.answers.get("evidence_done") or [])
    return text("views.evidence.progress", done=len(done))


@views.register("channel_plan")
def channel_plan(session: Session, text: Text) -> str:
    return text("views.plan.basic")


@views.register("complaint_letter")
def complaint_letter(session: Session, text: Text) -> str:
    return text("views.letter.complaint", lender=session.answers.get("lender_name") or "____")


@views.register("affordability")
def affordability(session: Session, text: Text) -> str:
    a = session.answers
    spare = max(0.0, (a.get("income") or 0) - (a.get("essentials") or 0) - (a.get("other_debts") or 0))
    return text("views.budget.spare", spare=round(spare))


@views.register("negotiation_letter")
def negotiation_letter(session: Session, text: Text) -> str:
    return text("views.letter.negotiation", lender=session.answers.get("lender_name") or "____")


@views.register("case_summary")
def case_summary(session: Session, text: Text) -> str:
    lines = [text("views.summary.title")]
    for slot in ("contacted", "methods", "lender_name", "lender_type"):
        value = session.answers.get(slot)
        if value:
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            lines.append(text(f"views.summary.{slot}", value=shown))
    return "\n".join(lines)
