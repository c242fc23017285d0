"""Likely violations from the answers, with citations tailored to the lender."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from test_tools_locales import fact_ids_in, strict_text

from bot.tools.violations import assess, render_assessment


def ids(answers: Mapping[str, object]) -> list[str]:
    return [f.id for f in assess(answers).likely]


def facts(answers: Mapping[str, object], finding_id: str) -> set[str]:
    return set(next(f for f in assess(answers).likely if f.id == finding_id).fact_ids)


def test_nothing_answered_means_nothing_claimed() -> None:
    result = assess({})
    assert result.likely == () and result.allowed == ()


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"night": "yes"}, ["night_contact"]),
        ({"night": "unsure"}, []),
        ({"frequency": "many_daily"}, ["too_many_calls"]),
        ({"frequency": "nonstop"}, ["too_many_calls"]),
        ({"frequency": "daily"}, []),
        ({"contacted": ["me"]}, []),
        ({"contacted": ["employer"]}, ["third_parties"]),
        ({"contacted": ["contact_list"]}, ["third_parties", "contact_list"]),
        ({"methods": ["violence_threats"]}, ["threats"]),
        ({"methods": ["insults"]}, ["insults"]),
        ({"methods": ["group_chats"]}, ["exposure"]),
        ({"methods": ["doctored_photos", "published_debt"]}, ["exposure"]),
        ({"methods": ["fake_legal"]}, ["fake_legal"]),
        ({"methods": ["visits"]}, []),
        ({"methods": ["visits"], "night": "yes"}, ["night_contact"]),
        # the night-visit rule is the banking association's: only its members are bound
        ({"methods": ["visits"], "night": "yes", "lender_type": "bank"}, ["night_contact", "night_visit"]),
        ({"collection_fees": 200}, ["collection_fees"]),
        ({"methods": "insults"}, ["insults"]),  # a lone id instead of a list
        ({"methods": 42, "contacted": None}, []),  # junk is ignored, not a crash
    ],
)
def test_each_answer_maps_to_its_finding(answers: dict[str, object], expected: list[str]) -> None:
    assert ids(answers) == expected


def test_third_party_citations_follow_the_lender_type() -> None:
    card = facts({"contacted": ["family"], "lender_type": "credit_card"}, "third_parties")
    assert {"F042", "F021", "F049", "F051"} <= card and "F052" not in card
    small = facts({"contacted": ["family"], "lender_type": "small_loan"}, "third_parties")
    assert {"F042", "F021", "F052"} <= small and not {"F049", "F051"} & small
    # neither the banking guideline nor the recommended standard binds an unlicensed lender
    unlicensed = facts({"contacted": ["family"], "lender_type": "unlicensed"}, "third_parties")
    assert unlicensed == {"F021"}


def test_visits_bring_the_door_advice_and_the_banks_rule_only_for_banks() -> None:
    result = assess({"methods": ["visits"]})
    assert [a.id for a in result.allowed] == ["visits"]
    assert result.allowed[0].fact_ids == ("F039",)
    bank = assess({"methods": ["visits"], "lender_type": "consumer_finance"})
    assert bank.allowed[0].fact_ids == ("F050", "F039")


def test_a_non_borrower_is_told_they_may_not_be_dunned_at_all() -> None:
    mother = {
        "family_role": "relative_borrower",
        "contacted": ["me", "employer"],
        "lender_type": "consumer_finance",
    }
    assert ids(mother)[0] == "dunned_non_borrower"
    assert "third_parties" not in ids(mother)  # their findings are theirs, not the borrower's
    assert {"F049", "F042", "F021"} <= facts(mother, "dunned_non_borrower")
    assert assess(mother).allowed == ()  # no "contacting the debtor is allowed" for her
    guarantor = {"family_role": "guarantor", "contacted": ["me"], "methods": ["calls"]}
    assert "dunned_non_borrower" not in ids(guarantor)


def test_collecting_an_illegal_debt_names_293_1_beyond_the_threats_box() -> None:
    head_cut = {"lender_type": "unlicensed", "methods": ["doctored_photos", "insults"]}
    assert "illegal_debt_collection" in ids(head_cut)
    assert facts(head_cut, "illegal_debt_collection") == {"F035"}
    licensed = {"lender_type": "consumer_finance", "methods": ["doctored_photos"]}
    assert "illegal_debt_collection" not in ids(licensed)


def test_loan_findings_follow_the_lender_type() -> None:
    loan = {"contract_amount": 10_000, "received_amount": 7_000, "monthly_payment": 1_000, "term_months": 12}
    assert ids({**loan, "lender_type": "bank"}) == ["head_cut", "rate_licensed_24"]
    assert ids({**loan, "lender_type": "unlicensed"}) == ["head_cut", "rate_four_lpr", "rate_criminal_36"]
    fair = {
        "contract_amount": 10_000,
        "received_amount": 10_000,
        "monthly_payment": 870,
        "term_months": 12,
        "lender_type": "bank",
    }  # ~8.5% a year
    assert ids(fair) == []
    assert ids({**loan, "received_amount": 20_000}) == []  # contradictory figures: no claim
    card = {
        "lender_type": "credit_card",
        "contract_amount": 20_000,
        "monthly_payment": 1_200,
        "term_months": 24,
    }  # ~38% a year: a court may cut it, but no rule is broken (F072)
    assert ids(card) == []
    small = assess({**loan, "lender_type": "small_loan"}).likely
    assert [(f.id, f.fact_ids) for f in small] == [("head_cut", ("F068",)), ("rate_small_loan_24", ("F066",))]


def test_the_sentence_only_states_facts_it_cites() -> None:
    everything = {
        "contacted": ["family", "contact_list"],
        "night": "yes",
        "frequency": "nonstop",
        "methods": ["visits", "fake_legal", "violence_threats", "insults", "group_chats"],
        "collection_fees": 1,
        "lender_type": "unknown",
        "contract_amount": 10_000,
        "received_amount": 7_000,
        "monthly_payment": 1_000,
        "term_months": 12,
    }
    result = assess(everything)
    assert len(result.likely) == 14
    for finding in result.likely + result.allowed:
        assert set(fact_ids_in(finding.text_key)) <= set(finding.fact_ids), finding


@pytest.mark.parametrize(("lang", "hedge"), [("zh_CN", "很可能"), ("en", "likely")])
def test_rendered_findings_hedge_and_cite(lang: str, hedge: str) -> None:
    shown = render_assessment(
        {"night": "yes", "contacted": ["friends"], "lender_type": "bank", "methods": ["visits"]},
        strict_text(lang),
    )
    assert hedge in shown
    assert "GB/T 45251-2025" in shown
    assert re.search("推荐性|recommended", shown) and re.search("自律|self-regulation", shown)
    assert not re.search(r"F\d{3}", shown)
    none = render_assessment({}, strict_text(lang))
    assert "GB/T" not in none


def test_nonstop_calls_for_an_unlicensed_lender_are_harassment_under_293_1() -> None:
    assert "illegal_debt_collection" in ids({"lender_type": "unlicensed", "frequency": "nonstop"})
    assert "illegal_debt_collection" not in ids({"lender_type": "unlicensed", "frequency": "daily"})
