"""Actions named in dialogs/*.yaml. They change the session's answers and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.engine.conditions import plan_index, plan_length
from bot.engine.i18n import LANGS
from bot.engine.registry import ActionContext, actions
from bot.types import Session

CRISIS_RISK = 3


@actions.register("mark_crisis")
def mark_crisis(session: Session, ctx: ActionContext) -> None:
    """Rank the conversation as a crisis for the operators and note when."""
    session.risk = CRISIS_RISK
    session.answers["crisis_at"] = ctx.now


@actions.register("mark_danger")
def mark_danger(session: Session, ctx: ActionContext) -> None:
    """Rank the conversation as danger (at least) for the operators and note when."""
    session.risk = max(session.risk, 2)
    session.answers["danger_at"] = ctx.now


@actions.register("request_human")
def request_human(session: Session, ctx: ActionContext) -> None:
    """The user asked for a person: flag the conversation for the console."""
    session.human = True


@actions.register("set_lang")
def set_lang(session: Session, ctx: ActionContext) -> None:
    """Switch the conversation to the language of the chosen option (zh_CN, en)."""
    if ctx.option_id in LANGS:
        session.lang = ctx.option_id


def _set_evidence(session: Session, item: str | None, done: bool, now: float) -> None:
    if not item:
        return
    checked: list[str] = session.answers.setdefault("evidence_done", [])
    dates: dict[str, str] = session.answers.setdefault("evidence_dates", {})
    if done and item not in checked:
        checked.append(item)
        # a calendar date: the evidence catalogue (证据目录) lists when each item was saved
        dates[item] = datetime.fromtimestamp(now, UTC).date().isoformat()
    elif not done and item in checked:
        checked.remove(item)
        dates.pop(item, None)


@actions.register("mark_evidence")
def mark_evidence(session: Session, ctx: ActionContext) -> None:
    """Toggle one evidence item (the option id) as saved, remembering the day."""
    if ctx.option_id is None:
        return
    done = ctx.option_id in (session.answers.get("evidence_done") or [])
    _set_evidence(session, ctx.option_id, not done, ctx.now)


@actions.register("pick_evidence")
def pick_evidence(session: Session, ctx: ActionContext) -> None:
    """Remember which checklist item the user opened, for its how-to page."""
    if ctx.option_id:
        session.answers["evidence_item"] = ctx.option_id


@actions.register("mark_picked_done")
def mark_picked_done(session: Session, ctx: ActionContext) -> None:
    """Mark the evidence item the user opened as collected."""
    _set_evidence(session, session.answers.get("evidence_item"), True, ctx.now)


@actions.register("mark_picked_todo")
def mark_picked_todo(session: Session, ctx: ActionContext) -> None:
    """Mark the evidence item the user opened as still to collect."""
    _set_evidence(session, session.answers.get("evidence_item"), False, ctx.now)


@actions.register("plan_first")
def plan_first(session: Session, ctx: ActionContext) -> None:
    """Show the escalation plan from its first step."""
    session.answers["plan_step"] = 0


@actions.register("plan_next")
def plan_next(session: Session, ctx: ActionContext) -> None:
    """Move to the plan's next step (stays on the last)."""
    session.answers["plan_step"] = min(plan_index(session) + 1, max(plan_length(session) - 1, 0))


@actions.register("plan_prev")
def plan_prev(session: Session, ctx: ActionContext) -> None:
    """Move to the plan's previous step (stays on the first)."""
    session.answers["plan_step"] = max(plan_index(session) - 1, 0)


@actions.register("calc_from_negotiation")
def calc_from_negotiation(session: Session, ctx: ActionContext) -> None:
    """Remember the loan figures were opened from the negotiation stage."""
    session.answers["calc_return"] = "negotiation"


@actions.register("calc_done")
def calc_done(session: Session, ctx: ActionContext) -> None:
    """Leave the loan figures: forget where they were opened from."""
    session.answers.pop("calc_return", None)


@actions.register("restart")
def restart(session: Session, ctx: ActionContext) -> None:
    """Forget the answers (the language stays): the user starts over."""
    session.answers.clear()
    session.history.clear()
    session.human = False
