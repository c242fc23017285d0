"""Views (computed text) of dialogs/followups.yaml. Pure functions of the session's answers.

Keys starting with `_move` in the answers are put there for one render by the store's effect
handlers (bot/followups/effects.py) and are never saved. The evidence timeline is
`answers["evidence_timeline"]`, written by bot/followups/evidence.py when a file arrives.
"""

from __future__ import annotations

from datetime import datetime

from bot.engine.followups.dialog import current, next_channel, open_complaints
from bot.engine.registry import Text, views
from bot.tools.answers import timeline_entries
from bot.tools.ladder import CHINA
from bot.types import Complaint, Session, TimelineEntry


def channel_name(channel_id: str, text: Text) -> str:
    return text(f"followups.name.{channel_id}")


def _ref(complaint: Complaint, text: Text) -> str:
    return text("followups.ref", ref=complaint["ref"]) if complaint.get("ref") else ""


def _promise(complaint: Complaint, text: Text) -> str:
    if complaint["kind"] == "deadline":
        return text(f"followups.promise.{complaint['channel']}")
    return text("followups.checkin_promise", days=complaint["days"])


def _when(complaint: Complaint, text: Text) -> str:
    if complaint.get("asked"):
        return text("followups.asked_already")  # no further reminder until the user answers
    key = "followups.ask_on" if complaint["kind"] == "deadline" else "followups.checkin_on"
    return text(key, date=complaint["due_date"])


def _delivery(session: Session, text: Text) -> str:
    channel = session.user_key.split(":", 1)[0]
    return text(f"followups.deliver.{channel if channel in ('telegram', 'wechat') else 'other'}")


@views.register("followup_recorded")
def followup_recorded(session: Session, text: Text) -> str:
    """Confirms the complaint just recorded and when the reminder comes."""
    complaint = current(session)
    if complaint is None:
        return text("followups.nothing_recorded")
    lines = [
        text(
            "followups.recorded",
            name=channel_name(complaint["channel"], text),
            filed=complaint["filed"],
            ref=_ref(complaint, text),
        ),
        _promise(complaint, text),
    ]
    if complaint.get("overdue"):
        lines.append(text("followups.already_passed", date=complaint["due_date"]))
    lines += [_when(complaint, text), _delivery(session, text)]
    return "\n".join(lines)


@views.register("followup_list")
def followup_list(session: Session, text: Text) -> str:
    """The open complaints, numbered, each with its channel, date and next reminder."""
    listed = open_complaints(session)
    if not listed:
        return text("followups.list_empty")
    lines = [text("followups.list_title")]
    for number, c in enumerate(listed, start=1):
        lines.append(
            text(
                "followups.list_item",
                number=number,
                name=channel_name(c["channel"], text),
                filed=c["filed"],
                ref=_ref(c, text),
                when=_when(c, text),
            )
        )
    return "\n".join(lines)


@views.register("followup_cancelled")
def followup_cancelled(session: Session, text: Text) -> str:
    """How many reminders were cancelled."""
    count = session.answers.get("fu_cancelled_count") or 0
    return text("followups.cancelled", count=count) if count else text("followups.cancel_none")


@views.register("followup_question")
def followup_question(session: Session, text: Text) -> str:
    """Asks how the current complaint went, offering the next rung."""
    complaint = current(session)
    if complaint is None or complaint["status"] != "open":
        return text("followups.question_none")
    lines = [
        text(
            "followups.question",
            name=channel_name(complaint["channel"], text),
            filed=complaint["filed"],
            ref=_ref(complaint, text),
        ),
        _promise(complaint, text),
    ]
    following = next_channel(session, complaint)
    if following is not None:  # the next rung, offered up front: its letter is one tap away
        lines.append(text("followups.question_next", name=channel_name(following, text)))
    return "\n".join(lines)


@views.register("followup_snoozed")
def followup_snoozed(session: Session, text: Text) -> str:
    """When the snoozed complaint will be asked about again."""
    complaint = current(session)
    if complaint is None:
        return text("followups.question_none")
    return "\n".join([_when(complaint, text), _delivery(session, text)])


@views.register("followup_next_rung")
def followup_next_rung(session: Session, text: Text) -> str:
    """The next channel to try, how to reach it, and a letter for it when there is one."""
    from bot.tools.letters import COMPLAINT_CHANNELS, complaint_letter
    from bot.tools.plan import default_directory

    complaint = current(session)
    if complaint is None:
        return text("followups.question_none")
    following = next_channel(session, complaint)
    if following is None:
        return text("followups.last_rung")
    directory = default_directory()
    contact = (
        text(directory[following].contact_key)
        if following in directory
        else text(f"followups.contact.{following}")
    )
    lines = [text("followups.next_rung", name=channel_name(following, text)), contact]
    if following in COMPLAINT_CHANNELS:
        earlier = text(
            "followups.letter_earlier",
            name=channel_name(complaint["channel"], text),
            filed=complaint["filed"],
            ref=_ref(complaint, text),
        )
        lines += [
            "",
            text("followups.letter_intro"),
            "",
            earlier,
            complaint_letter(session.answers, following, text),
        ]
    lines += ["", text("followups.after_filing")]
    return "\n".join(lines)


# -- /move -------------------------------------------------------------------------------------
@views.register("move_code")
def move_code(session: Session, text: Text) -> str:
    """The code to continue this case in another app (hidden in transcripts)."""
    code = session.answers.get("_move_code")
    if code:
        return text("followups.move.code", code=code, minutes=session.answers.get("_move_minutes", 10))
    if session.answers.get("_move_limited"):
        return text("followups.move.too_many")
    return text("followups.move.code_hidden")  # what the transcript keeps: never the code itself


@views.register("move_redeem")
def move_redeem(session: Session, text: Text) -> str:
    """The result of typing a move code: checking, invalid or too many tries."""
    if session.answers.get("_move_limited"):
        return text("followups.move.attempts_limited")
    if session.answers.get("_move_invalid"):
        return text("followups.move.invalid")
    return text("followups.move.checking")  # what the transcript keeps; the store answers


# -- the evidence timeline -------------------------------------------------------------------------
def _clock(at: float) -> str:
    return datetime.fromtimestamp(at, CHINA).strftime("%Y-%m-%d %H:%M")


def timeline_line(row: TimelineEntry, text: Text) -> str:
    description = row.get("description") or text("followups.evidence.no_description")
    return text(
        "followups.evidence.line",
        number=row["number"],
        at=_clock(row["at"]),
        kind=text(f"followups.evidence.kind.{row['kind']}"),
        description=description,
        sha256=row["sha256"],
        size=row["size"],
    )


@views.register("evidence_timeline")
def evidence_timeline(session: Session, text: Text) -> str:
    """Every evidence file received, dated, with fingerprints and whether copies are kept."""
    rows = timeline_entries(session.answers)
    keep = session.answers.get("evidence_keep")
    kept = "followups.evidence.kept" if keep else "followups.evidence.not_kept"
    if not rows:
        return "\n".join([text("followups.evidence.empty"), text(kept)])
    lines = [text("followups.evidence.title")] + [timeline_line(r, text) for r in rows]
    return "\n".join([*lines, text("followups.evidence.hash_note"), text(kept)])


@views.register("evidence_received")
def evidence_received(session: Session, text: Text) -> str:
    """Confirms the last evidence file received, with its fingerprint."""
    rows = timeline_entries(session.answers)
    if not rows:
        return text("followups.evidence.send_hint")
    return "\n".join([text("followups.evidence.received"), timeline_line(rows[-1], text)])


@views.register("evidence_described")
def evidence_described(session: Session, text: Text) -> str:
    """Whether the description the user typed was added to the evidence timeline."""
    described = session.answers.get("ev_last_described")
    return text("followups.evidence.described" if described else "followups.evidence.send_hint")
