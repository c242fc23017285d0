"""Evidence timeline on Telegram: files arrive through the webhook, are downloaded from the fake
Bot API (getFile + the file endpoint), fingerprinted with SHA-256 and listed in the case file's
evidence catalogue; by default none of their bytes stay in the database."""

# ruff: noqa: F811 - the backend_settings fixture is imported, then named as a parameter

from __future__ import annotations

import hashlib
import itertools
import os
import time
from pathlib import Path
from typing import Any

from fakes.telegram_files import serve_files
from fakes.telegram_harness import Harness, webhook_harness
from fakes.telegram_payloads import TelegramUser, next_update_id
from sqlalchemy import text
from store_backends import backend_settings  # noqa: F401 - a fixture (parametrized: sqlite, pg)

from bot.config import Settings
from bot.engine.i18n import I18n
from bot.followups.evidence import KEEP_QUOTA_BYTES, kept_copy, write_kept_copies
from bot.tools.case_render import render_markdown
from bot.tools.export import build_case_file

USER = 3131
_message_ids = itertools.count(50_000)


def file_message(
    user: TelegramUser,
    kind: str,
    file_id: str,
    size: int,
    caption: str | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    media: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size}
    if kind == "document":
        media.update(file_name="催收短信.pdf", mime_type="application/pdf")
    elif kind == "voice":
        media.update(duration=12, mime_type="audio/ogg")
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "from": user.user,
        "chat": user.chat,
        "date": int(time.time()),
    }
    if kind == "photo":
        message["photo"] = [
            {**media, "file_id": f"{file_id}-thumb", "width": 90, "height": 90},
            {**media, "width": 1280, "height": 960},
        ]
    else:
        message[kind] = media
    if caption:
        message["caption"] = caption
    return {"update_id": update_id or next_update_id(), "message": message}


def db_bytes(settings: Settings, h: Harness) -> bytes:
    h.service.store.forget_erased_pages()  # fold the WAL into the file first
    return b"".join(p.read_bytes() for p in Path(settings.data_dir).glob("weiquan.sqlite*"))


async def test_document_gets_a_timeline_entry_with_its_sha256_and_no_bytes_kept(
    backend_settings: Settings,
) -> None:
    async with webhook_harness(backend_settings) as h:
        files = serve_files(h.fake)
        data = b"%PDF-1.4 collector texts " + os.urandom(40_000)
        files["DOC1"] = data
        digest = hashlib.sha256(data).hexdigest()
        user = TelegramUser(USER)
        await h.post(user.text("/start"))
        update = file_message(user, "document", "DOC1", len(data))
        assert (await h.post(update)).status_code == 200
        assert (await h.post(update)).status_code == 200  # Telegram redelivers: recorded once
        reply = h.fake.sent_texts(USER)[-1]
        assert digest in reply and "收到了" in reply
        assert len(h.fake.calls_to("getFile")) == 1
        await h.post(user.text("3 月 5 日凌晨收到的催收短信，截图转成了 PDF"))
        assert "说明已记下" in h.fake.sent_texts(USER)[-1]
        await h.post(user.text("/evidence"))
        timeline = h.fake.sent_texts(USER)[-1]
        assert "1. " in timeline and "文件：3 月 5 日凌晨收到的催收短信" in timeline and digest in timeline
        session = h.service.session(f"telegram:{USER}")
        assert session is not None and len(session.answers["evidence_timeline"]) == 1
        with h.service.store.db.connect() as conn:
            rows = conn.execute(text("SELECT sha256, size, blob_enc FROM evidence_items")).all()
        assert [(r.sha256, r.size, r.blob_enc) for r in rows] == [(digest, len(data), None)]
        assert data[-64:] not in db_bytes(backend_settings, h)  # nothing of the file is stored
        # the case file's evidence catalogue lists it with its hash
        i18n = h.service.i18n

        def say(key: str, **params: object) -> str:
            return i18n.text("zh_CN", key, **params)

        markdown = render_markdown(build_case_file(session.answers, "zh_CN", say))
        assert digest in markdown and "收到的文件" in markdown


async def test_captioned_photo_and_voice_and_opt_in_copies(tmp_settings: Settings) -> None:
    async with webhook_harness(tmp_settings) as h:
        files = serve_files(h.fake)
        photo, voice = os.urandom(5000), os.urandom(7000)
        files["PHOTO1"], files["VOICE1"] = photo, voice
        user = TelegramUser(USER + 1)
        await h.post(user.text("/evidence"))
        await h.post(user.text("帮我加密保存文件副本"))
        await h.post(file_message(user, "photo", "PHOTO1", len(photo), caption="催收发的P图"))
        reply = h.fake.sent_texts(USER + 1)[-1]
        assert hashlib.sha256(photo).hexdigest() in reply and "图片：催收发的P图" in reply
        await h.post(file_message(user, "voice", "VOICE1", len(voice)))
        assert hashlib.sha256(voice).hexdigest() in h.fake.sent_texts(USER + 1)[-1]
        key = f"telegram:{USER + 1}"
        assert kept_copy(h.service, key, 1) == photo  # the largest photo size, decrypted
        assert kept_copy(h.service, key, 2) == voice
        assert photo[-64:] not in db_bytes(tmp_settings, h)  # kept encrypted, never in clear
        # the user can have them back (`weiquan export --files DIR`)
        written = write_kept_copies(h.service, key, Path(tmp_settings.data_dir) / "export")
        assert [p.read_bytes() for p in written] == [photo, voice]
        assert [p.name.split("-")[:2] for p in written] == [["01", "photo"], ["02", "voice"]]
        h.service.store.delete_user(key)
        with h.service.store.db.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM evidence_items")).scalar() == 0


async def test_copies_stop_at_the_quota_and_urgent_captions_go_to_the_guards(
    tmp_settings: Settings,
) -> None:
    async with webhook_harness(tmp_settings) as h:
        files = serve_files(h.fake)
        big = os.urandom(KEEP_QUOTA_BYTES - 10)
        files["BIG"], files["MORE"] = big, os.urandom(100)
        user = TelegramUser(USER + 2)
        await h.post(user.text("/evidence"))
        await h.post(user.text("帮我加密保存文件副本"))
        await h.post(file_message(user, "document", "BIG", len(big), caption="通话录音导出"))
        await h.post(file_message(user, "document", "MORE", 100, caption="补充截图"))
        key = f"telegram:{USER + 2}"
        assert kept_copy(h.service, key, 1) == big
        await h.post(file_message(user, "photo", "MORE", 100, caption="他们寄来的传票"))
        warned = h.fake.sent_texts(USER + 2)[-1]
        warning = h.service.i18n.text("zh_CN", "guard.fake_document")
        assert warning[:12] in warned and "他们寄来的传票" in warned
        assert kept_copy(h.service, key, 2) is None  # over the quota: fingerprint only
        await h.post(file_message(user, "document", "MORE", 100, caption="我不想活了"))
        assert h.stage(key) == "crisis"
        session = h.service.session(key)
        assert session is not None and len(session.answers["evidence_timeline"]) == 3


def test_locales_describe_every_kind() -> None:
    from bot.config import content_dir

    i18n = I18n.load(content_dir("locales"))
    for lang in ("zh_CN", "en"):
        for kind in ("photo", "document", "voice", "audio", "video"):
            assert i18n.has(lang, f"followups.evidence.kind.{kind}")
