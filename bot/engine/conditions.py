"""Conditions named in dialogs/*.yaml. Pure functions of the session."""

from __future__ import annotations

from bot.engine.registry import conditions
from bot.types import Session

LICENSED = {"bank", "credit_card", "consumer_finance"}
THIRD_PARTIES = {"family", "friends", "employer", "contact_list"}


def _has(session: Session, slot: str, *values: str) -> bool:
    chosen = session.answers.get(slot) or []
    return any(v in chosen for v in values)


@conditions.register("nfra_lender")
def nfra_lender(session: Session) -> bool:
    """Banks, credit cards and consumer-finance companies answer to NFRA (12378)."""
    return session.answers.get("lender_type") in LICENSED


@conditions.register("small_loan_lender")
def small_loan_lender(session: Session) -> bool:
    return session.answers.get("lender_type") == "small_loan"


@conditions.register("unlicensed_or_unknown")
def unlicensed_or_unknown(session: Session) -> bool:
    return session.answers.get("lender_type") in {"unlicensed", "unknown", None}


@conditions.register("third_parties_contacted")
def third_parties_contacted(session: Session) -> bool:
    return _has(session, "contacted", *THIRD_PARTIES)


@conditions.register("threatened")
def threatened(session: Session) -> bool:
    return _has(session, "methods", "violence_threats", "visits")


@conditions.register("fake_papers")
def fake_papers(session: Session) -> bool:
    return _has(session, "methods", "fake_legal")


@conditions.register("online_exposure")
def online_exposure(session: Session) -> bool:
    return _has(session, "methods", "doctored_photos", "group_chats", "published_debt")


@conditions.register("credit_card")
def credit_card(session: Session) -> bool:
    return session.answers.get("lender_type") == "credit_card"


@conditions.register("has_loan_figures")
def has_loan_figures(session: Session) -> bool:
    a = session.answers
    return bool(a.get("received_amount") and a.get("monthly_payment") and a.get("term_months"))


@conditions.register("has_budget")
def has_budget(session: Session) -> bool:
    return session.answers.get("income") is not None
