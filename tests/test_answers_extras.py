"""Typed readers for what the answers carry besides plain answers: complaints and the timeline."""

from __future__ import annotations

from typing import Any

from bot.tools.answers import complaints, timeline_entries
from bot.types import TRANSIENT_KEYS, Complaint, TimelineEntry

COMPLAINT: Complaint = {
    "id": "c1",
    "channel": "nfra_12378",
    "filed": "2026-11-02",
    "ref": None,
    "at": 1.0,
    "due_at": 2.0,
    "due_date": "2026-11-17",
    "days": 15,
    "kind": "deadline",
    "status": "open",
    "asked": False,
    "overdue": False,
}
ENTRY: TimelineEntry = {
    "number": 1,
    "at": 1.0,
    "kind": "photo",
    "sha256": "ab" * 32,
    "size": 10,
    "description": "",
    "kept": False,
}


def test_readers_return_the_entries_and_skip_what_is_not_one() -> None:
    answers: dict[str, Any] = {"complaints": [COMPLAINT, "junk", 3], "evidence_timeline": [None, ENTRY]}
    assert complaints(answers) == [COMPLAINT]
    assert timeline_entries(answers) == [ENTRY]


def test_readers_of_a_missing_or_malformed_value_give_nothing() -> None:
    assert complaints({}) == [] and timeline_entries({}) == []
    assert complaints({"complaints": "c1"}) == [] and timeline_entries({"evidence_timeline": {"a": 1}}) == []


def test_transient_keys_are_the_sub_flows_half_entered_slots() -> None:
    assert "fu_new_channel" in TRANSIENT_KEYS and "ev_description" in TRANSIENT_KEYS
    assert not any(key in COMPLAINT or key in ENTRY for key in TRANSIENT_KEYS)
