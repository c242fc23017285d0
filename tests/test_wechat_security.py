"""`/wechat` over real HTTP: URL verification, forged and stale requests, hostile bodies.

Every refused request must leave no trace in the store and make no WeChat API call.
"""

from __future__ import annotations

import time

import httpx
from fakes.wechat_harness import Harness, served, wechat_harness
from fakes.wechat_payloads import sign
from starlette.applications import Starlette
from test_wechat_wire import BILLION_LAUGHS, XXE

from bot import metrics
from bot.channels.wechat.channel import WeChat
from bot.config import Settings
from bot.service import Service

OPENID = "oSecurityUser_01"


def _untouched(h: Harness) -> None:
    assert h.service.session(f"wechat:{OPENID}") is None
    assert h.fake.calls == []


async def test_url_verification_echoes_echostr_only_when_signed_and_fresh(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        query = h.server.query()
        ok = await h.client.get(f"{h.url}/wechat", params={**query, "echostr": "8127364598123"})
        assert ok.status_code == 200 and ok.text == "8127364598123"
        forged = {**query, "signature": sign("wrong-token", query["timestamp"], query["nonce"])}
        bad = await h.client.get(f"{h.url}/wechat", params={**forged, "echostr": "1"})
        assert bad.status_code == 403 and "1" not in bad.text
        stale = h.server.query(timestamp=int(time.time()) - 301)
        old = await h.client.get(f"{h.url}/wechat", params={**stale, "echostr": "1"})
        assert old.status_code == 403
        unsigned = await h.client.get(f"{h.url}/wechat", params={"echostr": "1"})
        assert unsigned.status_code == 403


async def test_unconfigured_wechat_answers_404(tmp_settings: Settings) -> None:
    service = Service.open(tmp_settings)
    try:
        assert WeChat(service, tmp_settings).routes() == []
        app = Starlette(routes=WeChat(service, tmp_settings).routes())
        async with served(app) as url, httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/wechat")).status_code == 404
            assert (await client.post(f"{url}/wechat", content=b"<xml/>")).status_code == 404
            assert (await client.get(f"{url}/files/case/anything")).status_code == 404
    finally:
        service.close()


def _forbidden_count() -> float:
    labels = {"channel": "wechat", "kind": "forbidden"}
    return metrics.registry.get_sample_value("weiquan_errors_total", labels) or 0


async def test_forged_signature_is_refused_in_plain_and_safe_mode(tmp_settings: Settings) -> None:
    before = _forbidden_count()
    for safe_mode in (False, True):
        async with wechat_harness(tmp_settings, safe_mode=safe_mode) as h:
            callback = h.server.text(OPENID, "你好", 1001)
            forged = sign("not-our-token", callback.params["timestamp"], callback.params["nonce"])
            assert (await h.post(callback, signature=forged)).status_code == 403
            assert (await h.post(callback, signature="")).status_code == 403
            if safe_mode:  # a valid query signature does not excuse a forged msg_signature
                assert (await h.post(callback, msg_signature="0" * 40)).status_code == 403
            _untouched(h)
    assert _forbidden_count() == before + 5  # visible on /metrics


async def test_stale_or_future_timestamps_are_refused(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings) as h:
        for skew in (-301, 301, -86400):
            xml = h.server.text(OPENID, "你好", 1002).body.decode()  # already sealed in safe mode
            callback = h.server.callback("<xml/>", timestamp=int(time.time()) + skew)
            response = await h.client.post(f"{h.url}/wechat", params=callback.params, content=xml)
            assert response.status_code == 403
        _untouched(h)


async def test_hostile_and_broken_bodies_get_4xx(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=False) as h:
        cases = {
            "billion laughs": (BILLION_LAUGHS, 400),
            "xxe": (XXE, 400),
            "malformed": (b"<xml><ToUserName>gh_1</xml>", 400),
            "empty": (b"", 400),
            "whitespace": (b"  \n", 400),
            "no fields": (b"<xml></xml>", 400),
            "json": (b'{"MsgType": "text"}', 400),
            "over 1 MB": (b"<xml><Content>" + b"a" * 1_000_100 + b"</Content></xml>", 413),
        }
        for name, (body, status) in cases.items():
            callback = h.server.callback(body.decode(errors="replace"))
            response = await h.client.post(f"{h.url}/wechat", params=callback.params, content=body)
            assert response.status_code == status, name
            assert b"Traceback" not in response.content
        _untouched(h)


async def test_hostile_xml_inside_a_correctly_sealed_payload_is_refused(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=True) as h:
        for inner in (BILLION_LAUGHS, XXE, b"<xml><MsgType>text</MsgType>"):
            response = await h.post(h.server.callback(inner.decode()))
            assert response.status_code == 400
        garbage = h.server.callback("<xml/>")
        body = b"<xml><Encrypt><![CDATA[bm90IGEgY2lwaGVydGV4dA==]]></Encrypt></xml>"
        params = {
            **garbage.params,
            "msg_signature": sign(
                h.server.token,
                garbage.params["timestamp"],
                garbage.params["nonce"],
                "bm90IGEgY2lwaGVydGV4dA==",
            ),
        }
        assert (await h.client.post(f"{h.url}/wechat", params=params, content=body)).status_code == 400
        _untouched(h)


async def test_ids_that_would_break_the_reply_xml_are_refused(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=False) as h:
        xml = h.server.text("evil]]><x>", "你好", 1003).body
        callback = h.server.callback(xml.decode())
        response = await h.client.post(f"{h.url}/wechat", params=callback.params, content=xml)
        assert response.status_code == 400
        _untouched(h)
