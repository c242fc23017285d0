"""The tools' texts: both languages complete, fact ids real, numbers traceable, no stale regulator.

Also home of `strict_text`, the text function the other tool tests use: it reads the real locale
files through bot.engine.i18n and fails on a missing key or a missing placeholder, so a test
that renders something also proves every key it touched exists in that language.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from needs import unavailable

from bot.engine.i18n import I18n, placeholders
from bot.tools import (
    affordability,
    calculator,
    export,
    letters,
    negotiation,
    plan,
    violations,
)
from bot.tools import evidence_checklist as evidence

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT.parent / "shared" / "reference" / "facts.md"
OURS = ("tools.", "channels.")
USED: set[str] = set()  # every key strict_text handed out, across this test session


@cache
def catalogs() -> I18n:
    return I18n.load(ROOT / "locales")


def strict_text(lang: str) -> Callable[..., str]:
    i18n = catalogs()

    def text(key: str, **params: Any) -> str:
        template = i18n.catalogs[lang].get(key)
        assert template is not None, f"{lang} has no key {key!r}"
        missing = placeholders(template) - set(params)
        assert not missing, f"{key!r} needs {sorted(missing)}"
        USED.add(key)
        return i18n.text(lang, key, **params)

    return text


def our_keys(lang: str) -> dict[str, str]:
    return {k: v for k, v in catalogs().catalogs[lang].items() if k.startswith(OURS)}


def fact_ids_in(key: str) -> list[str]:
    last = key.rsplit(".", 1)[-1]
    return [f"F{n}" for n in re.findall(r"f(\d{3})", last)] if re.fullmatch(r"(f\d{3}_?)+", last) else []


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    zh, en = our_keys("zh_CN"), our_keys("en")
    assert len(zh) > 250
    assert set(zh) == set(en)
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key
        assert zh[key].strip() and en[key].strip(), key
        list(string.Formatter().parse(zh[key]))  # no stray braces


def test_fact_suffixes_name_real_facts() -> None:
    if not FACTS.is_file():
        unavailable(f"{FACTS} is not beside this checkout")
    known = set(re.findall(r"^### (F\d{3})", FACTS.read_text(encoding="utf-8"), flags=re.M))
    cited = {f for key in our_keys("zh_CN") for f in fact_ids_in(key)}
    assert len(cited) >= 30
    assert cited <= known, sorted(cited - known)


def test_every_number_and_address_in_our_texts_appears_in_the_facts() -> None:
    if not FACTS.is_file():
        unavailable(f"{FACTS} is not beside this checkout")
    facts = FACTS.read_text(encoding="utf-8")
    for lang in ("zh_CN", "en"):
        for key, value in our_keys(lang).items():
            for phone in re.findall(r"\b(?:0\d{2}-)?\d{3}\d*(?:-\d+)*\b", value):
                if len(phone.replace("-", "")) >= 5:  # hotlines and phone numbers, not years
                    assert phone in facts, f"{lang}:{key}: {phone} is not in facts.md"
            for address in re.findall(r"[\w.-]+@[\w.-]+|www\.[\w.-]+\w", value):
                assert address in facts, f"{lang}:{key}: {address} is not in facts.md"


def test_the_old_regulator_is_only_named_as_gone() -> None:
    for key, value in our_keys("zh_CN").items():
        for match in re.finditer("银保监会", value):
            assert value[match.start() - 1] == "原" and "撤销" in value, key
    for key, value in our_keys("en").items():
        assert "CBIRC" not in value or "no longer exists" in value, key


def test_fact_bearing_keys_carry_their_ids_in_the_directory_too() -> None:
    directory = plan.default_directory()
    for channel in directory.values():
        for key in (channel.name_key, channel.contact_key, channel.response_key):
            assert key in our_keys("zh_CN"), key
            assert set(fact_ids_in(key)) <= set(channel.facts) | {"F114", "F130"}, key


# Answers that, between them, reach every branch that picks a text.
SCENARIOS: list[dict[str, Any]] = [
    {},
    {
        "contacted": ["me"],
        "methods": ["calls"],
        "frequency": "daily",
        "night": "no",
        "lender_type": "bank",
        "contract_amount": 12000,
        "received_amount": 12000,
        "monthly_payment": 1000,
        "term_months": 12,
        "income": 3000,
        "essentials": 3500,
    },
    {
        "contacted": ["me", "family", "friends", "employer", "contact_list"],
        "methods": [
            "calls",
            "sms",
            "im",
            "doctored_photos",
            "group_chats",
            "visits",
            "fake_legal",
            "violence_threats",
            "insults",
            "published_debt",
        ],
        "frequency": "nonstop",
        "night": "yes",
        "since": "2026-09",
        "lender_name": "某某借款",
        "lender_type": "unknown",
        "contract_amount": 10000,
        "received_amount": 7000,
        "monthly_payment": 1000,
        "term_months": 12,
        "fees": 200,
        "collection_fees": 300,
        "income": 6000,
        "essentials": 3000,
        "other_debts": 500,
        "repaid_total": 2000,
        "evidence_done": ["call_records"],
        "evidence_dates": {"call_records": "2026-11-20"},
    },
    {
        "lender_type": "credit_card",
        "contacted": ["family"],
        "frequency": "many_daily",
        "night": "unsure",
        "contract_amount": 200000,
        "monthly_payment": 1700,
        "term_months": 12,
        "income": 4000,
        "essentials": 2500,
    },
    {
        "lender_type": "small_loan",
        "methods": ["visits"],
        "frequency": "few_weekly",
        "contract_amount": 5000,
        "received_amount": 5000,
        "monthly_payment": 440,
        "term_months": 12,
        "income": 8000,
        "essentials": 2000,
        "repaid_total": 6000,
    },
    {
        "lender_type": "credit_card",
        "contract_amount": 20000,
        "monthly_payment": 1200,
        "term_months": 24,
        "income": 6000,
        "essentials": 4000,
    },
    {
        "lender_type": "small_loan",
        "contract_amount": 5000,
        "received_amount": 4500,
        "monthly_payment": 500,
        "term_months": 12,
    },
    {
        "lender_type": "unlicensed",
        "methods": ["violence_threats"],
        "contract_amount": 3000,
        "received_amount": 2000,
        "monthly_payment": 175,
        "term_months": 12,
        "income": 5000,
    },
    {"income": 3000, "essentials": 1000},
    {
        "lender_type": "consumer_finance",
        "contract_amount": 10000,
        "received_amount": 10000,
        "monthly_payment": 888.5,
        "term_months": 12,
    },
    # people other than the borrower, a short loan, several lenders
    {
        "family_role": "relative_borrower",
        "contacted": ["me", "employer"],
        "methods": ["calls"],
        "lender_type": "bank",
        "lender_name": "某银行",
    },
    {"family_role": "contact_harassed", "contacted": ["contact_list"], "methods": ["sms"]},
    {"family_role": "spouse", "contacted": ["me"], "methods": ["visits"], "lender_type": "small_loan"},
    {"family_role": "guarantor", "contacted": ["me"], "methods": ["calls"]},
    {"lender_type": "bank", "methods": ["visits", "insults"], "night": "yes"},
    {"since": "上个月15号", "since_on": "2026-11-20"},
    {"since": "上周", "since_on": "2026-11-20"},
    {"since": "三个月前", "since_on": "2026-11-20"},
    {"since": "疫情那年"},
    {
        "lender_type": "unlicensed",
        "methods": ["doctored_photos", "insults"],
        "lender_name": "闪电借",
        "contract_amount": 1000,
        "received_amount": 700,
        "monthly_payment": 1000,
        "loan_term": {"days": 7},
        "evidence_done": ["posts"],
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
            {"lender_name": "安心小贷", "lender_type": "small_loan"},
        ],
    },
]
INVALID = [
    {"contract_amount": 5000, "received_amount": 6000, "monthly_payment": 500, "term_months": 12},
    {"contract_amount": 5000, "monthly_payment": 500, "term_months": 0},
    {"contract_amount": 5000, "monthly_payment": 500, "term_months": 601},
    {"contract_amount": 0, "monthly_payment": 500, "term_months": 6},
    {"contract_amount": 5000, "monthly_payment": 0, "term_months": 6},
    {"contract_amount": 5000, "monthly_payment": 500, "term_months": 6, "fees": 5000},
    {"contract_amount": 1, "monthly_payment": 10_000_000, "term_months": 1},
]


def test_every_key_is_reached_by_some_case() -> None:
    """No dead text: between them the scenarios render every tools./channels. key."""
    for lang in ("zh_CN", "en"):
        text = strict_text(lang)
        for answers in SCENARIOS + INVALID:
            calculator.render_figures(answers, text)
            affordability.render_budget(answers, text)
            negotiation.render_options(answers, text)
            violations.render_assessment(answers, text)
            evidence.render_checklist(answers, text)
            evidence.render_progress(answers, text)
            plan.render_plan(answers, text, date(2026, 11, 23))
            for channel in letters.COMPLAINT_CHANNELS:
                letters.complaint_letter(answers, channel, text)
            letters.negotiation_letter(answers, text)
            letters.contacts_notice(answers, text)
            export.build_case_file(
                answers, lang, text, today=date(2026, 11, 23), official=strict_text("zh_CN")
            )
    for reason in ("not_a_number", "months_not_whole"):  # only reachable through LoanTerms
        strict_text("en")(f"tools.calc.invalid.{reason}")
    unused = set(our_keys("zh_CN")) - USED
    assert not unused, sorted(unused)
