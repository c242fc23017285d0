"""The flow's side of the safety detector: conditions and actions named in dialogs/*.yaml."""

from __future__ import annotations

from bot.engine.registry import ActionContext, Text, actions, conditions, views
from bot.types import Session

CHECK_IN = "check_in_due"  # answers key: the next reply outside the crisis screens checks in
HUMANS_OPEN = "humans_open"  # answers key: set by the engine when the user asks for a person


@conditions.register("had_crisis")
def had_crisis(session: Session) -> bool:
    """Crisis or danger was shown in this conversation: keep the lines in sight."""
    return "crisis_at" in session.answers or "danger_at" in session.answers


@conditions.register("humans_open")
def humans_open(session: Session) -> bool:
    """A person answers on the console right now (the configured hours)."""
    return bool(session.answers.get(HUMANS_OPEN))


@actions.register("check_in_next")
def check_in_next(session: Session, ctx: ActionContext) -> None:
    """Ask how the user is doing at the start of the next conversation."""
    session.answers[CHECK_IN] = True


@actions.register("mark_scam_victim")
def mark_scam_victim(session: Session, ctx: ActionContext) -> None:
    """Note that the user says they were already scammed."""
    session.answers["scam_victim_at"] = ctx.now


@views.register("human_availability")
def human_availability(session: Session, text: Text) -> str:
    """Whether people are on duty, and after a crisis the lines, in one message: someone who
    asked for a person out of hours must not have to scroll for the numbers."""
    parts = [text("safety.human_open" if humans_open(session) else "safety.human_closed")]
    if had_crisis(session):
        parts.append(text("safety.human_lines_f110_f111_f114"))
    return "\n".join(parts)
