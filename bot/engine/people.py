"""Who the user is in the case (bot/tools/case.py): the conditions and action the flow needs."""

from __future__ import annotations

from bot.engine.registry import ActionContext, Text, actions, conditions, views
from bot.tools import case, letters
from bot.tools.answers import lender_type
from bot.tools.ladder import china_date
from bot.types import Session


@conditions.register("not_liable_role")
def not_liable_role(session: Session) -> bool:
    """A relative, friend, colleague or contact: owes nothing, may not be dunned (F049)."""
    return case.role(session.answers) in case.NOT_LIABLE


@conditions.register("borrower_role")
def borrower_role(session: Session) -> bool:
    """The user took the loan themselves (not a relative, guarantor or contact)."""
    return case.is_borrower(session.answers)


@conditions.register("family_guarantor")
def family_guarantor(session: Session) -> bool:
    """The user guaranteed someone else's loan."""
    return case.role(session.answers) == "guarantor"


@actions.register("stamp_since")
def stamp_since(session: Session, ctx: ActionContext) -> None:
    """The day "since when" was answered: "上个月" in a letter becomes a calendar month."""
    session.answers["since_on"] = china_date(ctx.now).isoformat()


@actions.register("become_borrower")
def become_borrower(session: Session, ctx: ActionContext) -> None:
    """The borrower takes over the conversation: their answers are in the borrower's voice."""
    session.answers.pop("family_role", None)


@views.register("letter_facts")
def letter_facts(session: Session, text: Text) -> str:
    """Every fact a document will state, as the user gave it, before anything is written."""
    answers = session.answers
    lines = [text("views.review.intro")]
    facts = letters.situation(answers, text)
    for view in case.lender_views(answers):
        if view.get("lender_name") or view.get("lender_type"):
            facts.append(
                text(
                    "tools.letter.fact.police_lender",
                    lender=letters.lender_label(view, text),
                    kind=text(f"tools.answer.lender_type.{lender_type(view)}"),
                )
            )
            if case.role(answers) not in case.NOT_LIABLE:
                facts += letters.loan_facts(view, text)
    lines += [f"{n}. {fact}" for n, fact in enumerate(facts, start=1)] or [text("views.review.none")]
    return "\n".join(lines)
