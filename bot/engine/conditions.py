"""Conditions named in dialogs/*.yaml. Pure functions of the session."""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.registry import conditions
from bot.tools import case, plan
from bot.tools import evidence_checklist as evidence
from bot.tools.answers import BANKING, EXPOSURE, THIRD_PARTIES, loan_term
from bot.types import Session


def _has(session: Session, slot: str, *values: str) -> bool:
    chosen = session.answers.get(slot) or []
    return any(v in chosen for v in values)


@conditions.register("nfra_lender")
def nfra_lender(session: Session) -> bool:
    """Banks, credit cards and consumer-finance companies answer to NFRA (12378)."""
    return session.answers.get("lender_type") in BANKING


@conditions.register("small_loan_lender")
def small_loan_lender(session: Session) -> bool:
    """The lender is a licensed small-loan company."""
    return session.answers.get("lender_type") == "small_loan"


@conditions.register("unlicensed_or_unknown")
def unlicensed_or_unknown(session: Session) -> bool:
    """The lender is unlicensed, or its kind is not known."""
    return session.answers.get("lender_type") in {"unlicensed", "unknown", None}


@conditions.register("unlicensed_lender")
def unlicensed_lender(session: Session) -> bool:
    """Any of the case's lenders is unlicensed."""
    return any(lender.get("lender_type") == "unlicensed" for lender in case.lenders(session.answers))


@conditions.register("lender_type_unknown")
def lender_type_unknown(session: Session) -> bool:
    """The user does not know (or has not said) what kind of lender it is."""
    return session.answers.get("lender_type") in {"unknown", None}


@conditions.register("third_parties_contacted")
def third_parties_contacted(session: Session) -> bool:
    """Family, friends, the employer or the contact list were contacted."""
    return _has(session, "contacted", *THIRD_PARTIES)


@conditions.register("threatened")
def threatened(session: Session) -> bool:
    """Threats of violence or visits to the home or workplace."""
    return _has(session, "methods", "violence_threats", "visits")


@conditions.register("fake_papers")
def fake_papers(session: Session) -> bool:
    """The collectors sent papers that look like court, police or lawyer notices."""
    return _has(session, "methods", "fake_legal")


@conditions.register("online_exposure")
def online_exposure(session: Session) -> bool:
    """Doctored photos, group chats or the debt posted online."""
    return _has(session, "methods", *EXPOSURE)


@conditions.register("credit_card")
def credit_card(session: Session) -> bool:
    """The lender is a credit-card issuer."""
    return session.answers.get("lender_type") == "credit_card"


@conditions.register("family_spouse")
def family_spouse(session: Session) -> bool:
    """The user is the borrower's husband or wife."""
    return session.answers.get("family_role") == "spouse"


@conditions.register("calc_from_negotiation")
def calc_from_negotiation(session: Session) -> bool:
    """The loan figures were opened from the negotiation stage: offer the way back there."""
    return session.answers.get("calc_return") == "negotiation"


@conditions.register("has_loan_figures")
def has_loan_figures(session: Session) -> bool:
    """Amount, monthly payment and term are known: the calculator can run."""
    a = session.answers
    has_amount = a.get("received_amount") or a.get("contract_amount")
    return bool(has_amount and a.get("monthly_payment") and any(loan_term(a)))


@conditions.register("has_budget")
def has_budget(session: Session) -> bool:
    """The user has given their monthly income."""
    return session.answers.get("income") is not None


# -- evidence: which items this case needs, and the one the user opened ------------------------
def _wants(item_id: str) -> Callable[[Session], bool]:
    def wanted(session: Session) -> bool:
        return any(item.id == item_id for item in evidence.checklist(session.answers))

    wanted.__doc__ = f"This case's evidence checklist includes {item_id!r}."
    return wanted


for _item_id in evidence.ITEM_IDS:
    conditions.register(f"wants_{_item_id}")(_wants(_item_id))


@conditions.register("picked_done")
def picked_done(session: Session) -> bool:
    """The evidence item the user opened is already marked as collected."""
    return session.answers.get("evidence_item") in (session.answers.get("evidence_done") or [])


# -- the escalation plan, one step at a time ----------------------------------------------------
def plan_length(session: Session) -> int:
    return len(plan.undated_plan(session.answers))


def plan_index(session: Session) -> int:
    value = session.answers.get("plan_step")
    return value if isinstance(value, int) and value >= 0 else 0


@conditions.register("plan_has_next")
def plan_has_next(session: Session) -> bool:
    """The escalation plan has a step after the one shown."""
    return plan_index(session) + 1 < plan_length(session)


@conditions.register("plan_has_prev")
def plan_has_prev(session: Session) -> bool:
    """The escalation plan has a step before the one shown."""
    return plan_index(session) > 0
