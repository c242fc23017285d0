"""Reading a session's answers safely: the tools never trust their shape.

Answers come from a conversation (and from older sessions), so a value may be missing, a
string where a number was expected, or a list where one id was expected. Every tool reads
them through these helpers and gets either a clean value or None.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from bot.errors import BotError
from bot.types import Complaint, TimelineEntry

Text = Callable[..., str]  # text(key, **params) in the user's language
Answers = Mapping[str, Any]


def complaints(answers: Answers) -> list[Complaint]:
    """The complaints the user reported filing, oldest first (written by the follow-ups flow)."""
    found = answers.get("complaints")
    return [cast(Complaint, c) for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def timeline_entries(answers: Answers) -> list[TimelineEntry]:
    """The evidence files the user sent, in the order received (written when a file arrives)."""
    found = answers.get("evidence_timeline")
    return [cast(TimelineEntry, e) for e in found if isinstance(e, dict)] if isinstance(found, list) else []


LICENSED = frozenset({"bank", "credit_card", "consumer_finance", "small_loan"})
BANKING = frozenset({"bank", "credit_card", "consumer_finance"})  # NFRA's side (F004)
THIRD_PARTIES = frozenset({"family", "friends", "employer", "contact_list"})
EXPOSURE = frozenset({"doctored_photos", "group_chats", "published_debt"})

# Number shapes in free text that may be ID, bank-card or phone numbers; letters never repeat them.
# Dates ("2026-11-20 2026-11-21") do not match: their groups are 4-2-2.
_LONG_DIGITS = re.compile(
    r"\d{11,}[Xx]?"  # ID card (18, maybe ending in X), card or phone number written solid
    r"|\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?"  # bank card in groups of four
    r"|\d{6}[ -]\d{8}[ -]\d{3}[\dXx]"  # ID card as 6-8-4
    r"|1\d{2}[ -]\d{4}[ -]\d{4}"  # mobile as 3-4-4
)


class ToolInputError(BotError, ValueError):
    """Figures that cannot describe a real loan or budget (e.g. received more than the contract)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # a stable id, e.g. "received_above_contract"; text lives in locales


def money(answers: Answers, key: str) -> float | None:
    """A non-negative finite amount in yuan, or None."""
    return as_money(answers.get(key))


def as_money(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        cleaned = value.replace(",", "").replace("，", "").replace("元", "").strip()
        try:
            value = float(cleaned)
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        return None
    return number


def whole(answers: Answers, key: str) -> int | None:
    number = money(answers, key)
    if number is None or number != int(number):
        return None
    return int(number)


def loan_term(answers: Answers) -> tuple[int | None, int | None]:
    """(months, days): a term typed as "3个月" or "7天" (`loan_term`), or an older `term_months`."""
    term = answers.get("loan_term")
    if isinstance(term, dict):
        for unit in ("months", "days"):
            value = term.get(unit)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return (value, None) if unit == "months" else (None, value)
        return None, None
    months = whole(answers, "term_months")
    return months, None


def choices(answers: Answers, key: str) -> frozenset[str]:
    """The option ids of a multi-select (a lone string counts as one id)."""
    value = answers.get(key)
    if isinstance(value, str):
        return frozenset({value}) if value else frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def choice(answers: Answers, key: str) -> str | None:
    value = answers.get(key)
    return value if isinstance(value, str) and value else None


def lender_type(answers: Answers) -> str:
    kind = choice(answers, "lender_type")
    return kind if kind in LICENSED | {"unlicensed"} else "unknown"


def free_text(answers: Answers, key: str, text: Text) -> str | None:
    """User-typed text with long digit runs (possible ID/card numbers) masked, and Chinese
    punctuation restored (the typed text was NFKC-folded on the way in: "，" arrived as ",")."""
    value = answers.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    return chinese_punctuation(_LONG_DIGITS.sub(text("tools.common.masked_number"), value.strip()))


_CJK = re.compile(r"[\u3400-\u9fff]")
# ASCII marks NFKC made of full-width ones; a comma or colon between digits (1,000 or 10:30) stays
_FULL_WIDTH = (
    (re.compile(r"(?<!\d),|,(?!\d)"), "，"),
    (re.compile(r"(?<!\d):|:(?!\d)"), "："),
    (re.compile(r";"), "；"),
    (re.compile(r"\("), "（"),
    (re.compile(r"\)"), "）"),
    (re.compile(r"!"), "！"),
    (re.compile(r"\?"), "？"),
)


def chinese_punctuation(value: str) -> str:
    """Full-width punctuation in text that is Chinese; other text is left as it is."""
    if not _CJK.search(value):
        return value
    for pattern, mark in _FULL_WIDTH:
        value = pattern.sub(mark, value)
    return value


def yuan(amount: float) -> str:
    """12345.6 -> "12,345.60"; whole amounts without decimals."""
    if abs(amount - round(amount)) < 0.005:
        return f"{round(amount):,}"
    return f"{amount:,.2f}"


def percent(rate: float) -> str:
    """0.93108 -> "93.1%"."""
    return f"{rate * 100:.1f}%"
