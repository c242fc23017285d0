"""The evidence checklist tailored to the answers, its progress, and the evidence catalogue (证据目录)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.tools import case
from bot.tools.answers import EXPOSURE, THIRD_PARTIES, Answers, Text, choices, money
from bot.tools.memo import by_answers

# (id, how-to key suffix naming the facts its text states; "" when it states none)
_ITEMS: tuple[tuple[str, str], ...] = (
    ("call_records", ""),
    ("messages", ".f009"),
    ("posts", ""),
    ("contact_statements", ""),
    ("visit_media", ""),
    ("fake_documents", ".f013"),
    ("loan_contract", ""),
    ("money_received", ".f068"),
    ("repayment_records", ""),
    ("timeline", ""),
    ("backups", ""),
)
ITEM_IDS = tuple(item_id for item_id, _ in _ITEMS)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    id: str
    title_key: str
    how_key: str  # steps for Android, iPhone and WeChat in one block


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    missing: tuple[str, ...]  # item ids still to do, in checklist order


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    number: int
    item_id: str
    title: str
    done: bool
    date: str  # when the user marked it done, "" if not recorded


def _wanted(answers: Answers) -> set[str]:
    """The items one lender's view of the case calls for."""
    methods = choices(answers, "methods")
    contacted = choices(answers, "contacted")
    contract, received = money(answers, "contract_amount"), money(answers, "received_amount")
    rules = {
        # without any method answered we still ask for the usual suspects
        "call_records": not methods or "calls" in methods,
        "messages": not methods or bool(methods & {"sms", "im"}),
        "posts": bool(methods & EXPOSURE),
        "contact_statements": bool(contacted & THIRD_PARTIES),
        "visit_media": "visits" in methods,
        "fake_documents": "fake_legal" in methods,
        "money_received": contract is not None and received is not None and contract > received,
    }
    wanted = {item_id for item_id in ITEM_IDS if rules.get(item_id, True)}
    if case.role(answers) in case.NOT_LIABLE:
        wanted -= _LOAN_PAPERS  # not their loan: they hold no contract and owe no repayments
    if not case.is_borrower(answers):
        wanted.discard("contact_statements")
        if contacted & {"employer", "friends"}:  # their colleagues
            wanted.add("contact_statements")
    return wanted


_LOAN_PAPERS = frozenset({"loan_contract", "money_received", "repayment_records"})


@by_answers
def checklist(answers: Answers) -> tuple[EvidenceItem, ...]:
    """The items any of the case's lenders calls for, in one list."""
    wanted = set().union(*map(_wanted, case.lender_views(answers)))
    return tuple(
        EvidenceItem(item_id, f"tools.evidence.{item_id}.title", f"tools.evidence.{item_id}.how{facts}")
        for item_id, facts in _ITEMS
        if item_id in wanted
    )


def progress(answers: Answers) -> Progress:
    items = checklist(answers)
    done = choices(answers, "evidence_done")
    missing = tuple(item.id for item in items if item.id not in done)
    return Progress(len(items) - len(missing), len(items), missing)


def _dates(answers: Answers) -> dict[str, str]:
    raw = answers.get("evidence_dates")
    if not isinstance(raw, dict):
        return {}
    return {k: str(v) for k, v in raw.items() if isinstance(k, str) and isinstance(v, str | int)}


def catalogue(answers: Answers, text: Text) -> tuple[CatalogueRow, ...]:
    done = choices(answers, "evidence_done")
    dates = _dates(answers)
    return tuple(
        CatalogueRow(
            number,
            item.id,
            text(item.title_key),
            item.id in done,
            dates.get(item.id, "") if item.id in done else "",
        )
        for number, item in enumerate(checklist(answers), start=1)
    )


def render_progress(answers: Answers, text: Text) -> str:
    """Progress and what is already saved: the items themselves are the options below it."""
    state = progress(answers)
    lines = [text("tools.evidence.progress", done=state.done, total=state.total)]
    saved = [text(row.title_key) for row in checklist(answers) if row.id not in state.missing]
    if saved:
        lines.append(text("tools.evidence.saved_list", items=text("tools.common.list_separator").join(saved)))
    lines.append(text("tools.evidence.keep_safe"))
    return "\n".join(lines)


def render_checklist(answers: Answers, text: Text, with_steps: bool = True) -> str:
    state = progress(answers)
    lines = [text("tools.evidence.progress", done=state.done, total=state.total)]
    done = choices(answers, "evidence_done")
    for item in checklist(answers):
        mark = text("tools.evidence.mark_done") if item.id in done else text("tools.evidence.mark_todo")
        lines.append(f"{mark} {text(item.title_key)}")
        if with_steps and item.id not in done:
            lines.extend(f"    {step}" for step in text(item.how_key).splitlines())
    lines.append(text("tools.evidence.keep_safe"))
    return "\n".join(lines)
