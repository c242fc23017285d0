"""Sessions and replies to and from their encrypted column values."""

from __future__ import annotations

from typing import Any

import orjson

from bot.store.crypto import Cipher
from bot.types import Message, Option, Outbound, Session


def encode_session_data(cipher: Cipher, session: Session) -> bytes:
    return cipher.encrypt(orjson.dumps({"a": session.answers, "h": session.history}))


def session_from_row(cipher: Cipher, row: Any) -> Session:
    data = orjson.loads(cipher.decrypt(row.data_enc))
    return Session(
        user_key=row.user_key,
        state=row.state,
        lang=row.lang,
        answers=data["a"],
        history=data["h"],
        version=row.version,
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
        risk=row.risk,
        human=bool(row.human),
    )


def outbound_to_json(outbound: Outbound) -> bytes:
    return orjson.dumps(
        {
            "m": [
                [m.text, [[o.id, o.label] for o in m.options], m.multi, m.expects_text]
                for m in outbound.messages
            ],
            "s": outbound.state,
            "g": outbound.stage,
            "l": outbound.lang,
            "e": list(outbound.effects),
        }
    )


def outbound_from_json(raw: bytes) -> Outbound:
    data = orjson.loads(raw)
    messages = tuple(
        Message(text, tuple(Option(i, label) for i, label in options), multi, expects)
        for text, options, multi, expects in data["m"]
    )
    return Outbound(messages, data["s"], data["g"], data["l"], tuple(data["e"]))
