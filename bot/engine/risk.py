"""How urgent a conversation is, for the operators' queue: crisis first, then danger."""

from __future__ import annotations

from bot.engine.conditions import third_parties_contacted, threatened
from bot.types import Session


def assess_risk(session: Session) -> int:
    answers = session.answers
    if "crisis_at" in answers:
        return 3
    if "danger_at" in answers or threatened(session):
        return 2
    if third_parties_contacted(session):
        return 1
    return 0
