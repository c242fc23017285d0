"""Property tests for what guards the store: input bounds and the at-rest cipher."""

from __future__ import annotations

import unicodedata
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import StoreError
from bot.store.crypto import Cipher
from bot.store.limits import MAX_OPTION_ID_CHARS, MAX_OPTIONS, MAX_TEXT_CHARS, bounded, clean_text
from bot.types import Inbound

CONTROL: tuple[Literal["C"]] = ("C",)  # control, format, surrogate and unassigned characters
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=6000)


@settings(max_examples=400)
@given(
    text=ANY_TEXT,
    options=st.lists(ANY_TEXT.map(lambda t: t[:200]), max_size=60),
    message_id=st.none() | ANY_TEXT.map(lambda t: t[:300]),
)
def test_bounded_inbound_is_valid_utf8_small_and_free_of_controls(
    text: str, options: list[str], message_id: str | None
) -> None:
    inbound = bounded(Inbound("telegram:1", text=text, option_ids=tuple(options), message_id=message_id))
    for value in (inbound.text, *inbound.option_ids, inbound.message_id or ""):
        value.encode("utf-8")  # no lone surrogates left
        assert all(ch in "\n\t" or unicodedata.category(ch)[0] != "C" for ch in value)
    assert len(inbound.text) <= MAX_TEXT_CHARS
    assert len(inbound.option_ids) <= MAX_OPTIONS
    assert all(len(o) <= MAX_OPTION_ID_CHARS for o in inbound.option_ids)


@given(text=st.text(st.characters(exclude_categories=CONTROL), max_size=300))
def test_ordinary_text_passes_unchanged(text: str) -> None:
    assert clean_text(text, MAX_TEXT_CHARS) == text


def test_a_user_key_that_is_not_an_id_is_refused() -> None:
    for key in ("telegram:" + "9" * 200, "telegram:1\n2", "telegram:\x00"):
        with pytest.raises(StoreError):
            bounded(Inbound(key, text="hi"))


@given(plain=st.binary(max_size=2000), context=st.binary(max_size=64), flip=st.integers(0, 10_000))
def test_cipher_round_trips_and_detects_any_change(plain: bytes, context: bytes, flip: int) -> None:
    old, new = Cipher("old-key"), Cipher("new-key", ["old-key"])
    blob = old.encrypt(plain, context)
    assert plain not in blob[17:] or len(plain) < 8  # (a short run may occur by chance)
    assert old.decrypt(blob, context) == plain
    assert new.decrypt(blob, context) == plain  # an old key still decrypts after rotation
    assert not new.is_current(blob) and new.is_current(new.encrypt(plain))
    position = flip % len(blob)
    tampered = blob[:position] + bytes([blob[position] ^ 0x01]) + blob[position + 1 :]
    with pytest.raises(StoreError):
        old.decrypt(tampered, context)
    with pytest.raises(StoreError):
        Cipher("another-key").decrypt(blob, context)
