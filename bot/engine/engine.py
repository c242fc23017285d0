"""Engine.step: one user message in, the bot's messages and the new session out. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.config import content_dir
from bot.engine import conditions as _conditions  # noqa: F401 - registers the conditions
from bot.engine import lenders as _lenders  # noqa: F401 - registers the lender list's parts
from bot.engine import parse, views
from bot.engine import people as _people  # noqa: F401 - registers the user's role in the case
from bot.engine.actions import restart
from bot.engine.flow import BACK, Flow, OptionSpec, StateSpec, load_flow
from bot.engine.i18n import DEFAULT_LANG, LANGS, I18n
from bot.engine.machine import SUBMIT, build_machine, fire, goto
from bot.engine.registry import ActionContext, conditions
from bot.engine.risk import assess_risk
from bot.engine.term import parse_term
from bot.followups import dialog as _followups  # noqa: F401 - registers its actions and views
from bot.types import Inbound, Message, Option, Outbound, Session

IDLE_SECONDS = 24 * 3600
HISTORY_LIMIT = 50
WARNING_GUARDS = ("scam", "fake_document")


@dataclass(slots=True)
class _Turn:
    session: Session
    now: float
    notes: list[str] = field(default_factory=list)  # messages before the state's own
    reprompt: str | None = None  # locale key: the answer was not understood


class Engine:
    def __init__(self, flow: Flow, i18n: I18n) -> None:
        self.flow = flow
        self.i18n = i18n
        self.machine = build_machine(flow)
        self.start = flow.roles["start"]
        self.commands = parse.command_table(flow.commands)
        self.guards = {
            name: parse.PhraseMatcher(spec["phrases"], spec["except"])
            for name, spec in flow.guards.items()
        }

    @classmethod
    def load(cls, dialogs: Path | None = None, locales: Path | None = None) -> Engine:
        return cls(
            load_flow(dialogs or content_dir("dialogs")), I18n.load(locales or content_dir("locales"))
        )

    def new_session(self, user_key: str, locale: str | None, now: float) -> Session:
        lang = locale if locale in LANGS else DEFAULT_LANG
        return Session(user_key=user_key, state=self.start, lang=lang, created_at=now)

    def step(self, session: Session, inbound: Inbound, now: float) -> Outbound:
        """Advance `session` in place by one user message and return the reply."""
        turn = _Turn(session, now)
        self._dispatch(turn, inbound)
        session.risk = assess_risk(session)
        session.last_activity_at = now
        return self._render(turn)

    def current(self, session: Session, now: float) -> Outbound:
        """The current state's messages again, without stepping (e.g. a resumed terminal)."""
        return self._render(_Turn(session, now))

    def _dispatch(self, turn: _Turn, inbound: Inbound) -> None:
        session = turn.session
        text = parse.clean(inbound.text)
        typed = bool(text) and not inbound.option_ids
        command = parse.command_of(text, self.commands) if typed else None
        if command:
            self._command(turn, command)
            return
        if typed and self._guards(turn, text):
            return
        if session.last_activity_at == 0:
            return  # first contact: show the welcome before reading any answer
        idle = turn.now - session.last_activity_at > IDLE_SECONDS
        if idle and session.state not in (self.start, self.flow.roles["idle"]):
            self._go(turn, goto("idle"))
            return
        self._answer(turn, inbound, text)

    # -- global commands and guards ------------------------------------------------------
    def _command(self, turn: _Turn, command: str) -> None:
        session = turn.session
        if command == "back":
            self._back(session)
        elif command == "restart":
            restart(session, ActionContext(None, turn.now))
            session.state = self.start
        elif command == "start" and session.state == self.start:
            return
        else:
            self._go(turn, goto(command))

    def _guards(self, turn: _Turn, text: str) -> bool:
        """Crisis and immediate danger take over the turn; scam and fake papers add a warning."""
        for guard in ("crisis", "danger"):
            if self._matches(guard, text):
                self._go(turn, goto(guard))
                return True
        for guard in WARNING_GUARDS:
            if self._matches(guard, text):
                turn.notes.append(f"guard.{guard}")
        return False

    def _matches(self, guard: str, text: str) -> bool:
        matcher = self.guards.get(guard)
        return matcher is not None and matcher(text)

    # -- answering the current state -------------------------------------------------------
    def visible_options(self, session: Session, spec: StateSpec) -> list[OptionSpec]:
        return [o for o in spec.options if o.when is None or conditions[o.when](session)]

    def _answer(self, turn: _Turn, inbound: Inbound, text: str) -> None:
        session = turn.session
        spec = self.flow.state(session.state)
        options = self.visible_options(session, spec)
        picks = self._picks(session, options, inbound, text)
        if picks is None:
            if spec.input and text and not inbound.option_ids:
                self._submit_text(turn, spec, text)
            else:
                turn.reprompt = "common.not_understood"
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
        if len(routes) == 1 and routes[0].to == BACK:
            self._back(session)

    def _picks(
        self, session: Session, options: list[OptionSpec], inbound: Inbound, text: str
    ) -> list[OptionSpec] | None:
        by_id = {o.id: o for o in options}
        if inbound.option_ids:
            if all(i in by_id for i in inbound.option_ids):
                return [by_id[i] for i in dict.fromkeys(inbound.option_ids)]
            return None
        numbers = parse.option_numbers(text, len(options))
        if numbers is not None:
            return [options[i] for i in numbers]
        labels = [self.i18n.text(session.lang, o.label) for o in options]
        index = parse.option_by_label(text, labels)
        return None if index is None else [options[index]]

    def _submit_text(self, turn: _Turn, spec: StateSpec, text: str) -> None:
        assert spec.input is not None
        kind = spec.input.kind
        value: object
        if kind == "money":
            value = parse.money(text)
        elif kind == "int":
            value = parse.integer(text)
        elif kind == "date":
            value = parse.date_text(text)
        elif kind == "term":
            value = parse_term(text)
        else:
            value = text[: spec.input.max_len] or None
        if value is None:
            turn.reprompt = f"input.invalid.{kind}"
            return
        turn.session.answers[spec.input.slot] = value
        self._go(turn, SUBMIT)

    # -- moving between states ----------------------------------------------------------------
    def _go(self, turn: _Turn, trigger: str, option_id: str | None = None) -> None:
        session = turn.session
        before = session.state
        fire(self.machine, trigger, session, ActionContext(option_id, turn.now))
        if session.state != before:
            session.history.append(before)
            del session.history[:-HISTORY_LIMIT]

    def _back(self, session: Session) -> None:
        session.state = session.history.pop() if session.history else self.start

    # -- rendering -------------------------------------------------------------------------
    def _render(self, turn: _Turn) -> Outbound:
        session = turn.session
        spec = self.flow.state(session.state)
        lang = session.lang

        def text(key: str, **params: object) -> str:
            return self.i18n.text(lang, key, **params)

        blocks = [text(key) for key in turn.notes]
        if turn.reprompt:
            blocks.append(text(turn.reprompt))
        else:
            for item in spec.say:
                if item.condition and not conditions[item.condition](session):
                    continue
                if item.view:
                    blocks.extend(views.render(item.view, session, text))
                else:
                    blocks.append(text(item.key))
        messages = [Message(b) for b in blocks if b]
        options = tuple(Option(o.id, text(o.label)) for o in self.visible_options(session, spec))
        prompt = text(spec.prompt) if spec.prompt else ""
        if spec.multi and options:
            prompt = f"{prompt}\n{text('common.multi_hint')}".strip()
        if prompt or options:
            messages.append(Message(prompt, options, spec.multi, spec.input is not None))
        effects = () if turn.reprompt else spec.effects
        return Outbound(tuple(messages), session.state, spec.stage, lang, effects)
