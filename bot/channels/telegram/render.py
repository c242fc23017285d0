"""Outbound -> Telegram messages: escaped HTML, split under the length limit, inline keyboards.

Callback data is the option id itself for a single choice. A multi-select keeps its toggled set
in the keyboard (no server-side state): each button's data says whether it is ticked, and the
done button reads the ticks back from the message the user pressed it on.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.types import Message, Outbound

TEXT_LIMIT = 4096  # Telegram counts UTF-16 code units of the text after entity parsing
SAFE_LIMIT = 4000  # some room below the limit, so a client-side rewrap never trips it
CALLBACK_LIMIT = 64  # bytes of callback_data
BUTTON_FIT = 30  # longer labels get truncated on phones, so they are listed in the text too
UNTICKED, TICKED, DONE, NOOP = "m:", "M:", "m!", "~"
TICK = "✅ "

Text = Callable[[str], str]  # locale key -> sentence in the user's language


@dataclass(frozen=True, slots=True)
class Chunk:
    html: str
    keyboard: InlineKeyboardMarkup | None = None


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Telegram's HTML mode needs only <, > and & escaped; quotes may stay."""
    return html.escape(text, quote=False)


def render(outbound: Outbound, text: Text) -> list[Chunk]:
    """All of a turn's messages as few Telegram messages as fit; the keyboard on the last one."""
    keyed = _keyboard_message(outbound)
    blocks = [_body(m) for m in outbound.messages]
    plain = "\n\n".join(b for b in blocks if b.strip())
    if not plain.strip():
        plain = text("telegram.choose_below")
    pieces = split(plain)
    chunks = [Chunk(escape(p)) for p in pieces]
    if keyed is not None:
        chunks[-1] = Chunk(chunks[-1].html, keyboard(keyed, text))
    return chunks


def _keyboard_message(outbound: Outbound) -> Message | None:
    for message in reversed(outbound.messages):
        if message.options:
            return message
    return None


def _body(message: Message) -> str:
    lines = [message.text] if message.text.strip() else []
    if any(len(o.label) > BUTTON_FIT for o in message.options):
        lines += [f"{n}. {o.label}" for n, o in enumerate(message.options, start=1)]
    return "\n".join(lines)


def split(text: str, limit: int = SAFE_LIMIT) -> list[str]:
    """Cut at paragraph boundaries, else at line ends, else at a space, else anywhere."""
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joined = f"{current}\n\n{piece}" if current else piece
        if utf16_len(joined) <= limit:
            current = joined
        else:
            chunks.append(current)
            current = piece
    if current.strip():
        chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()]


def _pieces(text: str, limit: int) -> Iterator[str]:
    for paragraph in text.split("\n\n"):
        if utf16_len(paragraph) <= limit:
            yield paragraph
            continue
        line_group = ""
        for line in paragraph.split("\n"):
            for part in _hard_cut(line, limit):
                candidate = f"{line_group}\n{part}" if line_group else part
                if utf16_len(candidate) <= limit:
                    line_group = candidate
                else:
                    yield line_group
                    line_group = part
        if line_group:
            yield line_group


def _hard_cut(line: str, limit: int) -> Iterator[str]:
    while utf16_len(line) > limit:
        units, cut = 0, 0
        for char in line:
            units += 2 if ord(char) > 0xFFFF else 1
            if units > limit:
                break
            cut += 1
        space = line.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space + 1
        yield line[:cut]
        line = line[cut:]
    yield line


def keyboard(message: Message, text: Text) -> InlineKeyboardMarkup:
    """One button per row (labels are sentences), numbered like the typed answers."""
    rows: list[list[InlineKeyboardButton]] = []
    for n, option in enumerate(message.options, start=1):
        data = (UNTICKED if message.multi else "") + option.id
        if len(data.encode()) > CALLBACK_LIMIT:
            continue  # cannot be a button; the number still works when typed
        rows.append([InlineKeyboardButton(f"{n}. {option.label}", callback_data=data)])
    if message.multi:
        rows.append([InlineKeyboardButton(text("telegram.done"), callback_data=DONE)])
    return InlineKeyboardMarkup(rows)


def is_toggle(data: str) -> bool:
    return data.startswith((UNTICKED, TICKED))


def toggled(markup: InlineKeyboardMarkup, data: str) -> InlineKeyboardMarkup:
    """The same keyboard with the pressed button's tick flipped."""
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for button in row:
            if button.callback_data == data:
                button = _flip(button)
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


def _flip(button: InlineKeyboardButton) -> InlineKeyboardButton:
    data = str(button.callback_data)
    option_id = data[len(UNTICKED) :]
    if data.startswith(TICKED):
        return InlineKeyboardButton(button.text.removeprefix(TICK), callback_data=UNTICKED + option_id)
    return InlineKeyboardButton(TICK + button.text, callback_data=TICKED + option_id)


def ticked_ids(markup: InlineKeyboardMarkup | None) -> tuple[str, ...]:
    if markup is None:
        return ()
    return tuple(
        str(b.callback_data)[len(TICKED) :]
        for row in markup.inline_keyboard
        for b in row
        if isinstance(b.callback_data, str) and b.callback_data.startswith(TICKED)
    )


def chosen(markup: InlineKeyboardMarkup | None, option_ids: tuple[str, ...]) -> InlineKeyboardMarkup:
    """What stays under a message once answered: the chosen buttons, ticked, inert."""
    rows = []
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = str(button.callback_data)
            if data in option_ids or (is_toggle(data) and data[len(TICKED) :] in option_ids):
                label = button.text.removeprefix(TICK)
                rows.append([InlineKeyboardButton(TICK + label, callback_data=NOOP)])
    return InlineKeyboardMarkup(rows)
