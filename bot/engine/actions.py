"""Actions named in dialogs/*.yaml. They change the session's answers and nothing else."""

from __future__ import annotations

from bot.engine.i18n import LANGS
from bot.engine.registry import ActionContext, actions
from bot.types import Session

CRISIS_RISK = 3


@actions.register("mark_crisis")
def mark_crisis(session: Session, ctx: ActionContext) -> None:
    session.risk = CRISIS_RISK
    session.answers["crisis_at"] = ctx.now


@actions.register("mark_danger")
def mark_danger(session: Session, ctx: ActionContext) -> None:
    session.risk = max(session.risk, 2)
    session.answers["danger_at"] = ctx.now


@actions.register("request_human")
def request_human(session: Session, ctx: ActionContext) -> None:
    session.human = True


@actions.register("set_lang")
def set_lang(session: Session, ctx: ActionContext) -> None:
    if ctx.option_id in LANGS:
        session.lang = ctx.option_id


@actions.register("mark_evidence")
def mark_evidence(session: Session, ctx: ActionContext) -> None:
    """Toggle one evidence item (the option id) as saved, remembering when."""
    if ctx.option_id is None:
        return
    done: list[str] = session.answers.setdefault("evidence_done", [])
    dates: dict[str, float] = session.answers.setdefault("evidence_dates", {})
    if ctx.option_id in done:
        done.remove(ctx.option_id)
        dates.pop(ctx.option_id, None)
    else:
        done.append(ctx.option_id)
        dates[ctx.option_id] = ctx.now


@actions.register("restart")
def restart(session: Session, ctx: ActionContext) -> None:
    """Forget the answers (the language stays): the user starts over."""
    session.answers.clear()
    session.history.clear()
    session.human = False
