"""The application's part of every turn, run by the store inside the turn's transaction.

`DialogueStep` is the step the store's unit of work calls (bot/store/turns.py): the safety
detector reads the whole message, the console's rows decide whether an operator holds the case
(and which of their replies come first), the engine steps the session, and the effects the flow
names (reminders, /move codes) write their rows. `TurnScope` lets an application job (a file
upload, a batch of reminders) run turns inside its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection

from bot.engine import parse
from bot.engine.engine import Engine
from bot.store.console_turns import ConsoleTurnRows
from bot.store.turns import TurnRunner, TurnUnit
from bot.types import Inbound, Message, Outbound, Session, TurnResult

log = logging.getLogger("weiquan.turn")

# Writes what a flow effect (`effects: [...]` in the flow) needs, in the turn's transaction:
# fn(conn, session_id, session, now). It may return an Outbound to replace the reply (a code it
# just issued, the case it just moved here); None keeps the engine's reply.
EffectHandler = Callable[[Connection, int, Session, float], Outbound | None]


@dataclass(slots=True)
class DialogueStep:
    engine: Engine
    console: ConsoleTurnRows
    effect_handlers: dict[str, EffectHandler] = field(default_factory=dict)

    def __call__(self, unit: TurnUnit) -> Outbound:
        engine, inbound, now = self.engine, unit.inbound, unit.now
        # The detector reads the message before the store cut it to size: a long vent that ends
        # in "我不想活了" must still reach the crisis screen.
        verdict = engine.safety.scan(unit.full_text) if not inbound.option_ids else None
        session = unit.session or engine.new_session(inbound.user_key, inbound.locale, now)
        prefix: tuple[Message, ...] = ()
        held = False
        if unit.session_id is not None:
            waiting, held = self.console.take_for_turn(unit.conn, unit.session_id)
            prefix = tuple(
                Message(engine.i18n.text(session.lang, "console.from_operator", text=text))
                for text in waiting
            )
            held = held and not self._erasing(session, inbound)
        try:
            if held:  # an operator holds the conversation: record the message, say nothing
                if verdict is not None:
                    engine.note_alert(session, verdict, now)
                session.last_activity_at = now
                stage = engine.flow.state(session.state).stage
                reply = Outbound(prefix, session.state, stage, session.lang, ("held",))
            else:
                reply = engine.step(session, inbound, now, verdict)
                if prefix:
                    reply = replace(reply, messages=prefix + reply.messages)
        except Exception:
            log.exception("engine failed", extra={"user_key": inbound.user_key})
            unit.fail()
            return self._apology(session)
        if "deleted" in reply.effects:
            unit.erase()
            return reply
        session_id = unit.save(session, reply)
        for effect in reply.effects:
            handler = self.effect_handlers.get(effect)
            if handler is not None:
                reply = handler(unit.conn, session_id, session, now) or reply
        return reply

    def _erasing(self, session: Session, inbound: Inbound) -> bool:
        """/delete, or the answer to its confirmation question: erasure is the user's right even
        while a person holds the case."""
        if session.state == self.engine.flow.roles.get("delete"):
            return True
        text = parse.clean(inbound.text)
        return bool(text) and parse.command_of(text, self.engine.commands) == "delete"

    def _apology(self, session: Session) -> Outbound:
        text = self.engine.i18n.text(session.lang, "common.error")
        stage = self.engine.flow.state(session.state).stage
        return Outbound((Message(text),), session.state, stage, session.lang)


@dataclass(slots=True)
class TurnScope:
    """An application job's view of its store transaction: its connection and clock, and turns
    run inside it, collected so the Service counts and tracks them once the job has committed."""

    conn: Connection
    now: float
    runner: TurnRunner
    step: DialogueStep
    results: list[tuple[Inbound, TurnResult]] = field(default_factory=list)

    def load(self, user_key: str, *, for_turn: bool = False) -> tuple[int | None, Session | None]:
        """The user's session id and session (None, None for an unknown user); `for_turn` locks
        the row (PostgreSQL) until the job commits."""
        return self.runner.load(self.conn, user_key, for_turn=for_turn)

    def turn(self, inbound: Inbound, *, counted: bool = True) -> TurnResult:
        """One turn in this transaction; `counted=False` for a turn the user did not ask for (the
        conversation opened under a file sent as the first message)."""
        result = self.runner.run(self.conn, inbound, self.now, self.step)
        if counted:
            self.results.append((inbound, result))
        return result
