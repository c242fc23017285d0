"""Every fact a letter states traces to an answer the user gave: nothing is invented.

For each letter and each numbered line in its facts section, taking away one answer makes that
line go (so the line rests on it), every number in it is one the user gave (or the yearly rate
and head-cut computed from them), and a case with no answers states no facts at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from test_tools_locales import strict_text

from bot.tools import case, letters

Text = Callable[..., str]
STORIES: list[dict[str, Any]] = [
    {
        "contacted": ["me", "family", "contact_list"],
        "methods": ["calls", "doctored_photos", "insults"],
        "frequency": "many_daily",
        "night": "yes",
        "since": "2026年10月，每天早上七点就打",
        "lender_name": "闪电借",
        "lender_type": "unlicensed",
        "contract_amount": 1000,
        "received_amount": 700,
        "monthly_payment": 1000,
        "loan_term": {"days": 7},
    },
    {
        "family_role": "relative_borrower",
        "contacted": ["me", "employer"],
        "methods": ["calls", "visits"],
        "frequency": "daily",
        "night": "no",
        "lender_name": "XX消费金融",
        "lender_type": "consumer_finance",
    },
    {
        "family_role": "guarantor",
        "contacted": ["me"],
        "methods": ["insults"],
        "frequency": "daily",
        "lender_name": "安心小贷",
        "lender_type": "small_loan",
        "contract_amount": 5000,
        "monthly_payment": 500,
        "term_months": 12,
    },
    {
        "contacted": ["me", "family"],
        "methods": ["calls"],
        "lender_name": "XX消费金融",
        "lender_type": "consumer_finance",
        "lender_index": 0,
        "lenders": [
            {"lender_name": "XX消费金融"},
            {"lender_name": "闪电借", "lender_type": "unlicensed", "lender_methods": ["violence_threats"]},
        ],
    },
]
LETTERS: dict[str, Callable[[dict[str, Any], Text], str]] = {
    "complaint": lambda a, t: letters.complaint_letter(case.lender_views(a)[0], "nfra_12378", t),
    "regulator": lambda a, t: letters.complaint_letter(
        case.lender_views(a)[0], "local_financial_regulator", t
    ),
    "police": letters.police_report,
}


def fact_lines(letter: str, text: Text) -> list[str]:
    """The numbered lines between the facts heading and the next heading."""
    body = letter.split(text("tools.letter.heading.facts"), 1)[1].split("\n\n", 1)[0]
    return [line.split(". ", 1)[1] for line in body.splitlines() if ". " in line]


def without(answers: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if k != key}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("kind", sorted(LETTERS))
@pytest.mark.parametrize("answers", STORIES, ids=range(len(STORIES)))
def test_every_fact_line_rests_on_an_answer(answers: dict[str, Any], kind: str, lang: str) -> None:
    text = strict_text(lang)
    write = LETTERS[kind]
    full = fact_lines(write(answers, text), text)
    assert full, "a story with answers states its facts"
    for line in full:
        resting_on = [k for k in answers if line not in fact_lines(write(without(answers, k), text), text)]
        assert resting_on, f"{line!r} rests on no answer"
    given = numbers_in(answers)
    if answers.get("night") == "yes":
        given |= {"10", "8"}  # the question they answered "yes" to named these hours
    if "contract_amount" in answers and "received_amount" in answers:  # the head-cut, computed
        given.add(str(int(answers["contract_amount"] - answers["received_amount"])))
    for line in full:
        # every number is one the user gave, or the yearly rate computed from them
        invented = [
            n
            for n in re.findall(r"\d[\d,.]*\d|\d", line)
            if n.replace(",", "") not in given and not line.count(f"{n}%")
        ]
        assert not invented, (line, invented)


def numbers_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(numbers_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(numbers_in(v) for v in value)) if value else set()
    if isinstance(value, bool):
        return set()
    if isinstance(value, int | float):
        return {str(int(value)) if value == int(value) else str(value)}
    if isinstance(value, str):
        return set(re.findall(r"\d+", value))
    return set()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_no_answers_no_facts(lang: str) -> None:
    text = strict_text(lang)
    for write in LETTERS.values():
        assert fact_lines(write({}, text), text) == []


def test_the_users_own_words_are_kept_and_nothing_is_added() -> None:
    text = strict_text("zh_CN")
    story = STORIES[0]
    police = letters.police_report(story, text)
    assert "2026年10月，每天早上七点就打" in police  # their words, as typed
    # they chose "family" and "visits" nowhere: no disclosure or night visit is claimed
    for invented in ("透露", "夜间上门", "以上情况属实", "上门"):
        assert invented not in police.split(text("tools.letter.heading.offences"))[0], invented
