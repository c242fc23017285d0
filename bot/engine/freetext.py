"""The engine's turns for free text that fits no option and no slot: answer an FAQ in place,
offer candidates or another language, take the answer to such an offer, or say it kindly."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine import offers, parse
from bot.engine.flow import Flow, OptionSpec, StateSpec
from bot.engine.i18n import I18n
from bot.engine.machine import SUBMIT
from bot.engine.understanding import Reading, Understanding
from bot.types import Inbound, Session


@dataclass(slots=True)
class Turn:
    session: Session
    now: float
    notes: list[str] = field(default_factory=list)  # messages before the state's own
    after: list[str] = field(default_factory=list)  # messages after the state's own
    reprompt: str | None = None  # locale key: the answer was not understood
    keep_place: bool = False  # the state's prompt and options again, without its opening text


def jump_trigger(state: str) -> str:
    return f"_faq_jump_{state}"


class FreeTextTurns:
    """Mixed into Engine: what a turn does with text the flow itself cannot take."""

    flow: Flow
    i18n: I18n
    understanding: Understanding

    def visible_options(self, session: Session, spec: StateSpec) -> list[OptionSpec]:
        raise NotImplementedError

    def _go(self, turn: Turn, trigger: str, option_id: str | None = None) -> None:
        raise NotImplementedError

    def _not_understood(self, turn: Turn, text: str, reprompt: str, slot: bool = False) -> None:
        """Another language, an FAQ, distress or the re-prompt. A warning guard that already spoke
        yields only to an answer that covers it; in a slot only a confident answer is worth more
        than the slot's own hint."""
        reading: Reading = self.understanding.read(turn.session.lang, text) if text else Reading()
        warned = [n for n in turn.notes if n.startswith("guard.")]
        if reading.answer and warned:
            covered = {f"guard.{g}" for g in self.understanding.covers_of(reading.answer)}
            reading = reading if set(warned) <= covered else Reading()
        elif (warned or slot) and reading.offer and reading.offer.kind == offers.FAQ:
            reading = Reading()
        if reading.answer:
            self._answer_faq(turn, reading.answer)
        elif reading.offer:
            offers.put(turn.session, reading.offer)
            turn.keep_place = True
        else:
            turn.reprompt = "common.gentle" if reading.gentle else None if warned else reprompt
            turn.keep_place = bool(warned)  # the warning was the answer: no "not understood" after it

    def _first_words(self, turn: Turn, text: str) -> None:
        """A first message is not an answer to anything yet, but it may be in another language
        or a question we can answer above the welcome."""
        session = turn.session
        other = self.understanding.other_language(session.lang, text)
        asked = None if other else self.understanding.confident_answer(session.lang, text)
        if other:
            offers.put(session, offers.Offer(offers.LANG, (other,)))
        elif asked:
            self._answer_faq(turn, asked)
            turn.keep_place = False  # the whole welcome still follows the answer

    def _answer_faq(self, turn: Turn, intent: str) -> None:
        covered = {f"guard.{g}" for g in self.understanding.covers_of(intent)}
        turn.notes = [n for n in turn.notes if n not in covered]  # the specific answer says it better
        turn.notes.append(f"faq.{intent}.answer")
        turn.keep_place = True
        jump = self.understanding.jump_of(intent)
        if jump and jump != turn.session.state:
            offers.put(turn.session, offers.Offer(offers.JUMP, (jump,)))

    def _switch_language(self, turn: Turn, lang: str) -> None:
        turn.session.lang = lang
        turn.notes.append("offer.lang.switched")

    def _take_offer(self, turn: Turn, offer: offers.Offer, inbound: Inbound, text: str) -> bool:
        """The user's answer to the engine's own question, if it is one."""
        session = turn.session
        spec = self.flow.state(session.state)
        state_options = 0 if offer.replaces_options else len(self.visible_options(session, spec))
        choices = offer.options(session.lang)
        labels = [self.i18n.text(c.lang or session.lang, c.label) for c in choices]
        chosen = parse.offer_choice(inbound.option_ids, text, [c.id for c in choices], labels, state_options)
        if chosen is None and offer.kind in (offers.LANG, offers.DATE):
            yes = self.understanding.says_yes(text)
            chosen = None if yes is None else choices[0 if yes else 1].id
        if chosen is None:
            return False
        if chosen.startswith("faq:"):
            self._answer_faq(turn, chosen.removeprefix("faq:"))
        elif chosen == "jump":
            self._go(turn, jump_trigger(offer.values[0]))
        elif chosen == "switch":
            self._switch_language(turn, offer.values[0])
        elif offer.kind == offers.DATE and chosen == "confirm":
            session.answers[offer.values[0]] = offer.values[1]
            self._go(turn, SUBMIT)
        elif offer.kind == offers.DATE:
            turn.reprompt = "offer.date.again"
        else:
            turn.keep_place = True  # "none of these" / "stay": back to the question
        return True
