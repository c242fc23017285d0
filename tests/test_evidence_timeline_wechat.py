"""Evidence timeline on WeChat: images and voice messages fetched by MediaId from the fake API,
fingerprinted and recorded; a repeated MsgId is answered again without a second entry."""

from __future__ import annotations

import hashlib
import os

from fakes.wechat_harness import wechat_harness
from fakes.wechat_media import serve_media
from fakes.wechat_payloads import message_xml

from bot.config import Settings


async def test_image_and_voice_are_fingerprinted_by_media_id(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        media = serve_media(h.fake)
        picture, recording = os.urandom(9000), os.urandom(4000)
        media["MEDIA_PIC"], media["MEDIA_VOICE"] = picture, recording
        openid = "oEvidenceUser"
        await h.turn(openid, "/start", 1)
        image = message_xml(
            openid, "image", 1_800_000_000, PicUrl="http://mmbiz.example/x", MediaId="MEDIA_PIC", MsgId="7001"
        )
        first = await h.send(h.server.callback(image))
        assert hashlib.sha256(picture).hexdigest() in first and "收到了" in first
        assert await h.send(h.server.callback(image)) == first  # WeChat's retry: the same reply
        reply = "\n".join(await h.turn(openid, "催收员在群里发的我的照片", 2))
        assert "说明已记下" in reply
        voice = message_xml(openid, "voice", 1_800_000_001, MediaId="MEDIA_VOICE", Format="amr", MsgId="7002")
        assert hashlib.sha256(recording).hexdigest() in await h.send(h.server.callback(voice))
        session = h.service.session(f"wechat:{openid}")
        assert session is not None
        timeline = session.answers["evidence_timeline"]
        assert [e["kind"] for e in timeline] == ["photo", "voice"]
        assert timeline[0]["description"] == "催收员在群里发的我的照片"
        assert len(h.fake.calls_to("/cgi-bin/media/get")) == 2


async def test_unknown_media_falls_back_to_the_usual_answer(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        serve_media(h.fake)
        image = message_xml("oNoMedia", "image", 1_800_000_000, MediaId="gone", MsgId="8001")
        reply = await h.send(h.server.callback(image))
        assert reply == h.service.i18n.text("zh_CN", "wechat.media_evidence")
        assert h.service.session("wechat:oNoMedia") is None
