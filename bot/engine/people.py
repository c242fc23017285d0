"""Who the user is in the case (bot/tools/case.py): the conditions and action the flow needs."""

from __future__ import annotations

from bot.engine.registry import ActionContext, actions, conditions
from bot.tools import case
from bot.types import Session


@conditions.register("not_liable_role")
def not_liable_role(session: Session) -> bool:
    """A relative, friend, colleague or contact: owes nothing, may not be dunned (F049)."""
    return case.role(session.answers) in case.NOT_LIABLE


@conditions.register("family_guarantor")
def family_guarantor(session: Session) -> bool:
    return case.role(session.answers) == "guarantor"


@actions.register("become_borrower")
def become_borrower(session: Session, ctx: ActionContext) -> None:
    """The borrower takes over the conversation: their answers are in the borrower's voice."""
    session.answers.pop("family_role", None)
