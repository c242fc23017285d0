"""Attacks on `/wechat` that once worked: downgrade to plaintext, replayed signatures, links
built on a forged Host header, another user's MsgId, and an old case-file link after /delete."""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import re

from fakes.wechat_harness import Harness, wechat_harness
from fakes.wechat_payloads import Callback, message_xml
from store_backends import backend_settings, engine, service  # noqa: F401 - fixtures

from bot.config import Settings
from bot.service import Service

VICTIM, ATTACKER = "oVictimUser_001", "oAttacker_0002"
LINK = re.compile(r"https?://[^\s/]+/files/case/[A-Za-z0-9._-]+")


async def _victim_with_a_case(h: Harness) -> None:
    await h.turn(VICTIM, "/start", 1)
    await h.turn(VICTIM, "1", 2)
    assert h.stage(VICTIM) == "harassment"


async def test_a_plaintext_post_is_refused_when_an_aes_key_is_set(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=True) as h:
        await _victim_with_a_case(h)
        before = h.state(VICTIM)
        h.server.safe_mode = False  # the query signature is valid: every safe-mode URL carries one
        forged = h.server.text(VICTIM, "总结", 77)
        response = await h.post(forged)
        assert response.status_code == 403 and response.content == b""
        # encrypt_type=aes on the query but a plaintext body: no Encrypt, no msg_signature
        response = await h.post(forged, encrypt_type="aes")
        assert response.status_code == 403 and response.content == b""
        assert h.state(VICTIM) == before


async def test_a_signature_triple_carries_one_body_only(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=False) as h:
        await _victim_with_a_case(h)
        first = h.server.text(ATTACKER, "/start", 10)
        assert (await h.post(first)).status_code == 200
        other_body = message_xml(VICTIM, "text", int(h.clock()), Content="总结", MsgId="11")
        replay = await h.post(Callback(first.params, other_body.encode()))
        assert replay.status_code == 403
        assert h.stage(VICTIM) == "harassment"  # the victim's conversation did not move
        retry = await h.post(first)  # WeChat's own retry: same triple, same body, same reply
        assert retry.status_code == 200
        assert h.server.reply_fields(retry.content)["Content"]


async def test_the_triple_is_bound_in_the_store_shared_by_workers(service: Service) -> None:
    def bind(key: str, body: str, now: float) -> bool:
        return bool(service.store.bind_signed_body(key, body, now, 660).result())

    assert bind("k1", "body-a", 1000.0)
    assert bind("k1", "body-a", 1001.0)  # a retry
    assert not bind("k1", "body-b", 1002.0)  # a replay with another body
    assert bind("k2", "body-b", 1002.0)
    assert bind("k1", "body-b", 2000.0)  # long expired: the timestamp check refuses it anyway


async def test_links_use_the_public_url_never_the_host_header(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=False) as h:
        h.channel.links.public_url = "https://bot.example.org"
        await h.turn(VICTIM, "/start", 1)
        callback = h.server.text(VICTIM, "/summary", 2)
        response = await h.client.post(
            f"{h.url}/wechat", params=callback.params, content=callback.body, headers={"Host": "evil.example"}
        )
        assert response.status_code == 200
        await h.settle()
        said = "\n".join([h.server.reply_fields(response.content)["Content"], *h.fake.sent_texts(VICTIM)])
        links = LINK.findall(said)
        assert links and all(link.startswith("https://bot.example.org/files/case/") for link in links)
        assert "evil.example" not in said


async def test_without_a_public_url_no_link_is_sent(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=False, links=False) as h:
        await h.turn(VICTIM, "/start", 1)
        said = "\n".join(await h.turn(VICTIM, "/summary", 2))
        assert "/files/case/" not in said
        assert h.service.i18n.text("zh_CN", "wechat.case_file_ask_operator") in said


async def test_another_users_msgid_is_that_users_own_message(tmp_settings: Settings) -> None:
    async with wechat_harness(tmp_settings, safe_mode=False) as h:
        await h.turn(VICTIM, "/start", 1)
        victim_reply = await h.turn(VICTIM, "/summary", 4242)
        stolen = await h.turn(ATTACKER, "/help", 4242)  # the victim's MsgId, the attacker's openid
        assert stolen and stolen != victim_reply
        assert h.stage(ATTACKER) == "help"
        assert h.stage(VICTIM) == "summary"


async def test_a_link_issued_before_delete_does_not_serve_the_next_conversation(
    tmp_settings: Settings,
) -> None:
    async with wechat_harness(tmp_settings, safe_mode=False) as h:
        await h.turn(VICTIM, "/start", 1)
        link = LINK.search("\n".join(await h.turn(VICTIM, "/summary", 2)))
        assert link and (await h.client.get(link.group(0))).status_code == 200
        await h.turn(VICTIM, "/delete", 3)
        session = h.service.session(f"wechat:{VICTIM}")
        assert session is not None
        ids = [option.id for option in h.service.engine.current(session, h.clock()).options]
        await h.turn(VICTIM, str(ids.index("confirm") + 1), 4)
        await h.turn(VICTIM, "/start", 5)  # the same openid starts over
        assert h.service.session(f"wechat:{VICTIM}") is not None
        assert (await h.client.get(link.group(0))).status_code == 404
        fresh = LINK.search("\n".join(await h.turn(VICTIM, "/summary", 6)))
        assert fresh and (await h.client.get(fresh.group(0))).status_code == 200
