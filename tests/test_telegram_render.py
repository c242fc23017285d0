"""Telegram rendering: HTML escaping, splitting under 4,096, keyboards that carry their own ticks."""

from __future__ import annotations

from functools import partial

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram import render
from bot.config import content_dir
from bot.engine.i18n import I18n
from bot.types import Message, Option, Outbound

TEXT = partial(I18n.load(content_dir("locales")).text, "en")


def outbound(*messages: Message) -> Outbound:
    return Outbound(messages, state="s", stage="welcome", lang="en")


def test_every_text_is_escaped_for_html_mode() -> None:
    chunks = render.render(outbound(Message("<b>x</b> & <script>\"'")), TEXT)
    assert [c.html for c in chunks] == ["&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;\"'"]


def test_long_replies_split_at_paragraph_boundaries() -> None:
    paragraphs = [f"{n} " + "段落" * 300 for n in range(12)]  # 12 × ~603 characters
    chunks = render.split("\n\n".join(paragraphs))
    assert len(chunks) > 1
    assert all(render.utf16_len(c) <= render.SAFE_LIMIT < render.TEXT_LIMIT for c in chunks)
    assert [p for c in chunks for p in c.split("\n\n")] == paragraphs  # no paragraph was cut


def test_one_huge_paragraph_is_cut_at_lines_then_spaces_and_counts_utf16() -> None:
    line = "😀" * 3000  # 6,000 UTF-16 units: Telegram counts an emoji as two
    words = " ".join(["word"] * 2000)
    chunks = render.split(f"{line}\n{words}")
    assert all(render.utf16_len(c) <= render.SAFE_LIMIT for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(f"{line}{words}".split())
    assert all(not c.startswith("ord") for c in chunks)  # cut at a space, not inside a word


@given(st.text(alphabet=st.sampled_from("ab 😀\n中<&"), max_size=12_000))
def test_split_never_loses_text_or_exceeds_the_limit(text: str) -> None:
    chunks = render.split(text, limit=500)
    assert all(0 < render.utf16_len(c) <= 500 and c.strip() for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_keyboard_goes_on_the_last_chunk_with_numbered_buttons() -> None:
    question = Message("Which?", (Option("self", "Me"), Option("family", "Someone close")))
    chunks = render.render(outbound(Message("intro " * 1000), question), TEXT)
    assert len(chunks) == 2 and chunks[0].keyboard is None and chunks[1].keyboard is not None
    rows = chunks[1].keyboard.inline_keyboard
    assert [(b.text, b.callback_data) for row in rows for b in row] == [
        ("1. Me", "self"),
        ("2. Someone close", "family"),
    ]


def test_long_labels_are_also_listed_in_the_text() -> None:
    label = "I'm family or a friend of the borrower, or collectors keep calling me"
    chunks = render.render(outbound(Message("Which?", (Option("a", "Short"), Option("b", label)))), TEXT)
    assert f"2. {label}" in chunks[0].html and "1. Short" in chunks[0].html


def test_ids_longer_than_64_bytes_are_not_buttons() -> None:
    message = Message("Q", (Option("ok", "Fine"), Option("x" * 65, "Too long")))
    markup = render.keyboard(message, TEXT)
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == ["ok"]


def test_multi_select_ticks_live_in_the_keyboard() -> None:
    message = Message("Who?", (Option("me", "Me"), Option("family", "Family")), multi=True)
    markup = render.keyboard(message, TEXT)
    datas = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert datas == ["m:me", "m:family", "m!"]
    assert markup.inline_keyboard[-1][0].text == TEXT("telegram.done")

    ticked = render.toggled(markup, "m:family")
    assert render.ticked_ids(ticked) == ("family",)
    assert ticked.inline_keyboard[1][0].text == "✅ 2. Family"
    both = render.toggled(ticked, "m:me")
    assert render.ticked_ids(both) == ("me", "family")
    assert render.toggled(render.toggled(both, "M:me"), "M:family") == markup  # untick = original

    answered = render.chosen(both, ("me", "family"))
    assert [(b.text, b.callback_data) for row in answered.inline_keyboard for b in row] == [
        ("✅ 1. Me", "~"),
        ("✅ 2. Family", "~"),
    ]


def test_an_empty_reply_still_sends_a_prompt() -> None:
    chunks = render.render(outbound(Message("", (Option("a", "A"),))), TEXT)
    assert chunks[0].html == TEXT("telegram.choose_below")
