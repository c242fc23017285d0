"""WeChat's wire format: the AES envelope against an independent implementation and wechatpy's,
hostile XML, passive replies, and splitting long answers at the 2,048-byte limit."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from fakes.wechat_api import APPID
from fakes.wechat_payloads import AES_KEY, TOKEN, decrypt, encrypt, message_xml, sign
from hypothesis import given
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.turns import PASSIVE_BYTES, split_utf8
from bot.channels.wechat.xml import Envelope, PayloadError, is_fresh, parse_xml, text_reply
from bot.errors import ChannelError

XML = message_xml("oUser_1-x", "text", 1700000000, Content="我被催收了 ]]> <b>&amp;</b>", MsgId="42")

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<xml><Content>&lol9;</Content></xml>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_1</ToUserName><Content>&xxe;</Content></xml>"""


def test_independent_encryption_is_what_wechatpy_reads_and_writes() -> None:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    sealed = encrypt(XML)
    envelope = f"<xml><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>"
    signature = sign(TOKEN, "1700000000", "n1", sealed)
    assert crypto.decrypt_message(envelope, signature, "1700000000", "n1") == XML
    produced = ET.fromstring(crypto.encrypt_message(XML, "n2", "1700000001"))
    assert decrypt(produced.findtext("Encrypt") or "") == XML


def test_envelope_opens_independent_ciphertext_and_seals_verifiable_replies() -> None:
    envelope = Envelope(TOKEN, AES_KEY, APPID)
    assert envelope.open(encrypt(XML)) == XML.encode()
    sealed = ET.fromstring(envelope.seal(XML, "1700000002"))
    fields = {child.tag: child.text or "" for child in sealed}
    assert fields["MsgSignature"] == sign(TOKEN, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
    assert decrypt(fields["Encrypt"]) == XML


def test_envelope_refuses_another_accounts_or_broken_ciphertext() -> None:
    envelope = Envelope(TOKEN, AES_KEY, APPID)
    truncated = encrypt(XML)[:-8] + "AAAAAAA="
    for broken in (encrypt(XML, appid="wx_someone_else"), "not base64!", "QUJD", truncated):
        with pytest.raises(PayloadError):
            envelope.open(broken)
    with pytest.raises(ChannelError):
        Envelope(TOKEN, "too-short", APPID)


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        XXE,
        b"<xml><Content>unclosed</xml>",
        b"",
        b"\xff\xfe<xml/>",
        b"<html></html>",
        b'<?xml version="1.0" encoding="no-such-codec"?><xml/>',
    ],
    ids=["billion-laughs", "xxe", "malformed", "empty", "bad-bytes", "wrong-root", "bad-encoding"],
)
def test_hostile_or_broken_xml_is_refused(body: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_xml(body)


def test_official_message_parses_to_its_fields() -> None:
    fields = parse_xml(XML.encode())
    assert fields["FromUserName"] == "oUser_1-x"
    assert fields["Content"] == "我被催收了 ]]> <b>&amp;</b>"
    assert fields["MsgId"] == "42"


def test_text_reply_survives_cdata_terminators_and_control_characters() -> None:
    content = "第一行 ]]> 还在\x07里面 <script>"
    reply = ET.fromstring(text_reply("oUser_1", "gh_0123", content, 1700000000.5))
    assert reply.findtext("Content") == "第一行 ]]> 还在里面 <script>"
    assert reply.findtext("ToUserName") == "oUser_1"
    assert reply.findtext("FromUserName") == "gh_0123"
    assert reply.findtext("MsgType") == "text"
    assert reply.findtext("CreateTime") == "1700000000"


def test_freshness_window_is_300_seconds_either_way() -> None:
    now = 1_700_000_000.0
    assert is_fresh("1700000000", now) and is_fresh("1699999700", now) and is_fresh("1700000300", now)
    assert not is_fresh("1699999699", now) and not is_fresh("1700000301", now)
    assert not is_fresh("", now) and not is_fresh("-5", now) and not is_fresh("１７", now)


def test_long_chinese_text_splits_into_parts_within_the_limit() -> None:
    paragraph = "催收人员每天给我打很多电话，还给我的家人发短信。" * 20  # 1,440 bytes
    text = "\n\n".join([paragraph] * 5)
    parts = split_utf8(text)
    assert len(parts) >= 4
    assert all(len(p.encode()) <= PASSIVE_BYTES for p in parts)
    assert all(p == paragraph for p in parts)  # cut at the blank lines, not inside a paragraph


@given(st.text(alphabet=st.sampled_from("ab 中文\n。😀"), max_size=3000), st.integers(8, 300))
def test_split_keeps_every_character_and_respects_the_limit(text: str, limit: int) -> None:
    parts = split_utf8(text, limit)
    assert all(len(p.encode()) <= limit for p in parts)
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)  # only blank space is dropped
    assert all(p.strip() for p in parts) or parts == [""]  # no blank messages (WeChat refuses them)
