"""One channel directory (dialogs/channels.yaml) for the escalation plan and the follow-up ladder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import content_dir
from bot.engine.flow import load_flow
from bot.errors import FlowError
from bot.tools.channel_directory import default_channel_directory, load_channel_directory
from bot.tools.ladder import default_ladder, due_for
from bot.tools.plan import build_plan, default_directory

NOW = 1_790_000_000.0  # 2026-09-21


def test_the_plan_and_the_ladder_read_the_same_entries() -> None:
    directory = default_channel_directory()
    for channel_id, channel in default_directory().items():
        assert directory.channels[channel_id] is channel
    for channel_id, channel in default_ladder().channels.items():
        assert directory.channels[channel_id] is channel
    assert default_ladder().checkin_days == directory.checkin_days


def test_the_police_agree_with_the_facts_everywhere() -> None:
    police = default_channel_directory().channels["police"]
    # F016: a receipt on reporting; 3 days to serve a refusal once decided (not a time to answer),
    # then 7 days to ask for reconsideration, decided within 30 days.
    assert police.days is None and "F016" in police.facts
    assert police.next == "police_review"
    review = default_channel_directory().channels["police_review"]
    assert (review.days, review.facts) == (30, ("F016",))
    assert due_for("police", date(2026, 9, 1), "unlicensed", NOW).kind == "checkin"


def test_legal_aids_seven_days_are_no_follow_up_date_in_either() -> None:
    steps = build_plan({"lender_type": "bank", "methods": ["calls"]}, date(2026, 9, 1))
    legal_aid = next(s for s in steps if s.channel_id == "legal_aid_12348")
    assert legal_aid.response_days == 7 and legal_aid.follow_up_on is None
    assert due_for("legal_aid_12348", date(2026, 9, 1), "bank", NOW).kind == "checkin"


def test_every_channel_a_user_can_report_is_a_rung_and_court_checks_are_not() -> None:
    flow = load_flow(content_dir("dialogs"))
    offered = {o.id for o in flow.state("fu_channel").options} - {"cancel"}
    assert offered == set(default_ladder().channels)
    assert "court_12368" in default_directory() and "court_12368" not in default_ladder().channels


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ("  - {id: a, days: null, next: b}\n", "unknown channel 'b'"),
        ("  - {id: a, days: null}\n  - {id: a, days: 3, facts: [F001]}\n", "listed twice"),
        ("  - {id: a, days: 15}\n", "a time limit is a number of days with its facts"),
        ("  - {id: a, days: null, tags: [threats]}\n", "incomplete"),
    ],
)
def test_a_broken_directory_fails_at_load_naming_the_file(tmp_path: Path, entries: str, problem: str) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("directory:\n" + entries, encoding="utf-8")
    with pytest.raises(FlowError, match=problem) as failure:
        load_channel_directory(path)
    assert str(path) in str(failure.value)
