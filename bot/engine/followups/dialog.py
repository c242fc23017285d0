"""Actions, conditions and views of dialogs/followups.yaml. Pure: the session's answers only.

Complaints live in `answers["complaints"]` (encrypted with the rest of the session); the store's
`sync_followups` effect turns the open ones into due jobs in the same transaction as the turn.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.engine.registry import ActionContext, actions, conditions
from bot.tools.ladder import china_date, due_for, next_rung
from bot.types import TRANSIENT_KEYS, Complaint, Session

SNOOZE_DAYS = 7


def complaints(session: Session) -> list[Complaint]:
    found: list[Complaint] = session.answers.setdefault("complaints", [])
    return found


def open_complaints(session: Session) -> list[Complaint]:
    return [c for c in session.answers.get("complaints") or [] if c.get("status") == "open"]


def _by_id(session: Session, complaint_id: Any) -> Complaint | None:
    return next((c for c in session.answers.get("complaints") or [] if c["id"] == complaint_id), None)


def current(session: Session) -> Complaint | None:
    return _by_id(session, session.answers.get("fu_current"))


def plan_ids(session: Session) -> list[str]:
    from bot.tools.plan import channel_ids  # the user's own escalation ladder

    return channel_ids(session.answers)


def next_channel(session: Session, complaint: Complaint) -> str | None:
    complained = {c["channel"] for c in session.answers.get("complaints") or []}
    return next_rung(complaint["channel"], plan_ids(session), complained)


# -- actions -----------------------------------------------------------------------------------
@actions.register("leave_followups")
def leave_followups(session: Session, ctx: ActionContext) -> None:
    """Unwind this sub-flow from the history, so the `$back` that follows returns to the state
    the user was in before /reminders, /move, … (wherever that was)."""
    while session.history and ctx.flow.in_subflow(session.history[-1]):
        session.history.pop()
    for key in TRANSIENT_KEYS:  # half-entered complaints, a typed move code: not worth keeping
        session.answers.pop(key, None)


@actions.register("filed_today")
def filed_today(session: Session, ctx: ActionContext) -> None:
    """The complaint being recorded was filed today (Beijing date)."""
    session.answers["fu_new_date"] = china_date(ctx.now).isoformat()


@actions.register("no_complaint_ref")
def no_complaint_ref(session: Session, ctx: ActionContext) -> None:
    """The complaint being recorded has no reference number."""
    session.answers.pop("fu_new_ref", None)


@actions.register("record_complaint")
def record_complaint(session: Session, ctx: ActionContext) -> None:
    """Add the complaint just entered (channel, date, reference) with its due reminder."""
    a = session.answers
    channel = a.pop("fu_new_channel", None)
    filed_text = a.pop("fu_new_date", None) or china_date(ctx.now).isoformat()
    ref = a.pop("fu_new_ref", None)
    if not channel:
        return
    filed = date.fromisoformat(filed_text)
    due = due_for(channel, filed, a.get("lender_type"), ctx.now)
    items = complaints(session)
    complaint: Complaint = {
        "id": f"c{len(items) + 1}",
        "channel": channel,
        "filed": filed.isoformat(),
        "ref": ref,
        "at": ctx.now,
        "due_at": due.due_at,
        "due_date": due.due_date,
        "days": due.days,
        "kind": due.kind,
        "status": "open",
        "asked": False,
        "overdue": due.kind == "deadline" and due.due_date < china_date(ctx.now).isoformat(),
    }
    items.append(complaint)
    a["fu_current"] = complaint["id"]


@actions.register("cancel_followups")
def cancel_followups(session: Session, ctx: ActionContext) -> None:
    """Cancel reminder number N of the list (0: all of them)."""
    pick = session.answers.pop("fu_cancel_pick", None)
    listed = open_complaints(session)
    chosen = listed if pick == 0 else listed[pick - 1 : pick] if isinstance(pick, int) and pick > 0 else []
    for complaint in chosen:
        complaint["status"] = "cancelled"
    session.answers["fu_cancelled_count"] = len(chosen)


@actions.register("pick_followup")
def pick_followup(session: Session, ctx: ActionContext) -> None:
    """The complaint to ask about: the most overdue open one, else the next one coming up."""
    listed = sorted(open_complaints(session), key=lambda c: c["due_at"])
    due = [c for c in listed if c["due_at"] <= ctx.now]
    chosen = (due or listed)[0] if (due or listed) else None
    session.answers["fu_current"] = chosen["id"] if chosen else None
    if chosen is not None:
        chosen["asked"] = True


@actions.register("resolve_followup")
def resolve_followup(session: Session, ctx: ActionContext) -> None:
    """Close the current complaint as resolved."""
    complaint = current(session)
    if complaint is not None:
        complaint["status"] = "resolved"


@actions.register("escalate_followup")
def escalate_followup(session: Session, ctx: ActionContext) -> None:
    """Close the current complaint as escalated to the next channel."""
    complaint = current(session)
    if complaint is not None:
        complaint["status"] = "escalated"


@actions.register("snooze_followup")
def snooze_followup(session: Session, ctx: ActionContext) -> None:
    """Ask about the current complaint again in a week."""
    complaint = current(session)
    if complaint is not None:
        complaint.update(
            {
                "due_at": ctx.now + SNOOZE_DAYS * 86400,
                "asked": False,
                "kind": "checkin",
                "due_date": china_date(ctx.now + SNOOZE_DAYS * 86400).isoformat(),
            }
        )


@actions.register("preset_next_channel")
def preset_next_channel(session: Session, ctx: ActionContext) -> None:
    """Pre-select the next rung's channel for the complaint to record next."""
    complaint = current(session)
    following = next_channel(session, complaint) if complaint else None
    if following:
        session.answers["fu_new_channel"] = following


@actions.register("evidence_keep_on")
def evidence_keep_on(session: Session, ctx: ActionContext) -> None:
    """Keep an encrypted copy of the evidence files the user sends."""
    session.answers["evidence_keep"] = True


@actions.register("evidence_keep_off")
def evidence_keep_off(session: Session, ctx: ActionContext) -> None:
    """Stop keeping copies of the evidence files the user sends."""
    session.answers["evidence_keep"] = False


@actions.register("describe_evidence")
def describe_evidence(session: Session, ctx: ActionContext) -> None:
    """The one-line description typed after a file arrived goes on the newest timeline entry."""
    text = str(session.answers.pop("ev_description", "") or "").strip()
    timeline = session.answers.get("evidence_timeline") or []
    session.answers["ev_last_described"] = bool(text and timeline)
    if text and timeline:
        timeline[-1]["description"] = text


# -- conditions ----------------------------------------------------------------------------------
@conditions.register("has_open_complaint")
def has_open_complaint(session: Session) -> bool:
    """The user has at least one open complaint."""
    return bool(open_complaints(session))


@conditions.register("has_current_followup")
def has_current_followup(session: Session) -> bool:
    """The complaint being followed up is still open."""
    complaint = current(session)
    return complaint is not None and complaint["status"] == "open"


@conditions.register("last_complaint_overdue")
def last_complaint_overdue(session: Session) -> bool:
    """The complaint just recorded is open and its time has already run out."""
    complaint = current(session)
    return bool(complaint and complaint.get("overdue") and complaint["status"] == "open")


@conditions.register("has_next_rung")
def has_next_rung(session: Session) -> bool:
    """There is a next channel to try after the current complaint's."""
    complaint = current(session)
    return complaint is not None and next_channel(session, complaint) is not None


@conditions.register("evidence_kept")
def evidence_kept(session: Session) -> bool:
    """The user asked to keep an encrypted copy of the evidence files they send."""
    return bool(session.answers.get("evidence_keep"))


from bot.engine.followups import views as _views  # noqa: E402,F401 - registers the views
