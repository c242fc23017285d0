"""Response times and next rungs of the complaint ladder (dialogs/followups.yaml, facts.md)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.tools.ladder import CHINA, default_ladder, due_for, next_rung

NOW = datetime(2026, 11, 17, 10, 0, tzinfo=CHINA).timestamp()  # a Tuesday


def ask_day(due_at: float) -> str:
    return datetime.fromtimestamp(due_at, CHINA).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("channel", "days", "until"),
    [
        ("police_review", 30, "2026-12-17"),  # F016: a reconsideration is decided within 30 days
        ("petition", 15, "2026-12-02"),  # F018
        ("credit_objection", 20, "2026-12-07"),  # F083
        ("pboc_credit", 30, "2026-12-17"),  # F084
        ("nfra_12378", 15, "2026-12-02"),  # F005
    ],
)
def test_fixed_times_come_from_the_facts(channel: str, days: int, until: str) -> None:
    due = due_for(channel, date(2026, 11, 17), "bank", NOW)
    assert (due.kind, due.days, due.due_date) == ("deadline", days, until)
    assert ask_day(due.due_at).endswith("09:00") and ask_day(due.due_at) > until  # the next morning


def test_12315_counts_working_days() -> None:
    due = due_for("market_12315", date(2026, 11, 20), None, NOW)  # a Friday
    assert due.due_date == "2026-12-01"  # 7 working days: Mon 23 … Tue 1 Dec


def test_the_lenders_15_days_bind_banks_only() -> None:
    assert due_for("lender_own_complaint", date(2026, 11, 17), "consumer_finance", NOW).kind == "deadline"
    small = due_for("lender_own_complaint", date(2026, 11, 17), "small_loan", NOW)
    assert (small.kind, small.days) == ("checkin", default_ladder().checkin_days)


@pytest.mark.parametrize("channel", ["isc_12321", "police", "legal_aid_12348"])
def test_channels_without_a_time_get_our_check_in(channel: str) -> None:
    # a police report has no answer time (F016's 3 days serve a refusal once decided), and
    # 12348's 7 days (F012) decide a legal-aid application, not a call
    due = due_for(channel, date(2026, 11, 1), None, NOW)
    assert due.kind == "checkin" and due.due_date == "2026-11-24"  # counted from today


def test_a_time_already_past_is_asked_about_an_hour_later() -> None:
    due = due_for("nfra_12378", date(2026, 10, 1), None, NOW)
    assert due.due_date == "2026-10-16" and due.due_at == NOW + 3600


def test_next_rung_follows_the_users_plan_and_skips_channels_already_tried() -> None:
    plan = ["lender_own_complaint", "nfra_12378", "police", "legal_aid_12348"]
    assert next_rung("lender_own_complaint", plan, set()) == "nfra_12378"
    assert next_rung("lender_own_complaint", plan, {"nfra_12378"}) == "police"
    # after the police: reconsideration of a refusal, then a petition, before the rest of the plan
    assert next_rung("police", plan, {"police"}) == "police_review"
    assert next_rung("police_review", plan, {"police", "police_review"}) == "petition"
    assert next_rung("credit_objection", plan, set()) == "pboc_credit"  # off the plan: its own next
    assert next_rung("legal_aid_12348", plan, set(plan)) is None


def test_every_fixed_time_names_its_facts() -> None:
    for channel in default_ladder().channels.values():
        assert channel.days is None or channel.facts
