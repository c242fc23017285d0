"""WeChat's side of the callback: official-format messages, signed and (in safe mode) encrypted.

The encryption here is written from the published algorithm, independently of weiquan's adapter
(and of wechatpy): AES-256-CBC, key = base64decode(EncodingAESKey + "="), IV = key[:16], PKCS#7
padding to 32-byte blocks, plaintext = random(16) + 4-byte big-endian length + xml + appid;
msg_signature = sha1 of the sorted [token, timestamp, nonce, encrypt].
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from fakes.wechat_api import APPID

TOKEN = "weiquanTestToken2024"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the admin console makes
ACCOUNT = "gh_0123456789ab"  # the Official Account's original id (ToUserName)
BLOCK = 32


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _key(aes_key: str) -> bytes:
    key = base64.b64decode(aes_key + "=")
    assert len(key) == 32
    return key


def encrypt(xml: str, aes_key: str = AES_KEY, appid: str = APPID) -> str:
    body = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + appid.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    key = _key(aes_key)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str, aes_key: str = AES_KEY, appid: str = APPID) -> str:
    key = _key(aes_key)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    pad = plain[-1]
    assert 1 <= pad <= BLOCK and plain[-pad:] == bytes([pad]) * pad, "bad PKCS#7 padding"
    content = plain[16:-pad]
    (length,) = struct.unpack(">I", content[:4])
    assert content[4 + length :].decode() == appid, "wrong appid"
    return content[4 : 4 + length].decode()


def message_xml(openid: str, msg_type: str, created: int, **fields: str) -> str:
    """An official-format callback message (CDATA for strings, as WeChat sends them)."""
    lines = [
        f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{created}</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    for name, value in fields.items():
        cdata = value.replace("]]>", "]]]]><![CDATA[>")  # how XML writers split a terminator
        text = value if value.isdigit() else f"<![CDATA[{cdata}]]>"
        lines.append(f"<{name}>{text}</{name}>")
    return "<xml>\n" + "\n".join(lines) + "\n</xml>"


@dataclass(frozen=True)
class Callback:
    params: dict[str, str]
    body: bytes


@dataclass
class WeChatServer:
    """Builds the POSTs WeChat makes to our server URL, and reads our passive replies."""

    token: str = TOKEN
    aes_key: str = AES_KEY
    appid: str = APPID
    safe_mode: bool = False

    def query(self, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**9))
        return {"signature": sign(self.token, stamp, nonce), "timestamp": stamp, "nonce": nonce}

    def callback(self, xml: str, timestamp: int | None = None, openid: str = "") -> Callback:
        params = self.query(timestamp)
        if openid:
            params["openid"] = openid
        if not self.safe_mode:
            return Callback(params, xml.encode())
        encrypted = encrypt(xml, self.aes_key, self.appid)
        params["encrypt_type"] = "aes"
        params["msg_signature"] = sign(self.token, params["timestamp"], params["nonce"], encrypted)
        body = (
            f"<xml>\n<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>\n"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>\n</xml>"
        )
        return Callback(params, body.encode())

    def text(self, openid: str, content: str, msg_id: int) -> Callback:
        xml = message_xml(openid, "text", int(time.time()), Content=content, MsgId=str(msg_id))
        return self.callback(xml, openid=openid)

    def event(self, openid: str, event: str, created: int | None = None, key: str | None = None) -> Callback:
        fields = {"Event": event} if key is None else {"Event": event, "EventKey": key}
        xml = message_xml(openid, "event", created or int(time.time()), **fields)
        return self.callback(xml, openid=openid)

    def reply_fields(self, body: bytes) -> dict[str, str]:
        """Our passive reply as WeChat reads it (decrypted and signature-checked in safe mode)."""
        root = ET.fromstring(body)
        fields = {child.tag: child.text or "" for child in root}
        if "Encrypt" not in fields:
            assert not self.safe_mode, "a request in safe mode got a plaintext reply"
            return fields
        expected = sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
        assert fields["MsgSignature"] == expected, "the reply's MsgSignature does not verify"
        inner = ET.fromstring(decrypt(fields["Encrypt"], self.aes_key))
        return {child.tag: child.text or "" for child in inner}
