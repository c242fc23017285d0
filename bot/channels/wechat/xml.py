"""WeChat's XML on the wire: hostile-safe parsing, signatures, the AES envelope, passive replies.

wechatpy does the AES (`WeChatCrypto`, `PrpCrypto`) and the reply XML (`TextReply`); parsing is
ours, through defusedxml with DOCTYPE forbidden, because wechatpy's xmltodict path would happily
read a DOCTYPE. Signatures are compared in constant time, and freshness is checked here because
wechatpy does not look at the timestamp at all.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import struct
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeElementTree
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import WeChatException
from wechatpy.replies import TextReply

from bot.errors import ChannelError

MAX_AGE_SECONDS = 300  # a request signed longer ago (or later) than this is a replay
OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# XML 1.0 forbids these even inside CDATA; they never come from WeChat, but answers echo user text.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class PayloadError(ChannelError):
    """The body is not a WeChat message we can read (→ 400)."""


def parse_xml(body: bytes) -> dict[str, str]:
    """The children of `<xml>` as tag → text. Any DOCTYPE, entity or external reference is refused."""
    try:
        root = SafeElementTree.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, ValueError, LookupError) as error:  # DefusedXmlException is a ValueError
        raise PayloadError(f"unreadable XML ({type(error).__name__})") from None
    if root.tag != "xml":
        raise PayloadError("the root element is not <xml>")
    fields: dict[str, str] = {}
    for child in root:
        if isinstance(child.tag, str):
            fields.setdefault(child.tag, child.text or "")
    return fields


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: sha1 of the parts sorted and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_matches(supplied: str, *parts: str) -> bool:
    return hmac.compare_digest(sha1_signature(*parts).encode(), supplied.encode())


def is_fresh(timestamp: str, now: float) -> bool:
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(now - int(timestamp)) <= MAX_AGE_SECONDS


class Envelope:
    """Safe mode: the `<Encrypt>` payload, AES-256-CBC keyed by the EncodingAESKey."""

    def __init__(self, token: str, aes_key: str, appid: str) -> None:
        try:
            self._crypto = WeChatCrypto(token, aes_key, appid)
        except (AssertionError, ValueError):
            raise ChannelError("WEIQUAN_WECHAT_AES_KEY must be the 43-character EncodingAESKey") from None
        self._token = token
        self._appid = appid

    def signature_matches(self, supplied: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        return signature_matches(supplied, self._token, timestamp, nonce, encrypted)

    def open(self, encrypted: str) -> bytes:
        """The inner XML. The caller has checked msg_signature first."""
        try:
            inner: str = PrpCrypto(self._crypto.key).decrypt(encrypted, self._appid)
        except (ValueError, IndexError, struct.error, WeChatException):
            # bad base64, a length that is no AES block multiple, garbage after decryption,
            # or another account's appid: all the same to us, an unreadable body
            raise PayloadError("the encrypted payload does not decrypt for this account") from None
        return inner.encode()

    def seal(self, reply_xml: str, timestamp: str) -> str:
        sealed: str = self._crypto.encrypt_message(reply_xml, secrets.token_hex(8), timestamp)
        return sealed


def _cdata_safe(text: str) -> str:
    # wechatpy writes Content as <![CDATA[...]]>: a "]]>" in the text must be split across sections
    return _XML_FORBIDDEN.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def text_reply(user: str, account: str, content: str, now: float) -> str:
    """A passive text reply from our account (`ToUserName` of the request) to the user."""
    reply = TextReply(source=account, target=user, content=_cdata_safe(content), time=int(now))
    rendered: str = reply.render()
    return rendered
