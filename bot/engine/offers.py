"""Small questions the engine asks on top of the flow, kept in the session for one turn.

"Did you mean 1… 2… 3…", "switch to English?", "is that 2026-11-15?" and, after an FAQ answer,
"want me to check the rate?". An offer lives in `session.answers` (so the store keeps it through a
restart) and is taken at the start of the next turn: answered, or dropped for the normal flow.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.types import Session

KEY = "_offer"
FAQ, JUMP, LANG, DATE = "faq", "jump", "lang", "date"


@dataclass(frozen=True, slots=True)
class OfferOption:
    id: str
    label: str  # locale key
    lang: str | None = None  # render the label in this language, not the session's


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str
    values: tuple[str, ...]  # faq: intent ids · jump: state · lang: target · date: slot, iso date

    @property
    def replaces_options(self) -> bool:
        """A jump is one more option after the state's own; the others stand instead of them."""
        return self.kind != JUMP

    def options(self, session_lang: str) -> tuple[OfferOption, ...]:
        if self.kind == FAQ:
            picks = tuple(OfferOption(f"faq:{i}", f"faq.{i}.title") for i in self.values)
            return (*picks, OfferOption("cancel", "offer.faq.none"))
        if self.kind == JUMP:
            return (OfferOption("jump", f"faq.jump.{self.values[0]}"),)
        if self.kind == LANG:
            switch = OfferOption("switch", "offer.lang.switch", self.values[0])  # in the language offered
            return (switch, OfferOption("stay", "offer.lang.stay"))
        return (OfferOption("confirm", "offer.date.confirm"), OfferOption("cancel", "offer.date.cancel"))

    def prompt(self) -> tuple[str, str | None, dict[str, str]]:
        """(locale key, language override, placeholders) of the question; key "" for none."""
        if self.kind == FAQ:
            return "offer.faq.prompt", None, {}
        if self.kind == LANG:
            return "offer.lang.prompt", self.values[0], {}
        if self.kind == DATE:
            return "offer.date.prompt", None, {"date": self.values[1]}
        return "", None, {}


def put(session: Session, offer: Offer) -> None:
    session.answers[KEY] = [offer.kind, *offer.values]


def peek(session: Session) -> Offer | None:
    raw = session.answers.get(KEY)
    if not isinstance(raw, list) or not raw:
        return None
    return Offer(str(raw[0]), tuple(str(v) for v in raw[1:]))


def take(session: Session) -> Offer | None:
    offer = peek(session)
    session.answers.pop(KEY, None)
    return offer
