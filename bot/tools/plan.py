"""The escalation plan: which channels, in which order, what to say and attach, when to move on.

Order (our guidance, each rung backed by facts): the lender's own complaint line (F005, F006) →
the regulator that supervises this kind of lender (NFRA 12378 for banks and consumer finance,
F003/F004; the local financial regulator for small-loan companies and illegal lenders, F008) →
police for threats, visits, exposure and illegal lenders (F016, F031, F035) → 12321 for calls and
texts (F009) / 12377 for posts and privacy (F010) → 12368 to check court papers (F013) → legal
aid 12348 (F011, F012) → media complaint sites last (F020, F130). When the user reports threats
of violence, the police come first: safety before paperwork.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from bot.errors import FlowError
from bot.tools import case
from bot.tools.answers import BANKING, EXPOSURE, LICENSED, THIRD_PARTIES, Answers, Text, choice, choices
from bot.tools.answers import lender_type as read_lender_type
from bot.tools.channel_directory import Channel, default_channel_directory, load_channel_directory
from bot.tools.evidence_checklist import checklist
from bot.tools.memo import by_answers
from bot.tools.violations import assess

Directory = dict[str, Channel]

# What a complaint about the lender's conduct and the loan attaches (the lender itself and its
# regulators all read the same file)
_CONDUCT_AND_LOAN = (
    "call_records",
    "messages",
    "contact_statements",
    "posts",
    "loan_contract",
    "money_received",
    "repayment_records",
    "timeline",
)
# Evidence each channel wants to see, in the order it matters to that channel
_ATTACH: dict[str, tuple[str, ...]] = {
    "lender_own_complaint": _CONDUCT_AND_LOAN,
    "nfra_12378": _CONDUCT_AND_LOAN,
    "local_financial_regulator": _CONDUCT_AND_LOAN,
    "police": (
        "visit_media",
        "call_records",
        "messages",
        "posts",
        "fake_documents",
        "contact_statements",
        "timeline",
    ),
    "isc_12321": ("call_records", "messages"),
    "cac_12377": ("posts",),
    "court_12368": ("fake_documents",),
    "legal_aid_12348": ("loan_contract", "repayment_records", "fake_documents", "timeline"),
    "heimao_tousu": ("loan_contract", "repayment_records"),
}


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    channel_id: str
    name_key: str
    contact_key: str
    script_key: str
    points: tuple[str, ...]  # locale keys of what happened, for the script
    attach: tuple[str, ...]  # evidence item ids
    response_days: int | None
    response_key: str
    start_on: date | None
    follow_up_on: date | None  # start_on + response_days
    fallback_key: str
    next_channel_id: str | None
    fact_ids: tuple[str, ...]


def point_key(finding_id: str) -> str:
    """The first-person line that tells a channel what happened, for a finding id."""
    return "tools.plan.point.rate" if finding_id.startswith("rate_") else f"tools.plan.point.{finding_id}"


def load_directory(path: Path) -> Directory:
    """The channels the plan may suggest, from the channel directory file."""
    directory = load_channel_directory(path).planned()
    missing = set(_ATTACH) - set(directory)
    if missing:
        raise FlowError(f"{path}: the plan needs channels {sorted(missing)}")
    return directory


@lru_cache(maxsize=1)
def default_directory() -> Directory:
    return default_channel_directory().planned()


# The rungs' order when several lenders each bring their own (see the module docstring)
_ORDER = (
    "lender_own_complaint",
    "nfra_12378",
    "local_financial_regulator",
    "police",
    "isc_12321",
    "cac_12377",
    "court_12368",
    "legal_aid_12348",
    "heimao_tousu",
)


def directory_name(channel_id: str) -> str:
    return default_directory()[channel_id].name_key


def channel_ids(answers: Answers) -> list[str]:
    """The rungs for the whole case, in order: every lender's rungs, each channel once."""
    per_lender = [_lender_channel_ids(view) for view in case.lender_views(answers)]
    wanted = {c for ids_of_one in per_lender for c in ids_of_one}
    threatened = any(ids_of_one[:1] == ["police"] for ids_of_one in per_lender)
    ids = [c for c in _ORDER if c in wanted]
    if threatened:  # threats of violence anywhere: safety before paperwork
        ids = ["police", *(c for c in ids if c != "police")]
    if "court_12368" in ids:  # a fake court paper: check it and call 110 before anything else
        ids = ["court_12368", "police", *(c for c in ids if c not in ("court_12368", "police"))]
    return ids


def _lender_channel_ids(answers: Answers) -> list[str]:
    kind = read_lender_type(answers)
    methods = choices(answers, "methods")
    contacted = choices(answers, "contacted")
    frequency = choice(answers, "frequency")
    police_reasons = methods & ({"violence_threats", "visits", "fake_legal", "insults"} | EXPOSURE)
    wants_police = bool(police_reasons) or kind == "unlicensed" or frequency == "nonstop"
    ids: list[str] = []
    if "violence_threats" in methods:
        ids.append("police")
    if kind != "unlicensed":
        ids.append("lender_own_complaint")
    if kind in BANKING or kind == "unknown":
        ids.append("nfra_12378")
    if kind in ("small_loan", "unlicensed", "unknown"):
        ids.append("local_financial_regulator")
    if wants_police and "police" not in ids:
        ids.append("police")
    if methods & {"calls", "sms"} or contacted & THIRD_PARTIES or frequency in ("many_daily", "nonstop"):
        ids.append("isc_12321")
    if methods & EXPOSURE:
        ids.append("cac_12377")
    if "fake_legal" in methods:
        ids.append("court_12368")
    ids.append("legal_aid_12348")
    if kind in LICENSED or kind == "unknown":
        ids.append("heimao_tousu")
    return ids


def build_plan(
    answers: Answers, today: date | None = None, directory: Directory | None = None
) -> tuple[Step, ...]:
    directory = directory if directory is not None else default_directory()
    kind = read_lender_type(answers)
    ids = channel_ids(answers)
    wanted_evidence = [item.id for item in checklist(answers)]
    # the three rate findings share one point: the script says it once
    points = tuple(dict.fromkeys(point_key(f.id) for f in assess(answers).likely))
    steps: list[Step] = []
    due: dict[str, date] = {}
    for index, channel_id in enumerate(ids):
        channel = directory[channel_id]
        days = channel.days
        if channel.only_for is not None and kind not in channel.only_for:
            days = None
        start = None
        if today is not None:
            waits = [due[c] for c in channel.after if c in due]
            start = max(waits, default=today)
        follow_up = (
            start + timedelta(days=days)
            if start is not None and days is not None and channel.follow_up
            else None
        )
        if follow_up is not None:
            due[channel_id] = follow_up
        next_id = ids[index + 1] if index + 1 < len(ids) else None
        fallback = channel.fallback_key or (
            "tools.plan.fallback.next" if next_id else "tools.plan.fallback.last.f021"
        )
        steps.append(
            Step(
                number=index + 1,
                channel_id=channel_id,
                name_key=channel.name_key,
                contact_key=channel.contact_key,
                script_key=f"tools.plan.script.{channel_id}",
                points=points if channel_id in _ATTACH_POINTS else (),
                attach=tuple(e for e in _ATTACH[channel_id] if e in wanted_evidence),
                response_days=days,
                response_key=channel.response_key
                if days is not None or channel.only_for is None
                else "channels.common.no_fixed_time",
                start_on=start,
                follow_up_on=follow_up,
                fallback_key=fallback,
                next_channel_id=next_id,
                fact_ids=channel.facts,
            )
        )
    return tuple(steps)


@by_answers
def undated_plan(answers: Answers) -> tuple[Step, ...]:
    """The plan as the screens show it (no dates): each step screen and its buttons ask for it."""
    return build_plan(answers)


# Channels whose script lists what happened (the others get a single-purpose script)
_ATTACH_POINTS = frozenset({"lender_own_complaint", "nfra_12378", "local_financial_regulator", "police"})


def step_lines(step: Step, text: Text, directory: Directory | None = None) -> list[str]:
    directory = directory if directory is not None else default_directory()
    lines = [
        text("tools.plan.step_title", number=step.number, name=text(step.name_key)),
        text("tools.plan.contact", contact=text(step.contact_key)),
        text("tools.plan.say", script=text(step.script_key)),
    ]
    lines.extend(f"  – {text(point)}" for point in step.points)
    if step.attach:
        titles = text("tools.common.list_separator").join(
            text(f"tools.evidence.{item}.title") for item in step.attach
        )
        lines.append(text("tools.plan.attach", items=titles))
    lines.append(text("tools.plan.wait", response=text(step.response_key)))
    if step.follow_up_on is not None:
        lines.append(text("tools.plan.follow_up", date=step.follow_up_on.isoformat()))
    next_name = text(directory[step.next_channel_id].name_key) if step.next_channel_id else ""
    lines.append(text(step.fallback_key, next=next_name))
    return lines


def render_plan(answers: Answers, text: Text, today: date | None = None) -> str:
    steps = build_plan(answers, today)
    blocks = [text("tools.plan.intro")]
    blocks.extend("\n".join(step_lines(step, text)) for step in steps)
    return "\n\n".join(blocks)
