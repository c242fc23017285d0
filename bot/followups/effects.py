"""Effect handlers of dialogs/followups.yaml: application services run inside the turn's transaction.

`sync_followups` keeps the due-jobs table equal to the session's open complaints. The /move
handlers need what only the store has (a fresh code, the moved case): they put it in a copy of
the answers under `_move…` keys for one render and return that reply instead of the engine's.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Connection

from bot.engine.followups.dialog import open_complaints
from bot.followups.host import ServiceHost
from bot.store import followup_queries as q
from bot.store import move_codes as keys
from bot.store.codec import encode_session_data
from bot.store.repo import Store
from bot.types import Message, Outbound, Session

MOVE_CODE_SECONDS = 600.0  # a code lasts ten minutes
MOVE_CODES_PER_HOUR = 5
MOVE_FAILURES_ALLOWED = 5  # wrong codes per user per MOVE_FAILURE_WINDOW, then a pause
MOVE_FAILURE_WINDOW = 900.0
PRUNE_AFTER = 86400.0  # attempts and dead codes older than a day are deleted


class FollowupEffects:
    def __init__(self, service: ServiceHost) -> None:
        self.service = service

    @property
    def store(self) -> Store:
        return self.service.store

    def install(self) -> None:
        service = self.service
        service.add_effect_handler("sync_followups", self.sync_followups)
        service.add_effect_handler("issue_move_code", self.issue_move_code)
        service.add_effect_handler("redeem_move_code", self.redeem_move_code)
        self.store.add_eraser(q.erase)

    def _render(
        self, session: Session, now: float, extra: dict[str, Any], before: tuple[Message, ...] = ()
    ) -> Outbound:
        """The state's reply again, with store data in the answers for this render only."""
        shown = copy.copy(session)
        shown.answers = {**session.answers, **extra}
        reply = self.service.engine.current(shown, now)
        if before:
            reply = Outbound(before + reply.messages, reply.state, reply.stage, reply.lang, reply.effects)
        return reply

    # -- reminders ------------------------------------------------------------------------------
    def sync_followups(self, conn: Connection, session_id: int, session: Session, now: float) -> None:
        wanted = {c["id"]: float(c["due_at"]) for c in open_complaints(session) if not c.get("asked")}
        q.sync_jobs(conn, session_id, wanted, now)
        return None

    # -- /move -----------------------------------------------------------------------------------
    def issue_move_code(self, conn: Connection, session_id: int, session: Session, now: float) -> Outbound:
        if q.codes_issued_since(conn, session_id, now - 3600) >= MOVE_CODES_PER_HOUR:
            return self._render(session, now, {"_move_limited": True})
        q.prune_move_rows(conn, now - PRUNE_AFTER)
        code = keys.new_code()
        q.insert_code(conn, keys.code_hash(code), session_id, now, now + MOVE_CODE_SECONDS)
        return self._render(session, now, {"_move_code": code, "_move_minutes": int(MOVE_CODE_SECONDS // 60)})

    def redeem_move_code(self, conn: Connection, session_id: int, session: Session, now: float) -> Outbound:
        who = keys.attempt_key(session.user_key)
        if q.failed_attempts_since(conn, who, now - MOVE_FAILURE_WINDOW) >= MOVE_FAILURES_ALLOWED:
            return self._render(session, now, {"_move_limited": True})
        typed = str(session.answers.get("move_code_input") or "")
        from_id = q.take_code(conn, keys.code_hash(typed), now, session_id) if keys.normalise(typed) else None
        if from_id is None:
            q.record_attempt(conn, who, now, ok=False)
            return self._render(session, now, {"_move_invalid": True})
        q.record_attempt(conn, who, now, ok=True)
        q.move_case(conn, from_id, session_id)
        self.store.erase_session(conn, from_id)  # the old channel's binding ends: its session is gone
        moved = self.store.runner.load(conn, session.user_key)[1]
        if moved is None:  # cannot happen: the case was just moved onto this session
            raise LookupError("the moved session is gone")
        self._resume_before_subflow(conn, session_id, moved)
        welcome = Message(self.service.i18n.text(moved.lang, "followups.move.welcome_back"))
        return self._render(moved, now, {}, before=(welcome,))

    def _resume_before_subflow(self, conn: Connection, session_id: int, moved: Session) -> None:
        if not self.service.engine.flow.in_subflow(moved.state):
            return
        while moved.history and self.service.engine.flow.in_subflow(moved.history[-1]):
            moved.history.pop()
        moved.state = moved.history.pop() if moved.history else self.service.engine.start
        stage = self.service.engine.flow.state(moved.state).stage
        q.rewind_session(conn, session_id, moved.state, stage, encode_session_data(self.store.cipher, moved))
