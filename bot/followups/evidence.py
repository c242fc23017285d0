"""The evidence timeline: files the user sends, each with the time received, its kind, a one-line
description and the SHA-256 of its bytes.

The bytes are hashed and dropped, unless the user asked for encrypted copies (`evidence_keep`)
and the copies stay under a quota; `weiquan export --files DIR` gives them back. The timeline
itself is kept in the session's answers (`evidence_timeline`, encrypted with them), so the flow,
the case file's evidence catalogue and /delete all see it; `evidence_items` holds the same
entries plus any kept copy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from bot.followups.host import ServiceHost
from bot.store import followup_queries as q
from bot.store.codec import encode_session_data
from bot.store.turns import dedup_key
from bot.turns import TurnScope
from bot.types import Inbound, TurnResult

KEEP_QUOTA_BYTES = 20 * 1024 * 1024  # encrypted copies per user, all files together
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB to bots
KINDS = ("photo", "document", "voice", "audio", "video")
_PLAIN_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file the user sent, with what the channel knows about it."""

    user_key: str
    kind: str
    data: bytes
    description: str | None
    file_name: str | None
    message_id: str
    locale: str | None

    def record(self, scope: TurnScope) -> TurnResult | None:
        """Add the file to the user's timeline and step the conversation (`/evidence` when it
        came with a description, `/describe` to ask for one), in the scope's one transaction.
        None: a redelivered message. `Service.record_upload` runs it."""
        user_key, data, conn, now = self.user_key, self.data, scope.conn, scope.now
        if q.seen_message(conn, dedup_key(Inbound(user_key, message_id=self.message_id))):
            return None
        digest = hashlib.sha256(data).hexdigest()
        # for_turn: the row stays locked (PostgreSQL) until commit, so no other worker's turn can
        # interleave between this write and the turn below.
        session_id, session = scope.load(user_key, for_turn=True)
        if session_id is None or session is None:  # a file as the very first message: open the conversation
            scope.turn(Inbound(user_key, "", locale=self.locale), counted=False)
            session_id, session = scope.load(user_key, for_turn=True)
            assert session_id is not None and session is not None  # the turn just saved it
        keep = bool(session.answers.get("evidence_keep"))
        if keep and q.kept_bytes(conn, session_id) + len(data) > KEEP_QUOTA_BYTES:
            keep = False
        cipher = scope.runner.cipher
        q.insert_evidence(
            conn,
            {
                "session_id": session_id,
                "received_at": now,
                "kind": self.kind,
                "sha256": digest,
                "size": len(data),
                "file_name_enc": cipher.encrypt(self.file_name.encode()) if self.file_name else None,
                "blob_enc": cipher.encrypt(data, digest.encode()) if keep else None,
            },
        )
        timeline: list[dict[str, Any]] = session.answers.setdefault("evidence_timeline", [])
        timeline.append(
            {
                "number": len(timeline) + 1,
                "at": now,
                "kind": self.kind,
                "sha256": digest,
                "size": len(data),
                "description": self.description or "",
                "kept": keep,
            }
        )
        q.save_session_data(conn, session_id, encode_session_data(cipher, session))
        command = "/evidence" if self.description else "/describe"
        return scope.turn(Inbound(user_key, command, message_id=self.message_id))


def already_recorded(service: ServiceHost, user_key: str, message_id: str) -> bool:
    """A redelivered message: skip the download (record_upload checks again in its transaction)."""
    with service.store.db.connect() as conn:
        return q.seen_message(conn, dedup_key(Inbound(user_key, message_id=message_id)))


def kept_copy(service: ServiceHost, user_key: str, number: int) -> bytes | None:
    """The encrypted copy of timeline entry `number`, if the user chose to keep copies. Found by
    the entry's hash (a moved case brings its rows along), else by position."""
    session = service.session(user_key)
    timeline = (session.answers.get("evidence_timeline") or []) if session else []
    digest = timeline[number - 1]["sha256"] if 0 < number <= len(timeline) else None
    with service.store.db.connect() as conn:
        session_id = service.store.runner.load(conn, user_key)[0]
        rows = q.evidence_of(conn, session_id) if session_id is not None else []
    if digest is not None:
        rows = [r for r in rows if r.sha256 == digest]
    elif 0 < number <= len(rows):
        rows = [rows[number - 1]]
    else:
        return None
    for row in rows:
        if row.blob_enc is not None:
            data: bytes = service.store.cipher.decrypt(row.blob_enc, row.sha256.encode())
            return data
    return None


def write_kept_copies(service: ServiceHost, user_key: str, directory: Path) -> list[Path]:
    """The user's kept copies, decrypted into `directory` (`weiquan export --files`, when a user
    asks for their files back): one file per timeline entry that has a copy, named by its number,
    kind and the start of its SHA-256, with the original's extension when it had a name."""
    session = service.session(user_key)
    timeline = (session.answers.get("evidence_timeline") or []) if session else []
    with service.store.db.connect() as conn:
        session_id = service.store.runner.load(conn, user_key)[0]
        rows = q.evidence_of(conn, session_id) if session_id is not None else []
    names = {row.sha256: row.file_name_enc for row in rows}
    written = []
    for number, entry in enumerate(timeline, start=1):
        data = kept_copy(service, user_key, number) if entry.get("kept") else None
        if data is None:
            continue
        name_blob = names.get(entry["sha256"])
        original = service.store.cipher.decrypt(name_blob).decode() if name_blob else ""
        suffix = PurePath(original).suffix
        suffix = suffix if _PLAIN_SUFFIX.fullmatch(suffix) else ""  # the name came from the user
        path = directory / f"{number:02d}-{entry['kind']}-{entry['sha256'][:12]}{suffix}"
        directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
