"""A case is people and lenders: who the user is, and every lender with its own answers.

The flow fills one lender at a time into the flat answer slots (`lender_name`, `lender_type`,
the loan figures…): that is the lender being edited, number `lender_index`. The others wait in
`lenders`, a list of the same slots. Every tool that judges one loan reads a lender's *view*:
the case's shared answers (who was contacted, how) with that lender's own slots on top.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.tools.answers import Answers, choice, choices

# Slots that belong to one lender
LENDER_SLOTS = (
    "lender_name",
    "lender_type",
    "contract_amount",
    "received_amount",
    "monthly_payment",
    "loan_term",
    "term_months",
    "fees",
    "repaid_total",
    "due_date",
    "collection_fees",
    "lender_methods",
)
MAX_LENDERS = 8
ROLES = ("borrower", "relative", "contact", "guarantor", "spouse")
_ROLE_OF_FAMILY_ANSWER = {
    "contact_harassed": "contact",
    "relative_borrower": "relative",
    "spouse": "spouse",
    "guarantor": "guarantor",
}
NOT_LIABLE = frozenset({"relative", "contact"})  # owe nothing and may not be dunned at all (F049)


def role(answers: Answers) -> str:
    """borrower | relative (a relative, friend or colleague of the borrower) | contact (a
    contact-list victim) | guarantor | spouse."""
    family = choice(answers, "family_role")
    return _ROLE_OF_FAMILY_ANSWER.get(family or "", "borrower")


def is_borrower(answers: Answers) -> bool:
    return role(answers) == "borrower"


def lender_index(answers: Answers) -> int:
    value = answers.get("lender_index")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def buffer(answers: Answers) -> dict[str, Any]:
    """The lender being edited: its slots as they stand in the flat answers."""
    return {slot: answers[slot] for slot in LENDER_SLOTS if answers.get(slot) not in (None, "", [])}


def saved(answers: Answers) -> list[dict[str, Any]]:
    value = answers.get("lenders")
    if not isinstance(value, list):
        return []
    return [dict(entry) for entry in value if isinstance(entry, dict)]


def lenders(answers: Answers) -> list[dict[str, Any]]:
    """Every lender's own slots, the one being edited included, in the user's order."""
    stored = saved(answers)
    current = buffer(answers)
    index = lender_index(answers)
    if index < len(stored):
        stored[index] = current
    elif current:
        stored.append(current)
    return [entry for entry in stored if entry]


def lender_view(answers: Answers, lender: Mapping[str, Any]) -> dict[str, Any]:
    """The case's shared answers with one lender's slots on top; its own collectors' methods win."""
    view = {k: v for k, v in answers.items() if k not in LENDER_SLOTS and k != "lenders"}
    view.update(lender)
    if choices(lender, "lender_methods"):
        view["methods"] = list(choices(lender, "lender_methods"))
    return view


def lender_views(answers: Answers) -> list[dict[str, Any]]:
    """One view per lender; a case with no lender yet is judged as one unnamed lender."""
    return [lender_view(answers, entry) for entry in lenders(answers)] or [lender_view(answers, {})]


# How to check a lender's licence, by type: the official look-ups the facts give
_CHECK_KEYS = {
    **{k: f"tools.export.check.{k}.f004_f023" for k in ("bank", "credit_card", "consumer_finance")},
    "small_loan": "tools.export.check.small_loan.f008",
    "unlicensed": "tools.export.check.unlicensed.f057_f126",
    "unknown": "tools.export.check.unknown.f057_f126",
}


def check_key(kind: str) -> str:
    return _CHECK_KEYS.get(kind, _CHECK_KEYS["unknown"])


# -- a whole sentence naming several apps -----------------------------------------------------
_LEAD_IN = re.compile(
    r"^(?:我)?(?:一共|总共)?(?:欠了?|借了?|在)?\s*(?:[0-9一二两三四五六七八九十几]+\s*(?:个|家)\s*"
    r"(?:app|APP|App|平台|网贷|贷款|公司|软件)?)?\s*[:：]?\s*"
)
_SPLIT = re.compile(r"[,，、;；。\n/]|(?:还有|以及|另外|和|跟|and)")
_PREFIX = re.compile(
    r"^\s*(?:还有|另外|以及|第[一二三四五六七八九十\d]+个|一个|一家)?\s*"
    r"(?:是|叫做?|叫|名字叫|named|called|is)?\s*[:：]?\s*",
    re.I,
)


def split_names(text: str) -> list[str]:
    """Candidate lender names in a sentence like "我欠了3个app:一个是XX消费金融,一个叫闪电借"."""
    body = _LEAD_IN.sub("", text.strip(), count=1)
    body = re.split(r"[:：]", body, maxsplit=1)[-1]  # "…三个平台借了钱：A、B、C" → the list
    names: list[str] = []
    for part in _SPLIT.split(body):
        name = _PREFIX.sub("", part).strip(" \t\"'“”‘’「」《》()（）.。!！")
        if 1 < len(name) <= 30 and name not in names:
            names.append(name)
    return names if len(names) > 1 else [text.strip()]
