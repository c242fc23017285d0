"""Engine.step: one user message in, the bot's messages and the new session out. No I/O."""

from __future__ import annotations

from pathlib import Path

from bot.config import DEFAULT_HOURS, content_dir
from bot.engine import actions as _actions  # noqa: F401 - registers the actions
from bot.engine import conditions as _conditions  # noqa: F401 - registers the conditions
from bot.engine import dates, offers, parse, views
from bot.engine import followups as _followups  # noqa: F401 - the follow-ups plugin: actions, views
from bot.engine import lenders as _lenders  # noqa: F401 - registers the lender list's parts
from bot.engine import people as _people  # noqa: F401 - registers the user's role in the case
from bot.engine.fixed_text import FixedTexts
from bot.engine.flow import BACK, Flow, OptionSpec, StateSpec, load_flow
from bot.engine.freetext import FreeTextTurns, Turn, jump_trigger
from bot.engine.hours import HumanHours
from bot.engine.i18n import DEFAULT_LANG, LANGS, I18n
from bot.engine.machine import SUBMIT, Moves, build_machine, goto
from bot.engine.registry import ActionContext, Text, holds
from bot.engine.risk import assess_risk
from bot.engine.safety_turns import SafetyTurns
from bot.engine.understanding import Phrases, Understanding
from bot.errors import FlowError
from bot.safety import Detector, Verdict
from bot.tools.term import parse_term
from bot.types import Inbound, Message, Option, Outbound, Session

IDLE_SECONDS = 24 * 3600
HISTORY_LIMIT = 50
WARNING_GUARDS = ("scam", "fake_document")


class Engine(FreeTextTurns, SafetyTurns):
    def __init__(
        self,
        flow: Flow,
        i18n: I18n,
        understanding: Understanding | None = None,
        safety: Detector | None = None,
        human_hours: HumanHours | None = None,
    ) -> None:
        self.flow = flow
        self.i18n = i18n
        self.understanding = understanding or Understanding(Phrases.none())
        self.safety = safety or Detector.load()
        self.human_hours = human_hours or HumanHours.parse(DEFAULT_HOURS)
        self.fixed = FixedTexts(i18n)
        self.machine = build_machine(flow)
        self._add_jumps()
        self.moves = Moves(self.machine)  # read once the machine has all its transitions
        self.start = flow.roles["start"]
        self.commands = parse.command_table(flow.commands)
        self.guards = {
            name: parse.PhraseMatcher(spec["phrases"], spec["except"]) for name, spec in flow.guards.items()
        }
        phrases = [p.casefold() for spec in flow.guards.values() for p in spec["phrases"]]
        phrases += [p for said in self.understanding.phrases.switch_to.values() for p in said]
        # A reply of bare numbers cannot hold a warning phrase or ask for a language, unless one
        # of those phrases is itself made of digits: then every reply is read in full.
        self.numbers_skip_phrases = not any(parse.is_numeric(p) for p in phrases)

    @classmethod
    def load(
        cls,
        dialogs: Path | None = None,
        locales: Path | None = None,
        cache: Path | None = None,
        human_hours: HumanHours | None = None,
    ) -> Engine:
        """`cache`: a directory to keep the trained FAQ matcher in (the data directory)."""
        dialogs = dialogs or content_dir("dialogs")
        flow, i18n = load_flow(dialogs), I18n.load(locales or content_dir("locales"))
        labels = {
            lang: sorted({i18n.text(lang, o.label) for s in flow.states.values() for o in s.options})
            for lang in LANGS
        }
        understanding = Understanding.load(dialogs, labels, cache)
        return cls(flow, i18n, understanding, Detector.load(dialogs / "safety"), human_hours)

    def _add_jumps(self) -> None:
        """An FAQ answer may offer a state of the flow: one trigger per such state, from anywhere."""
        table = self.understanding.table
        for intent in table.intents.values() if table else ():
            if intent.jump and intent.jump not in self.flow.states:
                raise FlowError(f"dialogs/faq.yaml: {intent.id!r} jumps to unknown state {intent.jump!r}")
            if intent.jump:
                self.machine.add_transition(jump_trigger(intent.jump), "*", intent.jump)

    def new_session(self, user_key: str, locale: str | None, now: float) -> Session:
        lang = locale if locale in LANGS else DEFAULT_LANG
        return Session(user_key=user_key, state=self.start, lang=lang, created_at=now)

    def step(
        self, session: Session, inbound: Inbound, now: float, verdict: Verdict | None = None
    ) -> Outbound:
        """Advance `session` in place by one user message and return the reply.

        `verdict` is the safety detector's reading of the whole message, when the caller had to
        take it before cutting the text to size; otherwise the engine reads the text itself.
        """
        turn = Turn(session, now)
        if verdict is None:
            verdict = self.safety.scan(inbound.text) if not inbound.option_ids else Verdict()
        self._dispatch(turn, inbound, verdict)
        self._after_safety(turn)
        session.risk = assess_risk(session)
        session.last_activity_at = now
        return self._render(turn)

    def current(self, session: Session, now: float) -> Outbound:
        """The current state's messages again, without stepping (e.g. a resumed terminal)."""
        return self._render(Turn(session, now))

    def _dispatch(self, turn: Turn, inbound: Inbound, verdict: Verdict) -> None:
        session = turn.session
        offer = offers.take(session)  # answered now or dropped
        text = parse.clean(inbound.text)
        typed = bool(text) and not inbound.option_ids
        command = parse.command_of(text, self.commands) if typed else None
        if command:
            self._command(turn, command)
            return
        if typed and self._safety(turn, verdict):
            return
        phrased = typed and not (self.numbers_skip_phrases and parse.is_numeric(text))
        if phrased:
            self._warnings(turn, text)
        if session.state == self.flow.roles["screen"] and (typed or inbound.option_ids):
            self._screen_answer(turn, inbound, text)
            return
        wanted = self.understanding.requested_language(text) if phrased else None
        if wanted:
            self._switch_language(turn, wanted)
            return
        if session.last_activity_at == 0:  # first contact: the welcome, whatever the answer
            if typed:
                self._first_words(turn, text)
            return
        idle = turn.now - session.last_activity_at > IDLE_SECONDS
        if idle and session.state not in (self.start, self.flow.roles["idle"]):
            self._go(turn, goto("idle"))
            return
        if offer and self._take_offer(turn, offer, inbound, text):
            return
        self._answer(turn, inbound, text)

    # -- global commands and guards ------------------------------------------------------
    def _command(self, turn: Turn, command: str) -> None:
        session = turn.session
        if command == "back":
            self._back(session)
        elif command == "start" and session.state == self.start:
            return
        else:
            self._go(turn, goto(command))

    def _warnings(self, turn: Turn, text: str) -> None:
        turn.notes.extend(self.warning_keys(text))

    def warning_keys(self, text: str) -> list[str]:
        """The warnings a cleaned text earns (locale keys): a scam or "court papers" named.
        Self-harm and danger are the detector's; a file's caption gets the same warnings."""
        return [f"guard.{guard}" for guard in WARNING_GUARDS if self._matches(guard, text)]

    def needs_a_turn(self, text: str) -> bool:
        """Words that must be answered as a turn of their own before any paperwork (e.g. a file's
        caption): the crisis screen, 110, the screening question or the scam steps."""
        verdict = self.safety.scan(text)
        return verdict.label is not None or "crisis" in verdict.soft

    def _matches(self, guard: str, text: str) -> bool:
        matcher = self.guards.get(guard)
        return matcher is not None and matcher(text)

    # -- answering the current state -------------------------------------------------------
    def visible_options(self, session: Session, spec: StateSpec) -> list[OptionSpec]:
        return [o for o in spec.options if holds(o.when, session)]

    def _answer(self, turn: Turn, inbound: Inbound, text: str) -> None:
        session = turn.session
        spec = self.flow.state(session.state)
        options = self.visible_options(session, spec)
        picks = self._picks(session, options, inbound, text)
        if picks is None:
            if spec.input and text and not inbound.option_ids:
                self._submit_text(turn, spec, text)
            elif not spec.multi and len(parse.number_tokens(text)) > 1:
                turn.reprompt = "common.choose_one"
            elif spec.unclear:  # the crisis screens: their lines again, never "not understood"
                turn.reprompt = spec.unclear
            elif options and parse.number_tokens(text):  # numbers, one of them not on the list
                turn.reprompt = "common.no_such_option"
            else:
                self._not_understood(turn, text, "common.not_understood")
            return
        if len(picks) > 1 and not spec.multi:
            turn.reprompt = "common.choose_one"
            return
        single = picks[0] if len(picks) == 1 else None
        if spec.multi and not (single and single.routes):
            exclusive = [p for p in picks if p.exclusive]
            chosen = exclusive[:1] or picks
            session.answers[spec.slot or spec.name] = [p.id for p in chosen]
            self._go(turn, SUBMIT)
            return
        assert single is not None
        if spec.slot:
            session.answers[spec.slot] = single.id
        routes = single.routes or spec.routes
        self._go(turn, single.id, option_id=single.id)
        if spec.name == self.flow.roles.get("restart") and single.id == "confirm":
            session.history.clear()  # a fresh start: nothing behind it, not even the question
            turn.notes.append("confirm_restart.done")
        if len(routes) == 1 and routes[0].to == BACK:
            self._back(session)

    def _picks(
        self, session: Session, options: list[OptionSpec], inbound: Inbound, text: str
    ) -> list[OptionSpec] | None:
        if inbound.option_ids:
            by_id = {o.id: o for o in options}
            if all(i in by_id for i in inbound.option_ids):
                return [by_id[i] for i in dict.fromkeys(inbound.option_ids)]
            return None
        numbers = parse.option_numbers(text, len(options))
        if numbers is not None:
            return [options[i] for i in numbers]
        labels = [self.i18n.text(session.lang, o.label) for o in options]
        index = parse.option_by_label(text, labels)
        return None if index is None else [options[index]]

    def _submit_text(self, turn: Turn, spec: StateSpec, text: str) -> None:
        assert spec.input is not None
        session, kind = turn.session, spec.input.kind
        value: object
        if kind == "money":
            value = parse.money(text)
        elif kind == "int":
            value = parse.integer(text)
        elif kind == "date":
            reading = dates.read_date(text, turn.now)
            if reading is not None and not reading.sure:  # "11.3": ask back before keeping it
                offers.put(session, offers.Offer(offers.DATE, (spec.input.slot, reading.iso)))
                turn.keep_place = True
                return
            value = reading.iso if reading else None
        elif kind == "term":
            value = parse_term(text)
        else:
            # a question where a short answer was expected: answer it, keep the place; a code is
            # never read as one ("24KM-36XY" had been answered as a question about 24 % and 36 %)
            asked = None if kind == "code" else self.understanding.confident_answer(session.lang, text)
            if asked:
                self._answer_faq(turn, asked)
                return
            value = text[: spec.input.max_len] or None
        if value is None:
            self._not_understood(turn, text, f"input.invalid.{kind}", slot=True)
            return
        session.answers[spec.input.slot] = value
        self._go(turn, SUBMIT)

    # -- moving between states ----------------------------------------------------------------
    def _go(self, turn: Turn, trigger: str, option_id: str | None = None) -> None:
        session = turn.session
        before = session.state
        self.moves.fire(trigger, session, ActionContext(option_id, turn.now, self.flow))
        if session.state != before:
            session.history.append(before)
            del session.history[:-HISTORY_LIMIT]

    def _back(self, session: Session) -> None:
        session.state = session.history.pop() if session.history else self.start

    # -- rendering -------------------------------------------------------------------------
    def _render(self, turn: Turn) -> Outbound:
        session = turn.session
        spec = self.flow.state(session.state)
        lang = session.lang
        text = self.i18n.texts(lang)
        fixed = self.fixed.of(spec, lang)
        blocks = [text(key) for key in turn.notes]
        if turn.reprompt:
            blocks.append(text(turn.reprompt))
        elif not turn.keep_place:
            blocks.extend(fixed.say if fixed.say is not None else self._say(session, spec, text))
        blocks.extend(text(key) for key in turn.after)
        messages = [Message(b) for b in blocks if b]
        options = fixed.options
        if options is None:
            options = tuple(Option(o.id, text(o.label)) for o in self.visible_options(session, spec))
        prompt = fixed.multi_prompt if spec.multi and options else fixed.prompt
        offer = offers.peek(session)
        if offer is not None:
            extra = tuple(Option(c.id, self.i18n.text(c.lang or lang, c.label)) for c in offer.options(lang))
            key, in_lang, params = offer.prompt()
            if offer.replaces_options:
                prompt, options = self.i18n.text(in_lang or lang, key, **params), extra
            else:
                options += extra
        if prompt or options:
            multi = spec.multi and not (offer and offer.replaces_options)
            messages.append(Message(prompt, options, multi, spec.input is not None))
        effects = () if turn.reprompt or turn.keep_place else spec.effects
        return Outbound(tuple(messages), session.state, spec.stage, lang, effects)

    def _say(self, session: Session, spec: StateSpec, text: Text) -> list[str]:
        blocks: list[str] = []
        for item in spec.say:
            if not holds(item.condition, session):
                continue
            if item.view:
                blocks.extend(views.render(item.view, session, text))
            else:
                blocks.append(text(item.key))
        return blocks
