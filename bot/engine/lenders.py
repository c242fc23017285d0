"""The lender list in the flow: add, split, open, edit and remove lenders (see bot/tools/case.py).

The flat lender slots hold the lender being edited; these actions move lenders between them and
the saved list, so the questions in dialogs/main.yaml stay one lender at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.registry import ActionContext, Text, actions, conditions, views
from bot.tools import calculator, case
from bot.tools.answers import ToolInputError, free_text, lender_type, percent
from bot.types import Session

_SPLIT_DONE = "lender_split_done"  # the names in this lender's sentence were already offered


def _store(session: Session) -> None:
    """Put the lender being edited back into the saved list (empty lenders are dropped)."""
    session.answers["lenders"] = case.lenders(session.answers)


def _open(session: Session, index: int) -> None:
    """Load saved lender `index` into the flat slots (a new, empty lender past the end)."""
    answers = session.answers
    for slot in case.LENDER_SLOTS:
        answers.pop(slot, None)
    answers.pop(_SPLIT_DONE, None)
    entries = case.saved(answers)
    if index < len(entries):
        answers.update(entries[index])
    answers["lender_index"] = index


@actions.register("new_lender")
def new_lender(session: Session, ctx: ActionContext) -> None:
    """Keep the lender being edited and open an empty one."""
    _store(session)
    _open(session, len(case.saved(session.answers)))


@actions.register("split_lenders")
def split_lenders(session: Session, ctx: ActionContext) -> None:
    """One lender per name found in the sentence; the first stays open for its questions."""
    answers = session.answers
    names = case.split_names(str(answers.get("lender_name") or ""))
    room = case.MAX_LENDERS - len(case.saved(answers))
    answers["lender_name"] = names[0]
    answers[_SPLIT_DONE] = True
    _store(session)
    entries = case.saved(answers)
    entries.extend({"lender_name": name} for name in names[1 : room + 1])
    answers["lenders"] = entries
    answers[_SPLIT_DONE] = True


@actions.register("keep_one_name")
def keep_one_name(session: Session, ctx: ActionContext) -> None:
    """Keep the typed lender name whole: it is one lender, not several."""
    session.answers[_SPLIT_DONE] = True


@actions.register("open_lender")
def open_lender(session: Session, ctx: ActionContext) -> None:
    """Option ids lender_1 … lender_8 open that lender for editing."""
    number = (ctx.option_id or "").removeprefix("lender_")
    if number.isdigit():
        _store(session)
        _open(session, int(number) - 1)


@actions.register("open_next_incomplete")
def open_next_incomplete(session: Session, ctx: ActionContext) -> None:
    """Keep the lender being edited and open the first one still lacking answers."""
    _store(session)
    waiting = _incomplete(session)
    if waiting:
        _open(session, waiting[0])


@actions.register("remove_lender")
def remove_lender(session: Session, ctx: ActionContext) -> None:
    """Remove the lender being edited from the list."""
    answers = session.answers
    _store(session)
    entries = case.saved(answers)
    index = case.lender_index(answers)
    if index < len(entries):
        del entries[index]
    answers["lenders"] = entries
    _open(session, 0)


def _incomplete(session: Session) -> list[int]:
    """Saved lenders other than the open one still without a type (e.g. named in one sentence)."""
    current = case.lender_index(session.answers)
    return [
        i
        for i, entry in enumerate(case.saved(session.answers))
        if i != current and not entry.get("lender_type")
    ]


@conditions.register("has_incomplete_lender")
def has_incomplete_lender(session: Session) -> bool:
    """A lender in the list still lacks answers."""
    return bool(_incomplete(session))


@conditions.register("names_several_lenders")
def names_several_lenders(session: Session) -> bool:
    """The lender name the user typed names several apps (not yet split or kept whole)."""
    answers = session.answers
    if answers.get(_SPLIT_DONE):
        return False
    return len(case.split_names(str(answers.get("lender_name") or ""))) > 1


@conditions.register("several_lenders")
def several_lenders(session: Session) -> bool:
    """More than one lender is in the list."""
    return len(case.lenders(session.answers)) > 1


@conditions.register("has_lenders")
def has_lenders(session: Session) -> bool:
    """At least one lender is in the list."""
    return bool(case.lenders(session.answers))


@conditions.register("room_for_lender")
def room_for_lender(session: Session) -> bool:
    """Another lender may still be added (the list is not full)."""
    return len(case.lenders(session.answers)) < case.MAX_LENDERS


def _has_lender(number: int) -> Callable[[Session], bool]:
    def exists(session: Session) -> bool:
        return len(case.lenders(session.answers)) >= number

    exists.__doc__ = f"The list holds at least {number} lender(s)."
    return exists


for _number in range(1, case.MAX_LENDERS + 1):
    conditions.register(f"has_lender_{_number}")(_has_lender(_number))


# -- views ------------------------------------------------------------------------------------
def lender_name(entry: dict[str, object], number: int, text: Text) -> str:
    return free_text(entry, "lender_name", text) or text("views.lenders.unnamed", number=number)


@views.register("split_candidates")
def split_candidates(session: Session, text: Text) -> str:
    """The separate lender names found in what the user typed."""
    names = case.split_names(str(session.answers.get("lender_name") or ""))
    lines = [text("views.lenders.split_found", count=len(names))]
    lines += [f"{n}. {name}" for n, name in enumerate(names, start=1)]
    return "\n".join(lines)


@views.register("lender_heading")
def lender_heading(session: Session, text: Text) -> str:
    """Which lender these questions are about, once there is more than one."""
    if not several_lenders(session):
        return ""
    answers = session.answers
    number = case.lender_index(answers) + 1
    return text(
        "views.lenders.now_editing", number=number, name=lender_name(case.buffer(answers), number, text)
    )


@views.register("lenders_overview")
def lenders_overview(session: Session, text: Text) -> str:
    """Every lender in the list, numbered, with its kind and (when known) its yearly rate."""
    entries = case.lenders(session.answers)
    if not entries:
        return text("views.lenders.none")
    lines = [text("views.lenders.title", count=len(entries))]
    for number, entry in enumerate(entries, start=1):
        kind = text(f"tools.answer.lender_type.{lender_type(entry)}")
        line = text("views.lenders.line", number=number, name=lender_name(entry, number, text), kind=kind)
        try:
            figures = calculator.figures_from_answers(entry)
        except ToolInputError:
            figures = None
        if figures is not None:
            line += text("views.lenders.rate", rate=percent(figures.nominal_annual_rate))
        lines.append(line)
    return "\n".join(lines)


@views.register("lender_card")
def lender_card(session: Session, text: Text) -> str:
    """The lender being edited: its number, name and kind."""
    answers = session.answers
    number = case.lender_index(answers) + 1
    entry = case.buffer(answers)
    return text(
        "views.lenders.card",
        number=number,
        name=lender_name(entry, number, text),
        kind=text(f"tools.answer.lender_type.{lender_type(entry)}"),
    )


@views.register("lender_check")
def lender_check(session: Session, text: Text) -> str:
    """How to check the open lender's licence with the official look-ups."""
    return text(case.check_key(lender_type(case.buffer(session.answers))))
