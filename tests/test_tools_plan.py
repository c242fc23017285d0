"""The escalation plan: order by lender type and harassment, dates, fallbacks, the directory file."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
import yaml
from test_tools_locales import FACTS, ROOT, strict_text

from bot.errors import FlowError
from bot.tools.plan import build_plan, channel_ids, default_directory, load_directory, render_plan

TODAY = date(2026, 11, 23)
REFERENCE = FACTS.parent / "channels.yaml"


def test_bank_with_calls_goes_lender_then_nfra_then_12321_then_legal_aid_then_media() -> None:
    answers = {"lender_type": "bank", "methods": ["calls"], "contacted": ["me"]}
    assert channel_ids(answers) == [
        "lender_own_complaint",
        "nfra_12378",
        "isc_12321",
        "legal_aid_12348",
        "heimao_tousu",
    ]


def test_small_loan_goes_to_the_local_regulator_not_nfra() -> None:
    ids = channel_ids({"lender_type": "small_loan"})
    assert "local_financial_regulator" in ids and "nfra_12378" not in ids
    assert ids.index("lender_own_complaint") < ids.index("local_financial_regulator")


def test_unknown_lender_gets_both_regulators() -> None:
    ids = channel_ids({})
    assert ids[:3] == ["lender_own_complaint", "nfra_12378", "local_financial_regulator"]


def test_threats_put_the_police_first_and_illegal_lenders_skip_their_own_line() -> None:
    ids = channel_ids({"lender_type": "unlicensed", "methods": ["violence_threats"]})
    assert ids[0] == "police"
    assert "lender_own_complaint" not in ids and "heimao_tousu" not in ids
    assert "local_financial_regulator" in ids


@pytest.mark.parametrize(
    ("answers", "present", "absent"),
    [
        ({"methods": ["visits"]}, ["police"], []),
        ({"methods": ["calls"], "frequency": "daily"}, ["isc_12321"], ["police"]),
        ({"frequency": "nonstop"}, ["police", "isc_12321"], []),
        ({"methods": ["doctored_photos"]}, ["police", "cac_12377"], ["court_12368"]),
        ({"methods": ["fake_legal"]}, ["police", "court_12368"], ["cac_12377"]),
        ({"contacted": ["family"]}, ["isc_12321"], ["police"]),
    ],
)
def test_harassment_adds_its_channels(
    answers: dict[str, object], present: list[str], absent: list[str]
) -> None:
    ids = channel_ids({"lender_type": "bank", **answers})
    assert set(present) <= set(ids) and not set(absent) & set(ids)
    assert ids[-2:] == ["legal_aid_12348", "heimao_tousu"]  # legal aid, then media last


def test_dates_follow_the_fifteen_day_rule() -> None:
    steps = {s.channel_id: s for s in build_plan({"lender_type": "credit_card"}, TODAY)}
    lender, nfra = steps["lender_own_complaint"], steps["nfra_12378"]
    assert lender.response_days == 15 and lender.start_on == TODAY
    assert lender.follow_up_on == date(2026, 12, 8)
    assert nfra.start_on == date(2026, 12, 8) and nfra.follow_up_on == date(2026, 12, 23)
    assert steps["heimao_tousu"].start_on == date(2026, 12, 23)
    assert steps["heimao_tousu"].follow_up_on is None
    assert steps["legal_aid_12348"].response_days == 7
    assert steps["legal_aid_12348"].follow_up_on is None  # 7 days to decide on legal aid, not a reply


def test_a_small_loan_company_has_no_fixed_time() -> None:
    lender = build_plan({"lender_type": "small_loan"}, TODAY)[0]
    assert lender.response_days is None and lender.follow_up_on is None
    assert lender.response_key == "channels.common.no_fixed_time"


def test_no_dates_without_a_today() -> None:
    assert all(s.start_on is None and s.follow_up_on is None for s in build_plan({}))


def test_each_step_points_to_the_next_and_attaches_only_wanted_evidence() -> None:
    answers = {"lender_type": "bank", "methods": ["calls", "fake_legal"]}
    steps = build_plan(answers, TODAY)
    for step, following in itertools.pairwise(steps):
        assert step.next_channel_id == following.channel_id
    assert steps[-1].next_channel_id is None
    assert steps[-1].fallback_key == "tools.plan.fallback.last.f021"
    court = next(s for s in steps if s.channel_id == "court_12368")
    assert court.attach == ("fake_documents",)
    nfra = next(s for s in steps if s.channel_id == "nfra_12378")
    assert "posts" not in nfra.attach and "call_records" in nfra.attach


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_rendered_plan_names_channels_numbers_and_the_next_rung(lang: str) -> None:
    text = strict_text(lang)
    shown = render_plan(
        {"lender_type": "consumer_finance", "methods": ["calls"], "night": "yes"}, text, TODAY
    )
    assert "12378" in shown and "12321" in shown and "12348" in shown
    assert "2026-12-08" in shown
    assert text("channels.nfra_12378.name.f001_f003") in shown
    assert text("tools.plan.point.night_contact") in shown
    assert "110" not in shown  # no police rung for calls at night alone


def test_the_shipped_directory_matches_the_reference() -> None:
    directory = default_directory()
    assert len(directory) == 9
    if not REFERENCE.is_file():
        pytest.skip(f"{REFERENCE} is not beside this checkout")
    reference = {c["id"]: c for c in yaml.safe_load(REFERENCE.read_text("utf-8"))["channels"]}
    for channel in directory.values():
        assert channel.id in reference
        assert set(channel.tags) <= set(reference[channel.id]["for"])
        assert channel.facts and set(channel.facts) <= set(reference[channel.id]["fact_ids"])
        if channel.days is not None:
            assert str(channel.days) in reference[channel.id]["expected_response"]


def test_a_broken_directory_fails_at_load(tmp_path: Path) -> None:
    broken = tmp_path / "channels.yaml"
    broken.write_text("directory:\n  - id: police\n    tags: [threats]\n", encoding="utf-8")
    with pytest.raises(FlowError, match="incomplete"):
        load_directory(broken)
    partial = tmp_path / "partial.yaml"
    source = (ROOT / "dialogs" / "channels.yaml").read_text("utf-8")
    before, after = source.split("  - id: heimao_tousu")
    partial.write_text(before + after[after.index("\n\n") :], encoding="utf-8")
    with pytest.raises(FlowError, match="heimao_tousu"):
        load_directory(partial)
